"""The steps of OrderWorkflow after intake: validation, stock and backorders, payment.

A mixin so that workflows/order.py stays a readable outline of the order's life; the
parcels are in order_parcels.py, the undo steps in order_compensation.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
)

with workflow.unsafe.imports_passed_through():
    from models import backorder, sourcing
    from models.activity_io import (
        AuthorizeInput,
        PaymentResult,
        ReserveInput,
        ReserveResult,
        StockQuery,
        StockSnapshot,
        ValidateOrderInput,
        ValidateOrderResult,
    )
    from models.backorder import BackorderDecisionInput, RestockEstimates, RestockQuery
    from models.messages import CancelInput, ShipmentProgress
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.status import OrderStatus
    from models.view import BackorderView, SourcingDecision
    from models.zones import Place
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
    places: dict[str, Place]  # warehouse locations from the last stock reading

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
            self.places = {w.warehouse_id: Place(lat=w.lat, lon=w.lon) for w in snapshot.warehouses}
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
