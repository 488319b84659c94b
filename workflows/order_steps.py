"""The steps of OrderWorkflow after intake: stock, booking, tracking and compensation.

A mixin so that workflows/order.py stays a readable outline of the order's life.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import groupby

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import backorder, carriers, errors, sourcing
    from models.activity_io import (
        AuthorizeInput,
        BookShipmentInput,
        BookShipmentResult,
        CancelShipmentInput,
        PaymentActionInput,
        PaymentResult,
        ReleaseInput,
        ReserveInput,
        ReserveResult,
        ShipStockInput,
        StockQuery,
        StockSnapshot,
        ValidateOrderInput,
        ValidateOrderResult,
    )
    from models.backorder import BackorderDecisionInput, RestockEstimates, RestockQuery
    from models.messages import CancelInput
    from models.order import OrderDocument
    from models.order_state import Compensation, OrderState
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

    # Provided by OrderWorkflow.
    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None: ...
    async def _wait_or_stop(
        self, ready: Callable[[], bool], timeout: timedelta, summary: str
    ) -> None: ...
    def _check_cancel_requested(self) -> None: ...

    def _key(self, step: str) -> str:
        return f"{self.order.order_id}:{step}"

    async def _act(self, name: str, arg: object, result_type: type | None, summary: str) -> object:
        return await call(
            name, arg, result_type=result_type, summary=summary, priority=self.state.view.priority
        )

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

    async def _book_shipments(self) -> None:
        allocations = sorted(self.state.view.allocations, key=lambda a: a.warehouse_id)
        for warehouse_id, group in groupby(allocations, key=lambda a: a.warehouse_id):
            booked = await self._book_one(warehouse_id, list(group))
            self.state.push("cancel_shipment", booked.shipment_id)
            self.state.view.shipments.append(
                ShipmentView(
                    shipment_id=booked.shipment_id,
                    warehouse_id=warehouse_id,
                    carrier=booked.carrier,
                    tracking_number=booked.tracking_number,
                )
            )
        names = sorted({s.carrier for s in self.state.view.shipments})
        workflow.upsert_search_attributes([sa.CARRIER.value_set(",".join(names))])
        parcels = "; ".join(f"{s.carrier} {s.tracking_number}" for s in self.state.view.shipments)
        await self._record(S.ALLOCATED, f"paid and booked: {parcels}")
        self._check_cancel_requested()

    async def _book_one(self, warehouse_id: str, group: list) -> BookShipmentResult:  # type: ignore[type-arg]
        weight = carriers.shipment_weight(group, self.facts.products)
        level = self.order.shipping.service_level.value
        failed: set[str] = set()
        while True:
            carrier = carriers.choose_carrier(
                self.facts.carriers, service_level=level, weight_kg=weight, exclude=failed
            )
            if carrier is None:
                raise OrderStopped(
                    S.CANCELLED, f"no carrier can take the parcel from {warehouse_id}"
                )
            request = BookShipmentInput(
                order_id=self.order.order_id,
                idempotency_key=self._key(f"book:{warehouse_id}:{carrier.carrier_id}"),
                workflow_id=workflow.info().workflow_id,
                warehouse_id=warehouse_id,
                carrier=carrier.carrier_id,
                service_level=level,
                allocations=group,
                address=self.order.shipping_address,
            )
            summary = f"book {carrier.carrier_id} from {warehouse_id}, {weight:.1f} kg"
            try:
                result = await self._act("book_shipment", request, BookShipmentResult, summary)
                assert isinstance(result, BookShipmentResult)
                return result
            except ActivityError as failure:
                if failure_type(failure) != errors.CARRIER_UNAVAILABLE:
                    raise OrderStopped(S.CANCELLED, failure_reason(failure)) from failure
                failed.add(carrier.carrier_id)
                self.state.note(workflow.now(), "CARRIER_FALLBACK", failure_reason(failure))

    async def _track_until_delivered(self) -> None:
        state = self.state
        while not state.all_delivered():
            await workflow.wait_condition(
                lambda: (
                    bool(state.picked_up_awaiting_stock_move())
                    or state.all_delivered()
                    or (self.cancel_request is not None and not state.shipped)
                )
            )
            if not state.shipped:
                self._check_cancel_requested()
            for shipment in state.picked_up_awaiting_stock_move():
                request = ShipStockInput(
                    order_id=self.order.order_id,
                    idempotency_key=self._key(f"ship:{shipment.warehouse_id}"),
                    warehouse_id=shipment.warehouse_id,
                    reservation_key=self.reservation_key,
                )
                await self._act("ship_stock", request, None, f"stock left {shipment.warehouse_id}")
                state.stock_shipped.add(shipment.shipment_id)
            if state.any_picked_up() and not state.shipped:
                await self._capture()
                await self._record(S.SHIPPED, "picked up by the carrier")
        await self._record(S.DELIVERED, "every parcel delivered")

    async def _capture(self) -> None:
        request = PaymentActionInput(
            order_id=self.order.order_id,
            idempotency_key=self._key("capture"),
            payment_id=self.payment.payment_id,
            amount=self.payment.amount,
        )
        try:
            result = await self._act("capture_payment", request, PaymentResult, "capture on pickup")
            assert isinstance(result, PaymentResult)
            self.state.view.payment.status = result.status
        except ActivityError as failure:
            # The goods are gone: the order goes on and finance follows up.
            self.state.view.payment.status = "CAPTURE_FAILED"
            self.state.note(workflow.now(), "CAPTURE_FAILED", failure_reason(failure))

    async def _compensate(self, status: OrderStatus, reason: str) -> None:
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
        elif undo.kind == "void_payment":
            request = PaymentActionInput(
                order_id=order_id,
                idempotency_key=self._key("void"),
                payment_id=undo.ref,
                amount=self.payment.amount,
            )
            self.state.view.payment.status = "VOIDED"
        else:
            request = CancelShipmentInput(
                order_id=order_id,
                idempotency_key=self._key(f"cancel:{undo.ref}"),
                shipment_id=undo.ref,
            )
            for shipment in self.state.view.shipments:
                if shipment.shipment_id == undo.ref:
                    shipment.status = "CANCELLED"
        await self._act(undo.kind, request, None, f"undo: {undo.kind} {undo.ref}")
