"""Returns: what the customer may send back, where it goes, and what it refunds.

A return is open until the goods arrive at the warehouse (RECEIVED, then REFUNDED) or
the parcel never comes (EXPIRED) or no carrier would take it (FAILED).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from models.order import OrderDocument
from models.status import OrderStatus
from models.view import LineView, OrderView, ReturnView

RETURN_WINDOW = timedelta(days=7)  # after delivery
RETURN_TRANSIT = timedelta(days=14)  # a return parcel not received by then is closed
CLOSED = {"REFUNDED", "EXPIRED", "FAILED"}
UNCOUNTED = {"EXPIRED", "FAILED"}  # their goods may be returned again


class ReturnRequestInput(BaseModel):
    """Payload of the `request_return` update."""

    lines: list[LineView] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("lines")
    @classmethod
    def _positive(cls, lines: list[LineView]) -> list[LineView]:
        for line in lines:
            if line.quantity <= 0:
                raise ValueError(f"lines: quantity of {line.sku} must be at least 1")
        return lines


class ReturnResult(BaseModel):
    accepted: bool
    rma_id: str
    message: str


def returnable(view: OrderView) -> Counter[str]:
    """Units per SKU that may still be returned: delivered minus returns in progress or done."""
    left = Counter({line.sku: line.quantity for line in view.lines})
    for rma in view.returns:
        if rma.status not in UNCOUNTED:
            left.subtract({line.sku: line.quantity for line in rma.lines})
    return left


def refusal(
    view: OrderView, delivered_at: datetime | None, now: datetime, request: ReturnRequestInput
) -> str | None:
    """Why the return cannot be accepted, or None."""
    if view.status != OrderStatus.DELIVERED or delivered_at is None:
        return f"order is {view.status.lower()}: only a delivered order can be returned"
    if now - delivered_at > RETURN_WINDOW:
        return f"the return window closed {delivered_at + RETURN_WINDOW:%Y-%m-%d %H:%M} UTC"
    wanted: Counter[str] = Counter()
    for line in request.lines:
        wanted[line.sku] += line.quantity
    left = returnable(view)
    for sku, quantity in wanted.items():
        if sku not in left:
            return f"lines: {sku} is not in this order"
        if quantity > left[sku]:
            return f"lines: only {max(left[sku], 0)} x {sku} can still be returned"
    return None


def line_prices(order: OrderDocument, view: OrderView) -> dict[str, Decimal]:
    """What the customer paid per unit of each delivered SKU.

    A substitute takes its original line's place (and price), so the delivered lines
    pair with the ordered ones by position.
    """
    prices = {line.sku: line.unit_price for line in order.lines}
    for delivered, ordered in zip(view.lines, order.lines, strict=False):
        prices[delivered.sku] = ordered.unit_price
    return prices


def refund_amount(lines: list[LineView], prices: dict[str, Decimal]) -> Decimal:
    return sum((prices[line.sku] * line.quantity for line in lines), Decimal("0.00"))


def refundable(captured: Decimal, view: OrderView) -> Decimal:
    """Captured money not yet refunded by a return: a return never refunds more than that."""
    refunded = sum((r.amount for r in view.returns if r.status == "REFUNDED"), Decimal("0.00"))
    return max(captured - refunded, Decimal("0.00"))


def payment_status(captured: Decimal, view: OrderView) -> str:
    """After a refund: REFUNDED once nothing captured is left, else PARTIALLY_REFUNDED."""
    return "REFUNDED" if refundable(captured, view) == 0 else "PARTIALLY_REFUNDED"


def return_warehouse(view: OrderView, lines: list[LineView]) -> str:
    """The warehouse that shipped most of the returned units takes them back."""
    skus = {line.sku for line in lines}
    shipped: Counter[str] = Counter()
    for allocation in view.allocations:
        if allocation.sku in skus:
            shipped[allocation.warehouse_id] += allocation.quantity
    if not shipped:
        shipped.update(a.warehouse_id for a in view.allocations)
    return min(shipped, key=lambda w: (-shipped[w], w))


def track(rma: ReturnView, event_id: str, status: str) -> bool:
    """Apply a tracking event to the return parcel; False for a duplicate or a stale one."""
    if event_id in rma.events or rma.status in CLOSED or rma.status == "RECEIVED":
        return False
    rma.events.append(event_id)
    if status == "DELIVERED":
        rma.status = "RECEIVED"
    elif rma.status == "AWAITING_PICKUP":
        rma.status = "IN_TRANSIT"
    return True
