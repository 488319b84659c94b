"""Generated storefront orders for `load` and `demo`, and waiting for them to settle."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from temporalio.client import WorkflowHandle

from models.order import OrderDocument
from models.status import OrderStatus
from models.view import OrderView

S = OrderStatus
BOOKED = frozenset({S.ALLOCATED, S.SHIPPED, S.DELIVERED, S.COMPLETED})
CLOSED = frozenset({S.CANCELLED, S.REJECTED})
PACKING = frozenset({"PACKING", "PACKED"})  # parcel statuses before the carrier booking
# Where an order waits on someone outside (customer, ops, payment, stock).
WAITING = frozenset({S.AWAITING_PAYMENT, S.BACKORDERED, S.ON_HOLD})

# (city, district, street, postal code, lat, lon): customers near different warehouses.
PLACES = [
    ("Shanghai", "Shanghai", "Pudong", "1 Century Ave", "200120", 31.23, 121.50),
    ("Beijing", "Beijing", "Chaoyang", "8 Jianguo Rd", "100022", 39.91, 116.46),
    ("Guangdong", "Guangzhou", "Tianhe", "5 Tiyu W Rd", "510620", 23.13, 113.32),
    ("Sichuan", "Chengdu", "Jinjiang", "3 Chunxi Rd", "610016", 30.65, 104.08),
]


def run_stamp() -> str:
    """A short id unique to this run, so a persistent server never sees a reused order id."""
    return format(int(time.time() * 1000) % 36**7, "x")


def make_order(
    order_id: str,
    lines: list[tuple[str, int, Decimal]],
    *,
    n: int = 0,
    tier: str = "standard",
    service_level: str = "standard",
    token: str = "tok_ok",
    promotion_code: str | None = None,
    customer_id: str | None = None,
    postal_code: str | None = None,
) -> OrderDocument:
    # The recipient is the customer with the same phone, in CN: nothing raises the risk.
    province, city, district, street, postal, lat, lon = PLACES[n % len(PLACES)]
    name, phone = f"Customer {n}", f"+86 138 0000 {n % 10000:04d}"
    return OrderDocument.model_validate(
        {
            "order_id": order_id,
            "placed_at": datetime.now(UTC).isoformat(),
            "channel": "web",
            "customer": {
                "customer_id": customer_id or f"C-{n % 500}",
                "name": name,
                "email": f"customer{n}@example.com",
                "phone": phone,
                "tier": tier,
            },
            "shipping_address": {
                "recipient": name,
                "phone": phone,
                "country": "CN",
                "province": province,
                "city": city,
                "district": district,
                "street": street,
                "postal_code": postal_code or postal,
                "lat": lat,
                "lon": lon,
            },
            "lines": [
                {"sku": sku, "quantity": quantity, "unit_price": str(price)}
                for sku, quantity, price in lines
            ],
            "payment": {"method": "card", "token": token},
            "shipping": {"service_level": service_level},
            "promotion_code": promotion_code,
        }
    )


@dataclass
class Settled:
    view: OrderView | None
    seconds: float  # from `since` to when the order reached its stage, or gave up
    timed_out: bool


async def wait_until(
    handle: WorkflowHandle,
    stages: frozenset[OrderStatus],
    *,
    since_wall: float,
    timeout: float,
    poll: float = 0.2,
) -> Settled:
    """Poll the status query until the order is in `stages` (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    view: OrderView | None = None
    while time.monotonic() < deadline:
        try:
            view = await handle.query("status", result_type=OrderView)
        except Exception:  # not picked up by a worker yet
            view = None
        if view is not None and view.status in stages:
            return Settled(view, reached_after(view, stages, since_wall), timed_out=False)
        await asyncio.sleep(poll)
    return Settled(view, time.time() - since_wall, timed_out=True)


def settled(view: OrderView, stages: frozenset[OrderStatus]) -> bool:
    """In one of `stages`; a paid order counts as booked once no parcel is still packing."""
    if view.status not in stages:
        return False
    return view.status not in BOOKED or not any(s.status in PACKING for s in view.shipments)


def reached_after(view: OrderView, stages: frozenset[OrderStatus], since_wall: float) -> float:
    # The timeline's time (the workflow's clock) is exact; polling only tells "by now".
    # Booked means the last parcel booked; otherwise the first entry in `stages` counts
    # (an order seen SHIPPED was ALLOCATED earlier).
    booked = [e for e in view.timeline if e.event == "SHIPMENT_BOOKED"]
    names = {stage.value for stage in stages}
    entry = booked[-1] if booked and view.status in BOOKED else None
    entry = entry or next((e for e in view.timeline if e.event in names), None)
    if entry is None:
        return time.time() - since_wall
    return max(0.0, entry.at.timestamp() - since_wall)
