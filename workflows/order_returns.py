"""Returns of a delivered order: the request, the return parcel, restock and refund.

A mixin of OrderWorkflow. `request_return` opens an RMA within 7 days of delivery;
one at a time, each RMA books a pickup with a carrier (tracking reaches the order
through `carrier_event`), and when the goods arrive at the warehouse they go back
on the shelf and their price is refunded, with a journal voucher.
"""

from __future__ import annotations

import contextlib
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models import carriers, returns
    from models.activity_io import (
        BookShipmentInput,
        BookShipmentResult,
        PaymentActionInput,
        PaymentResult,
        RestockReturnInput,
        ValidateOrderResult,
    )
    from models.finance import VoucherResult, voucher_for
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.returns import ReturnRequestInput, ReturnResult
    from models.view import Allocation, ReturnView
    from workflows.order_steps import failure_reason

RETURNS_PATCH = "order-returns"  # orders delivered before returns existed never take them


class OrderReturns:
    order: OrderDocument
    state: OrderState
    facts: ValidateOrderResult
    payment: PaymentResult
    returns_open: bool  # set at delivery, cleared when the return window has closed
    returns_decided: bool  # the delivered order has decided whether it takes returns
    return_queue: list[ReturnView]

    # Provided by OrderWorkflow and OrderSteps.
    async def _log_event(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None: ...
    async def _act(
        self, name: str, arg: object, result_type: type | None, summary: str
    ) -> object: ...
    def _key(self, step: str) -> str: ...

    @workflow.update(name="request_return")
    async def request_return(self, request: ReturnRequestInput) -> ReturnResult:
        view = self.state.view
        # Seen DELIVERED a moment before the order opened its return window: wait for it.
        await workflow.wait_condition(lambda: self.returns_decided)
        refusal = self._return_refusal(request)
        if refusal:  # a second request in the same task may have taken the goods
            return ReturnResult(accepted=False, rma_id="", message=refusal)
        rma = ReturnView(
            rma_id=f"RMA-{self.order.order_id}-{len(view.returns) + 1}",
            lines=request.lines,
            reason=request.reason,
            requested_at=workflow.now(),
            amount=returns.refund_amount(request.lines, returns.line_prices(self.order, view)),
            warehouse_id=returns.return_warehouse(view, request.lines),
        )
        view.returns.append(rma)
        self.return_queue.append(rma)
        items = ", ".join(f"{line.quantity} x {line.sku}" for line in rma.lines)
        detail = f"{rma.rma_id}: {items} ({request.reason})"
        await self._log_event(
            "RETURN_REQUESTED", detail, notify=True, alert_ops=False, actor="customer"
        )
        message = f"a carrier will collect the parcel; {rma.amount} is refunded on receipt"
        return ReturnResult(accepted=True, rma_id=rma.rma_id, message=message)

    @request_return.validator
    def _check_return(self, request: ReturnRequestInput) -> None:
        refusal = self._return_refusal(request)
        if refusal:
            raise ValueError(refusal)

    def _return_refusal(self, request: ReturnRequestInput) -> str | None:
        view = self.state.view
        refusal = returns.refusal(view, view.delivered_at, workflow.now(), request)
        if refusal is None and self.returns_decided and not self.returns_open:
            refusal = "the return window has closed"
        return refusal

    def _return_for(self, tracking_number: str) -> ReturnView | None:
        return next(
            (r for r in self.state.view.returns if r.tracking_number == tracking_number), None
        )

    async def _serve_returns(self) -> None:
        """Work the RMAs one by one until the window has closed and none is left."""
        while True:
            await workflow.wait_condition(lambda: bool(self.return_queue) or not self.returns_open)
            if not self.return_queue:
                return
            await self._process_return(self.return_queue.pop(0))

    async def _process_return(self, rma: ReturnView) -> None:
        if not await self._book_return(rma):
            return
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: rma.status == "RECEIVED",
                timeout=returns.RETURN_TRANSIT,
                timeout_summary=f"{rma.rma_id} on its way back",
            )
        if rma.status != "RECEIVED":
            rma.status = "EXPIRED"
            detail = f"{rma.rma_id} never reached {rma.warehouse_id}: no refund"
            await self._log_event("RETURN_EXPIRED", detail, notify=True, alert_ops=True)
            return
        restock = RestockReturnInput(
            order_id=self.order.order_id,
            idempotency_key=self._key(f"restock:{rma.rma_id}"),
            warehouse_id=rma.warehouse_id,
            lines=rma.lines,
        )
        await self._act("restock_return", restock, None, f"restock {rma.rma_id}")
        await self._refund_return(rma)

    async def _refund_return(self, rma: ReturnView) -> None:
        view = self.state.view
        amount = min(rma.amount, returns.refundable(self.state.captured(), view))
        if amount > 0:
            refund = PaymentActionInput(
                order_id=self.order.order_id,
                idempotency_key=self._key(f"refund:{rma.rma_id}"),
                payment_id=self.payment.payment_id,
                amount=amount,
            )
            await self._act("refund_payment", refund, PaymentResult, f"refund {rma.rma_id}")
            voucher = voucher_for(
                idempotency_key=self._key(f"voucher:refund:{rma.rma_id}"),
                order_id=self.order.order_id,
                kind="refund",
                amount=amount,
                reference=self.payment.payment_id,
            )
            await self._act("post_voucher", voucher, VoucherResult, f"journal: refund {amount}")
        rma.amount, rma.status = amount, "REFUNDED"
        view.payment.status = returns.payment_status(self.state.captured(), view)
        detail = f"{rma.rma_id} received at {rma.warehouse_id}; {amount} refunded"
        await self._log_event("RETURN_REFUNDED", detail, notify=True, alert_ops=False)

    async def _book_return(self, rma: ReturnView) -> bool:
        """A pickup at the customer's address, with the next carrier when one fails."""
        parcel = [
            Allocation(sku=line.sku, warehouse_id=rma.warehouse_id, quantity=line.quantity)
            for line in rma.lines
        ]
        weight = carriers.shipment_weight(parcel, self.facts.products)
        failed: set[str] = set()
        reason = "no carrier takes the return"
        while True:
            carrier = carriers.choose_carrier(
                self.facts.carriers, service_level="standard", weight_kg=weight, exclude=failed
            )
            if carrier is None:
                break
            request = BookShipmentInput(
                order_id=self.order.order_id,
                idempotency_key=self._key(f"return:{rma.rma_id}:{carrier.carrier_id}"),
                workflow_id=workflow.info().workflow_id,  # tracking comes to the order
                warehouse_id=rma.warehouse_id,
                carrier=carrier.carrier_id,
                service_level="standard",
                allocations=parcel,
                address=self.order.shipping_address,
            )
            summary = f"return pickup {rma.rma_id} with {carrier.carrier_id}"
            try:
                booked: Any = await self._act("book_shipment", request, BookShipmentResult, summary)
            except ActivityError as failure:
                failed.add(carrier.carrier_id)
                reason = failure_reason(failure)
                continue
            rma.carrier, rma.tracking_number = booked.carrier, booked.tracking_number
            rma.status = "AWAITING_PICKUP"
            detail = f"{rma.rma_id}: {rma.carrier} collects it, tracking {rma.tracking_number}"
            await self._log_event("RETURN_BOOKED", detail, notify=True, alert_ops=False)
            return True
        rma.status = "FAILED"
        await self._log_event(
            "RETURN_FAILED", f"{rma.rma_id}: {reason}", notify=True, alert_ops=True
        )
        return False
