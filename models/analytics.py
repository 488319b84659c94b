"""Plain records the analytics read, and order volume and revenue by hour and by day.

An `OrderRecord` is one order as the read model knows it: its view (timeline, parcels,
SLA, complaints, survey) flattened into what the metrics need. `record_from_view` builds
it; the activities layer feeds it rows, the unit tests feed it hand-built views. Every
metric is a pure function of records, so a report can be recomputed from any snapshot.
Times are UTC.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from models.view import LineView, OrderView, TimelineEntry

# Orders that bring no money: they count as volume, never as revenue.
NO_REVENUE = frozenset({"CANCELLED", "REJECTED"})


class ParcelRecord(BaseModel):
    shipment_id: str
    warehouse_id: str
    carrier: str
    destination: str = ""  # the city; warehouse -> destination is the lane
    status: str = "BOOKED"
    picked_up_at: datetime | None = None
    delivered_at: datetime | None = None
    delays: int = 0  # delay watchdog alerts

    @property
    def lane(self) -> str:
        return f"{self.warehouse_id}->{self.destination or '?'}"

    @property
    def transit_hours(self) -> float | None:
        if self.picked_up_at is None or self.delivered_at is None:
            return None
        return hours_between(self.picked_up_at, self.delivered_at)


class ComplaintRecord(BaseModel):
    category: str
    at: datetime


class OrderRecord(BaseModel):
    order_id: str
    customer_id: str = ""
    status: str
    placed_at: datetime
    total: Decimal = Decimal("0.00")
    priority: int = 50
    risk_level: str = "low"
    lines: list[LineView] = Field(default_factory=list)
    events: list[TimelineEntry] = Field(default_factory=list)  # the timeline, oldest first
    parcels: list[ParcelRecord] = Field(default_factory=list)
    sla_breached: bool = False
    cancel_reason: str | None = None
    backorder_skus: list[str] = Field(default_factory=list)
    backorder_decision: str | None = None
    complaints: list[ComplaintRecord] = Field(default_factory=list)
    survey_sent: bool = False
    survey_score: int | None = None

    def first(self, event: str) -> datetime | None:
        """When the timeline first shows `event`, or None."""
        return next((e.at for e in self.events if e.event == event), None)

    def ever(self, event: str) -> bool:
        return self.first(event) is not None


def _parcel_time(view: OrderView, shipment_id: str, event: str) -> datetime | None:
    # A parcel's tracking lands on the order timeline as PARCEL_<status> "<shipment_id> at ...".
    for entry in view.timeline:
        if entry.event == event and entry.detail.split(" ", 1)[0] == shipment_id:
            return entry.at
    return None


def record_from_view(
    view: OrderView,
    *,
    placed_at: datetime,
    customer_id: str = "",
    destinations: dict[str, str] | None = None,
) -> OrderRecord:
    """The order's record; `placed_at` is used when the timeline has no RECEIVED entry."""
    received = next((e.at for e in view.timeline if e.event == "RECEIVED"), placed_at)
    where = destinations or {}
    parcels = [
        ParcelRecord(
            shipment_id=s.shipment_id,
            warehouse_id=s.warehouse_id,
            carrier=s.carrier,
            destination=where.get(s.shipment_id, ""),
            status=s.status,
            picked_up_at=_parcel_time(view, s.shipment_id, "PARCEL_PICKED_UP"),
            delivered_at=_parcel_time(view, s.shipment_id, "PARCEL_DELIVERED"),
            delays=s.delays,
        )
        for s in view.shipments
        if s.shipment_id  # a parcel still packing has no carrier yet
    ]
    backorder = view.backorder
    return OrderRecord(
        order_id=view.order_id,
        customer_id=customer_id,
        status=view.status.value,
        placed_at=received,
        total=view.payment.amount,
        priority=view.priority,
        risk_level=view.risk_level,
        lines=view.lines,
        events=view.timeline,
        parcels=parcels,
        sla_breached=view.sla.breached,
        cancel_reason=view.cancel_reason,
        backorder_skus=backorder.short_skus if backorder else [],
        backorder_decision=backorder.decision if backorder else None,
        complaints=[ComplaintRecord(category=c.category, at=c.at) for c in view.complaints],
        survey_sent=view.survey.sent_at is not None,
        survey_score=view.survey.score,
    )


# --- small helpers shared by the metrics --------------------------------------------------


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# --- volume and revenue --------------------------------------------------------------------


class HourBucket(BaseModel):
    hour: int  # 0-23, UTC: when in the day customers order
    orders: int = 0
    revenue: Decimal = Decimal("0.00")


class DayBucket(BaseModel):
    day: date
    orders: int = 0
    revenue: Decimal = Decimal("0.00")


def revenue_of(record: OrderRecord) -> Decimal:
    return Decimal("0.00") if record.status in NO_REVENUE else record.total


def volume_by_hour(records: Iterable[OrderRecord]) -> list[HourBucket]:
    """Orders and revenue per hour of the day (all 24 hours, empty ones too)."""
    buckets = [HourBucket(hour=h) for h in range(24)]
    for r in records:
        bucket = buckets[r.placed_at.hour]
        bucket.orders += 1
        bucket.revenue += revenue_of(r)
    return buckets


def volume_by_day(records: Iterable[OrderRecord], start: date, end: date) -> list[DayBucket]:
    """Orders and revenue per calendar day from `start` to `end` inclusive, empty days too."""
    days = [DayBucket(day=start + timedelta(days=i)) for i in range((end - start).days + 1)]
    index = {b.day: b for b in days}
    for r in records:
        bucket = index.get(r.placed_at.date())
        if bucket is not None:
            bucket.orders += 1
            bucket.revenue += revenue_of(r)
    return days
