"""The steps of OrderWorkflow after intake: stock, parcels (child workflows), compensation.

A mixin so that workflows/order.py stays a readable outline of the order's life.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from models import backorder, shipment, sourcing
    from models.activity_io import (
        AuthorizeInput,
        PaymentActionInput,
        PaymentResult,
        ReleaseInput,
        ReserveInput,
        ReserveResult,
        StockQuery,
        StockSnapshot,
        ValidateOrderInput,
        ValidateOrderResult,
    )
    from models.backorder import BackorderDecisionInput, RestockEstimates, RestockQuery
    from models.finance import VoucherResult, voucher_for
    from models.messages import CancelInput, ShipmentProgress
    from models.order import OrderDocument
    from models.order_state import Compensation, OrderState
    from models.shipment import ShipmentInput
    from models.status import OrderStatus
    from models.view import BackorderView, ShipmentView, SourcingDecision
    from workflows import search_attributes as sa
    from workflows.activity_calls import call

S = OrderStatus
BACKORDER_WINDOW = timedelta(days=7)  # a backordered order waits this long for restock
RESERVE_RACES = 3  # stock taken between reading and reserving: re-plan this often


class OrderStopped(Exception):
    """The order cannot go on: compensate what was done, then end as `status`."""

    def __init__(self, status: OrderStatus, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def failure_type(failure: ActivityError) -> str | None:
    cause = failure.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def failure_reason(failure: ActivityError) -> str:
    cause = failure.cause
    return str(cause.message if isinstance(cause, ApplicationError) else cause or failure)


class OrderSteps:
    order: OrderDocument
    state: OrderState
    cancel_request: CancelInput | None
    decision: BackorderDecisionInput | None
    restocks: int
    facts: ValidateOrderResult
    payment: PaymentResult
    reservation_key: str
    children: dict[str, Any]  # child workflow id -> its handle
    child_ends: list[asyncio.Task[None]]
    child_failures: list[str]
    progress: list[ShipmentProgress]  # parcel reports not yet recorded
    compensating: bool

    # Provided by OrderWorkflow.
    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None: ...
    async def _write(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None: ...
    async def _wait_or_stop(
        self, ready: Callable[[], bool], timeout: timedelta, summary: str
    ) -> None: ...
    def _check_cancel_requested(self) -> None: ...

    if TYPE_CHECKING:  # provided by OrderOps, later in the MRO

        async def _retry_allowed(self, step: str, failure: ActivityError) -> bool: ...

    def _key(self, step: str) -> str:
        return f"{self.order.order_id}:{step}"

    async def _act(self, name: str, arg: object, result_type: type | None, summary: str) -> object:
        while True:
            try:
                return await call(
                    name,
                    arg,
                    result_type=result_type,
                    summary=summary,
                    priority=self.state.view.priority,
                )
            except ActivityError as failure:
                if not await self._retry_allowed(name, failure):
                    raise

    async def _validate(self) -> ValidateOrderResult:
        facts = await self._act(
            "validate_order",
            ValidateOrderInput(order=self.order),
            ValidateOrderResult,
            "check SKUs against the catalog",
        )
        assert isinstance(facts, ValidateOrderResult)
        return facts

    async def _authorize(self, request: AuthorizeInput) -> PaymentResult:
        summary = f"authorize {request.amount} ({request.method})"
        result = await self._act("authorize_payment", request, PaymentResult, summary)
        assert isinstance(result, PaymentResult)
        return result

    async def _source_stock(self) -> None:
        attempt, races = 0, 0
        while True:
            attempt += 1
            skus = [line.sku for line in self.state.view.lines]
            snapshot = await self._act(
                "get_stock_levels", StockQuery(skus=skus), StockSnapshot, "read availability"
            )
            assert isinstance(snapshot, StockSnapshot)
            destination = self.order.shipping_address
            plan = sourcing.plan_sourcing(
                self.state.view.lines, snapshot, destination, profile=snapshot.profile
            )
            self.state.view.sourcing = SourcingDecision(
                profile_version=plan.profile_version,
                explanation=plan.explanation,
                candidates=plan.candidates,
            )
            short = plan.short_skus
            if plan.fulfillable:
                key = self._key(f"reserve:{attempt}")
                request = ReserveInput(
                    order_id=self.order.order_id, idempotency_key=key, allocations=plan.allocations
                )
                result = await self._act("reserve_stock", request, ReserveResult, plan.explanation)
                assert isinstance(result, ReserveResult)
                if result.reserved:
                    self.state.view.backorder = None
                    await self._reserved(key, result, plan.explanation)
                    return
                races, short = races + 1, result.short_skus
                if races < RESERVE_RACES:
                    continue  # someone took the stock after we read it: plan again
            await self._await_restock(short)

    async def _reserved(self, key: str, result: ReserveResult, explanation: str) -> None:
        self.reservation_key = key
        self.state.push("release_stock", key)
        self.state.view.allocations = result.allocations
        warehouses = sorted({a.warehouse_id for a in result.allocations})
        workflow.upsert_search_attributes([sa.WAREHOUSES.value_set(warehouses)])
        await self._record(S.RESERVED, explanation)
        self._check_cancel_requested()

    async def _await_restock(self, short: list[str]) -> None:
        """BACKORDERED: wait for restock or the customer's decision, up to the window."""
        seen, deadline = self.restocks, workflow.now() + BACKORDER_WINDOW
        offer = await self._backorder_offer(short)
        names = ", ".join(s.sku for s in offer.substitutes) or "none"
        restock = backorder.describe_restock(offer.restock)
        detail = f"short of {', '.join(short)}; {restock}; similar in stock: {names}"
        if self.state.status != S.BACKORDERED:
            await self._record(S.BACKORDERED, detail)
        else:
            self.state.note(workflow.now(), "STILL_SHORT", detail)
        while True:
            self.decision = None
            await self._wait_or_stop(
                lambda: self.restocks > seen or self.decision is not None,
                max(deadline - workflow.now(), timedelta(0)),
                "backorder window",
            )
            if self.restocks > seen:
                return
            if self.decision is None:
                raise OrderStopped(S.CANCELLED, "stock did not arrive within 7 days")
            if self.decision.choice == "substitute":
                chosen = next(s for s in offer.substitutes if s.sku == self.decision.substitute_sku)
                self.state.view.lines = backorder.swap(self.state.view.lines, chosen)
                self.state.note(workflow.now(), "SUBSTITUTED", f"{chosen.sku} for {chosen.for_sku}")
                return
            self.state.note(workflow.now(), "CUSTOMER_WAITS", "the customer chose to wait")

    async def _backorder_offer(self, short: list[str]) -> BackorderView:
        products = self.facts.products
        similar = backorder.similar_skus(short, products)
        estimates = await self._act(
            "estimate_restock", RestockQuery(skus=short), RestockEstimates, "restock date"
        )
        assert isinstance(estimates, RestockEstimates)
        offer = BackorderView(short_skus=short, restock=estimates.estimates)
        if similar:
            snapshot = await self._act(
                "get_stock_levels", StockQuery(skus=similar), StockSnapshot, "similar items"
            )
            assert isinstance(snapshot, StockSnapshot)
            offer.substitutes = backorder.substitutes_for(
                short, products, self.state.view.lines, snapshot
            )
        self.state.view.backorder = offer
        return offer

    async def _start_shipments(self) -> None:
        """One ShipmentWorkflow per warehouse; each packs, books and tracks its parcel."""
        view, order = self.state.view, self.order
        prices = {line.sku: line.unit_price for line in order.lines}
        shares = shipment.split_amount(self.payment.amount, view.allocations, prices)
        allocations = sorted(view.allocations, key=lambda a: a.warehouse_id)
        for warehouse_id, group in groupby(allocations, key=lambda a: a.warehouse_id):
            parcel = list(group)
            child_id = shipment.shipment_workflow_id(order.order_id, warehouse_id)
            job = ShipmentInput(
                order_id=order.order_id,
                warehouse_id=warehouse_id,
                allocations=parcel,
                products=self.facts.products,
                carriers=self.facts.carriers,
                service_level=order.shipping.service_level.value,
                address=order.shipping_address,
                reservation_key=self.reservation_key,
                payment_id=self.payment.payment_id,
                amount=shares[warehouse_id],
                priority=view.priority,
            )
            handle = await workflow.start_child_workflow(
                "ShipmentWorkflow",
                job,
                id=child_id,
                result_type=ShipmentView,
                # The order closing for any reason asks its parcels to cancel, and they
                # undo their bookings (the parcels already picked up just stop).
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                static_summary=f"parcel from {warehouse_id}",
                static_details=shipment.describe_parcel(parcel),
            )
            self.children[child_id] = handle
            self.child_ends.append(asyncio.create_task(self._watch_child(handle)))
            self.state.push("cancel_shipment", child_id)
            view.shipments.append(
                ShipmentView(
                    shipment_id="",
                    warehouse_id=warehouse_id,
                    carrier="",
                    tracking_number="",
                    status=shipment.PACKING,
                    workflow_id=child_id,
                    lines=shipment.lines_of(parcel),
                    amount=shares[warehouse_id],
                )
            )
        where = ", ".join(s.warehouse_id for s in view.shipments)
        await self._record(S.ALLOCATED, f"paid; packing {len(view.shipments)} parcel(s): {where}")
        self._check_cancel_requested()

    async def _watch_child(self, handle: workflow.ChildWorkflowHandle) -> None:  # type: ignore[type-arg]
        try:
            await handle
        except ChildWorkflowError as failure:
            if isinstance(failure.cause, CancelledError):
                return  # the order cancelled it
            cause = failure.cause
            while isinstance(cause, ChildWorkflowError | ActivityError) and cause.cause:
                cause = cause.cause
            self.child_failures.append(str(getattr(cause, "message", cause) or failure))
        except asyncio.CancelledError:
            pass  # the order cancelled it

    @workflow.signal(name="shipment_progress")
    def shipment_progress(self, progress: ShipmentProgress) -> None:
        if self.state.apply_progress(progress) is not None:
            self.progress.append(progress)

    async def _track_until_delivered(self) -> None:
        """Follow the parcels: SHIPPED at the first pickup, DELIVERED when all are."""
        state = self.state
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(self.progress)
                    or bool(self.child_failures)
                    or (self.cancel_request is not None and not state.shipped)
                )
            )
            while self.progress:
                done = self.progress.pop(0)
                if done.record:
                    await self._write(
                        done.event,
                        done.detail,
                        notify=done.notify_customer,
                        alert_ops=done.alert_ops,
                    )
                if done.event == "SHIPMENT_BOOKED":
                    names = sorted({s.carrier for s in state.view.shipments if s.carrier})
                    workflow.upsert_search_attributes([sa.CARRIER.value_set(",".join(names))])
                if state.any_picked_up() and not state.shipped:
                    await self._record(S.SHIPPED, "picked up by the carrier")
            if self.child_failures:
                reason = f"parcel failed: {self.child_failures[0]}"
                if state.shipped:
                    # Goods are on their way: nothing to undo, ops take it from here.
                    raise ApplicationError(reason, type="ShipmentFailed", non_retryable=True)
                raise OrderStopped(S.CANCELLED, reason)
            if not state.shipped:
                self._check_cancel_requested()
            if state.all_delivered():
                break
        await asyncio.gather(*self.child_ends)
        state.view.delivered_at = workflow.now()
        await self._record(S.DELIVERED, "every parcel delivered")

    async def _compensate(self, status: OrderStatus, reason: str) -> None:
        self.compensating = True
        for undo in self.state.pop_compensations():
            await self._undo(undo)
        self.state.view.cancel_reason = reason
        await self._record(status, reason)

    async def _undo(self, undo: Compensation) -> None:
        order_id = self.order.order_id
        if undo.kind == "release_stock":
            request: object = ReleaseInput(
                order_id=order_id, idempotency_key=self._key("release"), reservation_key=undo.ref
            )
        elif undo.kind == "void_payment" and self.state.captured():
            await self._refund_captured(undo.ref)
            return
        elif undo.kind == "void_payment":
            request = PaymentActionInput(
                order_id=order_id,
                idempotency_key=self._key("void"),
                payment_id=undo.ref,
                amount=self.payment.amount,
            )
            self.state.view.payment.status = "VOIDED"
        else:
            await self._cancel_shipment(undo.ref)
            return
        await self._act(undo.kind, request, None, f"undo: {undo.kind} {undo.ref}")

    async def _cancel_shipment(self, child_id: str) -> None:
        """Cancel the parcel's workflow and wait until it has undone its booking."""
        handle = self.children.get(child_id)
        if handle is not None and not handle.done():
            handle.cancel()
            with contextlib.suppress(ChildWorkflowError, asyncio.CancelledError):
                await handle
        for parcel in self.state.view.shipments:
            if parcel.workflow_id == child_id and not shipment.picked_up(parcel.status):
                parcel.status = shipment.CANCELLED

    async def _refund_captured(self, payment_id: str) -> None:
        """Parcels captured before the cancel won the race: refund each captured share."""
        for parcel in self.state.view.shipments:
            if parcel.payment_status != "CAPTURED" or parcel.amount is None:
                continue
            request = PaymentActionInput(
                order_id=self.order.order_id,
                idempotency_key=self._key(f"refund:{parcel.warehouse_id}"),
                payment_id=payment_id,
                amount=parcel.amount,
            )
            await self._act(
                "refund_payment", request, PaymentResult, f"undo: refund {parcel.amount}"
            )
            voucher = voucher_for(
                idempotency_key=self._key(f"voucher:refund:{parcel.warehouse_id}"),
                order_id=self.order.order_id,
                kind="refund",
                amount=parcel.amount,
                reference=payment_id,
            )
            await self._act(
                "post_voucher", voucher, VoucherResult, f"journal: refund {parcel.amount}"
            )
            parcel.payment_status = "REFUNDED"
        self.state.view.payment.status = "REFUNDED"
