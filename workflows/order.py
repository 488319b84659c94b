"""OrderWorkflow: one customer order from intake to completion (ARCHITECTURE.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models import errors, priority, risk, sla
    from models.activity_io import AuthorizeInput, RecordStatusInput
    from models.backorder import BackorderDecisionInput
    from models.messages import (
        CancelInput,
        ShipmentProgress,
    )
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.risk import CustomerHistory, CustomerHistoryQuery
    from models.status import OrderStatus
    from models.view import OrderView, ReturnView
    from models.zones import Place
    from workflows import search_attributes as sa
    from workflows.activity_calls import call
    from workflows.order_care import HoldOutcome, OrderCare
    from workflows.order_compensation import OrderCompensation
    from workflows.order_messages import OrderMessages
    from workflows.order_ops import OrderOps
    from workflows.order_parcels import OrderParcels
    from workflows.order_returns import OrderReturns
    from workflows.order_steps import OrderSteps, OrderStopped, failure_reason, failure_type

S = OrderStatus
RISK_HISTORY_PATCH = "risk-history"  # before it, the score saw only the order itself
PAYMENT_WINDOW = timedelta(hours=1)  # a declined order keeps its stock this long


@workflow.defn(name="OrderWorkflow")
class OrderWorkflow(
    OrderMessages,
    OrderSteps,
    OrderParcels,
    OrderCompensation,
    OrderCare,
    OrderReturns,
    OrderOps,
):
    @workflow.init
    def __init__(self, order: OrderDocument) -> None:
        self.order = order
        self.state = OrderState(order)
        self.cancel_request: CancelInput | None = None
        self.new_payment: AuthorizeInput | None = None
        self.restocks = 0
        self.decision: BackorderDecisionInput | None = None
        self.sla_watch: asyncio.Task[None] | None = None
        self.sla_changes = 0  # bumped by extend_sla so the SLA watch re-reads the deadline
        self.hold: HoldOutcome | None = None
        self.children: dict[str, Any] = {}  # ShipmentWorkflow handles by workflow id
        self.child_ends: list[asyncio.Task[None]] = []
        self.child_failures: list[str] = []
        self.progress: list[ShipmentProgress] = []
        self.returns_open = False
        self.returns_decided = False
        self.compensating = False
        self.retry_by: str | None = None
        self.return_queue: list[ReturnView] = []
        self.places: dict[str, Place] = {}

    @workflow.run
    async def run(self, order: OrderDocument) -> OrderView:
        try:
            await self._intake()
            await self._source_stock()
            await self._take_payment()
            await self._start_shipments()
            await self._track_until_delivered()
            await self._after_delivery()
        except OrderStopped as stop:
            await self._compensate(stop.status, stop.reason)
        except ActivityError as failure:
            if self.state.shipped:
                raise  # goods are on their way: nothing to undo, ops take it from here
            # A step gave up after its bounded retries: undo what was done.
            await self._compensate(S.CANCELLED, f"step failed: {failure_reason(failure)}")
        if self.sla_watch is not None:
            await self.sla_watch  # ends by itself once the order is shipped or closed
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state.view

    @workflow.query(name="status")
    def status(self) -> OrderView:
        return self.state.view

    # --- the order's life -----------------------------------------------------------

    async def _intake(self) -> None:
        history = await self._customer_history() if workflow.patched(RISK_HISTORY_PATCH) else None
        view, now = self.state.view, workflow.now()
        prio, assessment = priority.classify(self.order), risk.assess(self.order, history, now)
        view.priority, view.risk_level = prio.value, assessment.level
        view.sla.ship_by = sla.ship_by(now, self.order.shipping.service_level, prio.value)
        self.sla_watch = asyncio.create_task(self._watch_sla())
        customer = self.order.customer
        workflow.upsert_search_attributes(
            [
                sa.CUSTOMER_ID.value_set(customer.customer_id),
                sa.CUSTOMER_TIER.value_set(customer.tier.value),
                sa.ORDER_TOTAL.value_set(float(self.order.total)),
                sa.RISK_LEVEL.value_set(assessment.level),
                sa.SLA_BREACHED.value_set(False),
            ]
        )
        why = ", ".join(prio.reasons + assessment.reasons) or "standard order"
        await self._record(S.RECEIVED, f"priority {prio.value}, risk {assessment.level}: {why}")
        try:
            self.facts = await self._validate()
        except ActivityError as failure:
            if failure_type(failure) != errors.INVALID_ORDER:
                raise  # the catalog could not be read: a failed step, not a bad order
            raise OrderStopped(S.REJECTED, failure_reason(failure)) from failure
        self._check_cancel_requested()
        await self._hold_if_risky(assessment)

    async def _customer_history(self) -> CustomerHistory:
        customer, address = self.order.customer, self.order.shipping_address
        query = CustomerHistoryQuery(
            order_id=self.order.order_id,
            customer_id=customer.customer_id,
            email=customer.email,
            phones=[customer.phone, address.phone],
            postal_code=address.postal_code,
        )
        summary = "customer history and block list"
        history = await self._act("customer_history", query, CustomerHistory, summary)
        assert isinstance(history, CustomerHistory)
        return history

    async def _take_payment(self) -> None:
        request = AuthorizeInput(
            order_id=self.order.order_id,
            idempotency_key=f"{self.order.order_id}:authorize:1",
            amount=self.order.total,
            method=self.order.payment.method,
            token=self.order.payment.token,
        )
        while True:
            try:
                payment = await self._authorize(request)
                break
            except ActivityError as failure:
                if failure_type(failure) != errors.PAYMENT_DECLINED:
                    raise OrderStopped(S.CANCELLED, failure_reason(failure)) from failure
                request = await self._await_new_payment(request, failure_reason(failure))
        self.state.view.payment.status = payment.status
        self.state.push("void_payment", payment.payment_id)
        self.payment = payment
        self._check_cancel_requested()

    async def _await_new_payment(self, last: AuthorizeInput, reason: str) -> AuthorizeInput:
        self.new_payment = None
        self.state.view.payment.status = "DECLINED"
        await self._record(S.AWAITING_PAYMENT, f"{reason}; pay again within 1 hour")
        await self._wait_or_stop(
            lambda: self.new_payment is not None, PAYMENT_WINDOW, "re-payment window"
        )
        if self.new_payment is None:
            raise OrderStopped(S.CANCELLED, "payment not completed within the window")
        attempt = int(last.idempotency_key.rsplit(":", 1)[1]) + 1
        return self.new_payment.model_copy(
            update={"idempotency_key": f"{self.order.order_id}:authorize:{attempt}"}
        )

    # --- helpers --------------------------------------------------------------------

    def _check_cancel_requested(self) -> None:
        if self.cancel_request is not None:
            raise OrderStopped(S.CANCELLED, self.cancel_request.reason)

    async def _wait_or_stop(
        self, ready: Callable[[], bool], timeout: timedelta, summary: str
    ) -> None:
        """Wait for `ready()` or the timeout; a cancel request stops the order."""
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: bool(ready()) or self.cancel_request is not None,
                timeout=timeout,
                timeout_summary=summary,
            )
        self._check_cancel_requested()

    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None:
        self.state.move_to(status, workflow.now(), detail)
        self._show_card()
        workflow.upsert_search_attributes(
            [
                sa.ORDER_STATUS.value_set(status.value),
                sa.ORDER_PRIORITY.value_set(self.state.view.priority),
            ]
        )
        await self._write(status.value, detail, notify=notify, alert_ops=False)

    async def _log_event(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None:
        self.state.note(workflow.now(), event, detail)
        self._show_card()
        await self._write(event, detail, notify=notify, alert_ops=alert_ops, actor=actor)

    async def _write(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None:
        sequence = self.state.next_sequence()
        record = RecordStatusInput(
            idempotency_key=f"{self.order.order_id}:record:{sequence}",
            sequence=sequence,
            event=event,
            detail=detail,
            view=self.state.view,
            customer=self.order.customer,
            notify_customer=notify,
            alert_ops=alert_ops,
            actor=actor,
        )
        await call("record_status", record, summary=f"{event}: {detail}"[:200])
