"""What one order has done so far: the view, the compensation stack, tracking.

OrderWorkflow keeps one OrderState and asks it every question about the order's
progress, so the workflow itself only sequences activities and waits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from models.messages import CarrierEvent
from models.order import OrderDocument
from models.status import SHIPPED_OR_LATER, TERMINAL, OrderStatus, check_transition
from models.view import LineView, OrderView, PaymentView, ShipmentView, TimelineEntry

# Tracking statuses in the order a parcel goes through them.
TRACKING_ORDER = ("BOOKED", "PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")


CompensationKind = Literal["release_stock", "void_payment", "cancel_shipment"]


class Compensation(BaseModel):
    """An undo step, pushed once its forward step succeeded; run in reverse on cancel."""

    kind: CompensationKind
    ref: str  # reservation key, payment id or shipment id
    detail: str = ""


class OrderState:
    def __init__(self, order: OrderDocument) -> None:
        self.view = OrderView(
            order_id=order.order_id,
            lines=[LineView(sku=line.sku, quantity=line.quantity) for line in order.lines],
            payment=PaymentView(status="PENDING", amount=order.total),
        )
        self.compensations: list[Compensation] = []
        self.seen_events: set[str] = set()
        self.stock_shipped: set[str] = set()  # shipment ids whose stock left the warehouse
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

    def apply_carrier_event(self, event: CarrierEvent) -> ShipmentView | None:
        """Record a tracking event; None when it is a duplicate or for no known parcel."""
        if event.event_id in self.seen_events:
            return None
        shipment = next(
            (s for s in self.view.shipments if s.tracking_number == event.tracking_number), None
        )
        if shipment is None or shipment.status == "CANCELLED":
            return None
        self.seen_events.add(event.event_id)
        if _rank(event.status) > _rank(shipment.status):
            shipment.status = event.status  # a late, older event never moves a parcel back
        where = f" at {event.location}" if event.location else ""
        self.note(event.at, f"PARCEL_{event.status}", f"{shipment.shipment_id}{where}")
        return shipment

    def picked_up_awaiting_stock_move(self) -> list[ShipmentView]:
        return [
            s
            for s in self.view.shipments
            if _rank(s.status) >= _rank("PICKED_UP") and s.shipment_id not in self.stock_shipped
        ]

    def any_picked_up(self) -> bool:
        return any(_rank(s.status) >= _rank("PICKED_UP") for s in self.view.shipments)

    def all_delivered(self) -> bool:
        live = [s for s in self.view.shipments if s.status != "CANCELLED"]
        return bool(live) and all(s.status == "DELIVERED" for s in live)


def _rank(status: str) -> int:
    return TRACKING_ORDER.index(status) if status in TRACKING_ORDER else 0
