"""What one order has done so far: the view, the compensation stack, its parcels.

OrderWorkflow keeps one OrderState and asks it every question about the order's
progress, so the workflow itself only sequences activities and waits.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from models.messages import ShipmentProgress
from models.order import OrderDocument
from models.shipment import CANCELLED, TRACKING_ORDER, picked_up
from models.status import SHIPPED_OR_LATER, TERMINAL, OrderStatus, check_transition
from models.view import LineView, OrderView, PaymentView, ShipmentView, TimelineEntry

__all__ = ["TRACKING_ORDER", "Compensation", "CompensationKind", "OrderState"]


CompensationKind = Literal["release_stock", "void_payment", "cancel_shipment"]


class Compensation(BaseModel):
    """An undo step, pushed once its forward step succeeded; run in reverse on cancel."""

    kind: CompensationKind
    ref: str  # reservation key, payment id or the shipment's child workflow id
    detail: str = ""


class OrderState:
    def __init__(self, order: OrderDocument) -> None:
        self.view = OrderView(
            order_id=order.order_id,
            lines=[LineView(sku=line.sku, quantity=line.quantity) for line in order.lines],
            payment=PaymentView(status="PENDING", amount=order.total),
        )
        self.compensations: list[Compensation] = []
        self.sequence = 0

    @property
    def status(self) -> OrderStatus:
        return self.view.status

    @property
    def closed(self) -> bool:
        return self.status in TERMINAL

    @property
    def shipped(self) -> bool:
        return self.status in SHIPPED_OR_LATER

    def move_to(self, status: OrderStatus, at: datetime, detail: str = "") -> None:
        if status != self.status:
            self.view.status = check_transition(self.status, status)
        self.note(at, status.value, detail)

    def note(self, at: datetime, event: str, detail: str = "") -> None:
        self.view.timeline.append(TimelineEntry(at=at, event=event, detail=detail))

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def push(self, kind: CompensationKind, ref: str, detail: str = "") -> None:
        self.compensations.append(Compensation(kind=kind, ref=ref, detail=detail))

    def pop_compensations(self) -> list[Compensation]:
        """Undo steps, most recent first; each is handed out once."""
        undo = list(reversed(self.compensations))
        self.compensations.clear()
        return undo

    def apply_progress(self, progress: ShipmentProgress) -> ShipmentView | None:
        """Take a child's report into the order view; None for a parcel this order dropped."""
        index = next(
            (
                i
                for i, s in enumerate(self.view.shipments)
                if s.workflow_id == progress.shipment.workflow_id
            ),
            None,
        )
        if index is None or self.view.shipments[index].status == CANCELLED:
            return None  # a late report from a parcel the order cancelled never revives it
        self.view.shipments[index] = progress.shipment.model_copy(deep=True)
        self.note(progress.at, progress.event, progress.detail)
        self.view.payment.status = self._payment_status()
        return self.view.shipments[index]

    def shipment_for_tracking(self, tracking_number: str) -> ShipmentView | None:
        return next((s for s in self.view.shipments if s.tracking_number == tracking_number), None)

    def any_picked_up(self) -> bool:
        return any(picked_up(s.status) for s in self.view.shipments)

    def all_delivered(self) -> bool:
        live = [s for s in self.view.shipments if s.status != CANCELLED]
        return bool(live) and all(s.status == "DELIVERED" for s in live)

    def captured(self) -> Decimal:
        return sum(
            (s.amount or Decimal(0) for s in self.view.shipments if s.payment_status == "CAPTURED"),
            Decimal("0.00"),
        )

    def _payment_status(self) -> str:
        """CAPTURED once every parcel's share is captured; PARTIALLY_CAPTURED before."""
        current = self.view.payment.status
        if any(s.payment_status == "CAPTURE_FAILED" for s in self.view.shipments):
            return "CAPTURE_FAILED"
        captured = self.captured()
        if captured and captured >= self.view.payment.amount:
            return "CAPTURED"
        return "PARTIALLY_CAPTURED" if captured else current
