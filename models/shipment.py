"""One parcel's rules, pure: what ShipmentWorkflow decides without I/O.

Packing verification (which scan is refused and why, when the parcel is complete),
each parcel's share of the payment, tracking events applied once and in order, and
when the delay watchdog speaks up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from models.activity_io import ProductFacts
from models.catalog import CarrierDoc
from models.messages import CarrierEvent
from models.order import Address
from models.view import Allocation, LineView, ShipmentView
from models.zones import Place

# Tracking statuses in the order a parcel goes through them.
TRACKING_ORDER = ("BOOKED", "PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
PACKING, PACKED, CANCELLED = "PACKING", "PACKED", "CANCELLED"
EXCEPTION = "EXCEPTION"  # the carrier reports a delay; the parcel's status stays
# The delay watchdog: no carrier news for this long means the parcel stopped moving.
PICKUP_WAIT = timedelta(hours=24)  # from booking to the carrier's pickup
MOVE_WAIT = timedelta(hours=24)  # between tracking events after pickup
CENT = Decimal("0.01")


class ShipmentInput(BaseModel):
    """ShipmentWorkflow's input: everything one parcel needs from its order."""

    order_id: str
    warehouse_id: str
    allocations: list[Allocation]
    products: list[ProductFacts] = Field(default_factory=list)
    carriers: list[CarrierDoc] = Field(default_factory=list)
    service_level: str = "standard"
    address: Address
    reservation_key: str  # the order's stock reservation; this parcel ships its part
    payment_id: str
    amount: Decimal  # this parcel's share of the authorization, captured at pickup
    priority: int = 50
    origin: Place | None = None  # the warehouse's location, for the destination's zone


class RegisterParcelInput(BaseModel):
    """The `register_parcel` activity: put a parcel on the (simulated) packer's list."""

    order_id: str
    workflow_id: str  # where the packer sends its `scan_item` updates
    warehouse_id: str
    lines: list[LineView]


def shipment_workflow_id(order_id: str, warehouse_id: str) -> str:
    return f"shipment-{order_id}-{warehouse_id}"


def lines_of(allocations: list[Allocation]) -> list[LineView]:
    totals: dict[str, int] = {}
    for allocation in allocations:
        totals[allocation.sku] = totals.get(allocation.sku, 0) + allocation.quantity
    return [LineView(sku=sku, quantity=quantity) for sku, quantity in sorted(totals.items())]


def split_amount(
    total: Decimal, allocations: list[Allocation], prices: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Each warehouse's share of `total`, by the value it ships; the shares sum to `total`.

    A SKU without a price (a substitute) counts at the average known price, and the last
    warehouse takes the rounding remainder, so the captures add up to the authorization.
    """
    known = list(prices.values())
    fallback = sum(known, Decimal(0)) / len(known) if known else Decimal(1)
    value: dict[str, Decimal] = {}
    for a in allocations:
        price = prices.get(a.sku, fallback)
        value[a.warehouse_id] = value.get(a.warehouse_id, Decimal(0)) + price * a.quantity
    warehouses = sorted(value)
    whole = sum(value.values(), Decimal(0))
    shares: dict[str, Decimal] = {}
    for warehouse in warehouses[:-1]:
        part = total * value[warehouse] / whole if whole else total / len(warehouses)
        shares[warehouse] = part.quantize(CENT, rounding=ROUND_HALF_UP)
    if warehouses:
        shares[warehouses[-1]] = total - sum(shares.values(), Decimal(0))
    return shares


class Packing:
    """Barcode verification: scans must match the parcel's lines, unit by unit."""

    def __init__(self, lines: list[LineView]) -> None:
        self.expected = {line.sku: line.quantity for line in lines}
        self.scanned = dict.fromkeys(self.expected, 0)

    @property
    def remaining(self) -> int:
        return sum(self.expected[sku] - self.scanned[sku] for sku in self.expected)

    @property
    def complete(self) -> bool:
        return self.remaining == 0

    def refusal(self, sku: str, quantity: int) -> str | None:
        """Why this scan is refused, or None when it fits the parcel."""
        if self.complete:
            return "the parcel is already fully packed"
        if sku not in self.expected:
            return f"sku: {sku} is not in this parcel"
        left = self.expected[sku] - self.scanned[sku]
        if quantity > left:
            return f"quantity: {quantity} x {sku} is more than the {left} still expected"
        return None

    def scan(self, sku: str, quantity: int) -> int:
        """Count an accepted scan; returns the units of the whole parcel still to scan."""
        assert self.refusal(sku, quantity) is None
        self.scanned[sku] += quantity
        return self.remaining

    def scanned_lines(self) -> list[LineView]:
        return [LineView(sku=sku, quantity=n) for sku, n in sorted(self.scanned.items()) if n]


def rank(status: str) -> int:
    return TRACKING_ORDER.index(status) if status in TRACKING_ORDER else 0


def picked_up(status: str) -> bool:
    return rank(status) >= rank("PICKED_UP")


class Tracking:
    """Carrier events for one parcel, each applied once (by event_id), never backwards."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def apply(self, view: ShipmentView, event: CarrierEvent) -> bool:
        """True when the event is new and about this parcel; moves its status forward."""
        if event.event_id in self.seen or view.status == CANCELLED:
            return False
        if not view.tracking_number or event.tracking_number != view.tracking_number:
            return False
        self.seen.add(event.event_id)
        if rank(event.status) > rank(view.status):
            view.status = event.status  # a late, older event never moves a parcel back
        return True


def delay_deadline(status: str, last_news_at: datetime | None) -> datetime | None:
    """When the watchdog speaks if nothing arrives; None while nothing is awaited."""
    if last_news_at is None or status in (PACKING, PACKED, CANCELLED, "DELIVERED"):
        return None
    return last_news_at + (MOVE_WAIT if picked_up(status) else PICKUP_WAIT)


def carrier_delay_notice(view: ShipmentView, event: CarrierEvent) -> tuple[str, bool]:
    """A delay the carrier reported, and whether to tell the customer (the first time)."""
    where = f" at {event.location}" if event.location else ""
    detail = f"{view.carrier} {view.tracking_number}: {event.note or 'delayed'}{where}"
    return detail, view.delays == 0


def delay_notice(view: ShipmentView, since: datetime, now: datetime) -> tuple[str, bool]:
    """The watchdog's message, and whether to tell the customer (only the first time)."""
    hours = int((now - since).total_seconds() // 3600)
    waiting = "pickup" if not picked_up(view.status) else "tracking update"
    detail = f"{view.carrier} {view.tracking_number}: no {waiting} for {hours} h"
    return detail, view.delays == 0


def describe_parcel(allocations: list[Allocation]) -> str:
    """The parcel's start details in the Web UI: what it must hold."""
    return "\n".join(f"- {line.quantity} x {line.sku}" for line in lines_of(allocations))
