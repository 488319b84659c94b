"""The customer's and the outside world's messages to OrderWorkflow.

A mixin: cancel (signal and update), tracking for return parcels and older
integrations, a new payment attempt, the backorder decision and restock news. Each
handler only records the request; the order's main line acts on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import backorder, returns
    from models.activity_io import AuthorizeInput
    from models.backorder import BackorderDecisionInput, DecisionResult
    from models.messages import (
        CancelInput,
        CancelResult,
        CarrierEvent,
        RestockInput,
        RetryPaymentInput,
    )
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.status import OrderStatus, cancel_refusal
    from models.view import ReturnView

S = OrderStatus


class OrderMessages:
    order: OrderDocument
    state: OrderState
    cancel_request: CancelInput | None
    new_payment: AuthorizeInput | None
    restocks: int
    decision: BackorderDecisionInput | None
    if TYPE_CHECKING:  # provided by OrderReturns, later in the MRO

        def _return_for(self, tracking_number: str) -> ReturnView | None: ...

    @workflow.signal(name="cancel")
    def cancel(self, request: CancelInput) -> None:
        refusal = cancel_refusal(self.state.status)
        if refusal:
            self.state.note(workflow.now(), "CANCEL_IGNORED", refusal)
        elif self.cancel_request is None:
            self.cancel_request = request

    @workflow.update(name="request_cancel")
    async def request_cancel(self, request: CancelInput) -> CancelResult:
        self.cancel(request)
        await workflow.wait_condition(lambda: self.state.closed)
        accepted = self.state.status == S.CANCELLED
        return CancelResult(
            accepted=accepted,
            status=self.state.status.value,
            message=self.state.view.cancel_reason or "order closed before the cancel applied",
        )

    @request_cancel.validator
    def _check_cancel(self, request: CancelInput) -> None:
        refusal = cancel_refusal(self.state.status)
        if refusal:
            raise ValueError(refusal)

    @workflow.signal(name="carrier_event")
    async def carrier_event(self, event: CarrierEvent) -> None:
        """Return parcels are tracked here; other tracking is forwarded to the parcel's workflow
        (older integrations send it to the order)."""
        rma = self._return_for(event.tracking_number)
        if rma is not None:
            if returns.track(rma, event.event_id, event.status):
                self.state.note(workflow.now(), f"RETURN_{event.status}", rma.rma_id)
            return
        parcel = self.state.shipment_for_tracking(event.tracking_number)
        if parcel is None or parcel.status in ("DELIVERED", "CANCELLED"):
            workflow.logger.info("tracking event ignored: %s", event.event_id)
            return
        target = workflow.get_external_workflow_handle(parcel.workflow_id)
        try:
            await target.signal("carrier_event", event)
        except Exception as failure:  # the parcel closed meanwhile: nothing left to track
            workflow.logger.info("tracking event %s not forwarded: %s", event.event_id, failure)

    @workflow.signal(name="retry_payment")
    def retry_payment(self, attempt: RetryPaymentInput) -> None:
        if self.state.status != S.AWAITING_PAYMENT:
            self.state.note(workflow.now(), "RETRY_PAYMENT_IGNORED", "no payment is awaited")
            return
        self.new_payment = AuthorizeInput(
            order_id=self.order.order_id,
            idempotency_key="",  # set by the payment step, which numbers the attempts
            amount=self.order.total,
            method=attempt.method,
            token=attempt.token,
        )

    @workflow.update(name="backorder_decision")
    def backorder_decision(self, decision: BackorderDecisionInput) -> DecisionResult:
        offer = self.state.view.backorder
        assert offer is not None  # the validator admits decisions only while backordered
        offer.decision = decision.choice
        if decision.choice == "cancel":
            self.cancel(CancelInput(reason="the customer cancelled the backorder"))
            message = "the order will be cancelled"
        elif decision.choice == "substitute":
            self.decision = decision
            message = f"{decision.substitute_sku} will be reserved instead"
        else:
            self.decision = decision
            message = "the order keeps waiting for restock"
        return DecisionResult(accepted=True, status=self.state.status.value, message=message)

    @backorder_decision.validator
    def _check_backorder_decision(self, decision: BackorderDecisionInput) -> None:
        offer = self.state.view.backorder if self.state.status == S.BACKORDERED else None
        refusal = backorder.refusal(offer, decision)
        if refusal:
            raise ValueError(refusal)

    @workflow.signal(name="restock")
    def restock(self, arrival: RestockInput) -> None:
        self.restocks += 1
        self.state.note(workflow.now(), "RESTOCK", f"{arrival.quantity} x {arrival.sku}")
