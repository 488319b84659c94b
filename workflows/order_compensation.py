"""Compensation: undo, most recent first, exactly what the order did.

A mixin of OrderWorkflow: cancel the parcels (their workflows undo their bookings),
void the payment or refund what parcels already captured, release the stock.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from models import shipment
    from models.activity_io import PaymentActionInput, PaymentResult, ReleaseInput
    from models.finance import VoucherResult, voucher_for
    from models.order import OrderDocument
    from models.order_state import Compensation, OrderState
    from models.status import OrderStatus


class OrderCompensation:
    order: OrderDocument
    state: OrderState
    payment: PaymentResult
    children: dict[str, Any]  # child workflow id -> its handle
    compensating: bool

    # Provided by OrderWorkflow and OrderSteps (earlier in the MRO).
    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None: ...
    async def _act(
        self, name: str, arg: object, result_type: type | None, summary: str
    ) -> object: ...
    def _key(self, step: str) -> str: ...

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
