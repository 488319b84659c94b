"""Fulfilment: lead time per step and warehouse, SLA breach rates, carrier transit per lane.

Steps are measured between the first time the order's timeline shows each status:

    reserve   RECEIVED  -> RESERVED   (risk checks, stock, a backorder's wait)
    pay       RESERVED  -> ALLOCATED  (authorization, a declined card's re-payment)
    ship      ALLOCATED -> SHIPPED    (packing, booking, the carrier's pickup)
    deliver   SHIPPED   -> DELIVERED
    total     RECEIVED  -> DELIVERED

Per warehouse the same is measured per parcel: `ship` from ALLOCATED to that parcel's
pickup, `deliver` from its pickup to its delivery. Hours; percentiles by nearest rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from models.analytics import OrderRecord, ParcelRecord, hours_between, percentile, rate

STEPS: list[tuple[str, str, str]] = [
    ("reserve", "RECEIVED", "RESERVED"),
    ("pay", "RESERVED", "ALLOCATED"),
    ("ship", "ALLOCATED", "SHIPPED"),
    ("deliver", "SHIPPED", "DELIVERED"),
    ("total", "RECEIVED", "DELIVERED"),
]


class LeadTime(BaseModel):
    step: str
    warehouse_id: str = ""  # "" for the order-level figure
    count: int
    mean_h: float
    p50_h: float
    p90_h: float
    p99_h: float


def summarise(step: str, hours: Sequence[float], warehouse_id: str = "") -> LeadTime:
    return LeadTime(
        step=step,
        warehouse_id=warehouse_id,
        count=len(hours),
        mean_h=sum(hours) / len(hours) if hours else 0.0,
        p50_h=percentile(hours, 50),
        p90_h=percentile(hours, 90),
        p99_h=percentile(hours, 99),
    )


def lead_times(records: Iterable[OrderRecord]) -> list[LeadTime]:
    """Each step over the orders that went through both of its ends (steps with none left out)."""
    samples: dict[str, list[float]] = defaultdict(list)
    for r in records:
        for step, start, end in STEPS:
            begun, done = r.first(start), r.first(end)
            if begun is not None and done is not None and done >= begun:
                samples[step].append(hours_between(begun, done))
    return [summarise(step, samples[step]) for step, _, _ in STEPS if samples[step]]


def lead_times_by_warehouse(records: Iterable[OrderRecord]) -> list[LeadTime]:
    """`ship` (allocated -> picked up) and `deliver` (picked up -> delivered) per warehouse."""
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in records:
        allocated = r.first("ALLOCATED")
        for p in r.parcels:
            if allocated is not None and p.picked_up_at is not None:
                samples[(p.warehouse_id, "ship")].append(hours_between(allocated, p.picked_up_at))
            if p.transit_hours is not None:
                samples[(p.warehouse_id, "deliver")].append(p.transit_hours)
    return [
        summarise(step, hours, warehouse_id)
        for (warehouse_id, step), hours in sorted(samples.items())
    ]


class BreachRate(BaseModel):
    by: str  # warehouse, carrier or all
    name: str
    orders: int
    breached: int
    rate: float


def _breach_row(by: str, name: str, orders: int, breached: int) -> BreachRate:
    return BreachRate(
        by=by, name=name, orders=orders, breached=breached, rate=rate(breached, orders)
    )


def breach_rates(records: Iterable[OrderRecord]) -> list[BreachRate]:
    """Share of orders past their ship-by deadline: overall, then per warehouse and carrier
    of their parcels (an order counts once per warehouse and once per carrier it used)."""
    orders = breached = 0
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        orders += 1
        breached += r.sla_breached
        used = {("warehouse", p.warehouse_id) for p in r.parcels}
        used |= {("carrier", p.carrier) for p in r.parcels}
        for key in used:
            counts[key][0] += 1
            counts[key][1] += r.sla_breached
    rows = [_breach_row("all", "all", orders, breached)]
    rows += [_breach_row(by, name, n, b) for (by, name), (n, b) in sorted(counts.items())]
    return rows


class LaneStats(BaseModel):
    lane: str  # warehouse -> destination city
    carrier: str
    parcels: int  # delivered parcels measured
    median_h: float
    p90_h: float
    delayed: int  # parcels the delay watchdog flagged (delivered or not)


def parcels_of(records: Iterable[OrderRecord]) -> list[ParcelRecord]:
    return [p for r in records for p in r.parcels]


def lane_stats(parcels: Iterable[ParcelRecord]) -> list[LaneStats]:
    """Transit (pickup to delivery) per lane and carrier, busiest lane first."""
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    delayed: dict[tuple[str, str], int] = defaultdict(int)
    for p in parcels:
        key = (p.lane, p.carrier)
        delayed[key] += p.delays > 0
        if p.transit_hours is not None:
            hours[key].append(p.transit_hours)
    rows = [
        LaneStats(
            lane=lane,
            carrier=carrier,
            parcels=len(hours[(lane, carrier)]),
            median_h=percentile(hours[(lane, carrier)], 50),
            p90_h=percentile(hours[(lane, carrier)], 90),
            delayed=delayed[(lane, carrier)],
        )
        for lane, carrier in delayed
    ]
    return sorted(rows, key=lambda s: (-s.parcels, s.lane, s.carrier))
