"""Stock: the best and slowest sellers and how many days the stock on hand lasts.

Demand is the net units reserved in the period per SKU and warehouse (what customers took,
less what their cancelled orders gave back), as the stock ledger records it. Days of cover
is available stock over the mean daily demand of the period; a pair without demand has no
finite cover (None), which the overstock monitor reads as "nothing moves".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel


class StockRecord(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int = 0
    safety_stock: int = 0
    on_order: int = 0  # open purchase orders
    lead_time_days: int | None = None  # the preferred supplier's; None: no supplier known

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class SkuDemand(BaseModel):
    sku: str
    warehouse_id: str
    units: int  # net units reserved in the period


class SkuUnits(BaseModel):
    sku: str
    units: int
    per_day: float
    on_hand: int = 0


class Cover(BaseModel):
    sku: str
    warehouse_id: str
    available: int
    on_order: int
    daily_demand: float
    days_of_cover: float | None  # None: no demand in the period
    lead_time_days: int | None = None
    safety_stock: int = 0


def _units_by_sku(demand: Iterable[SkuDemand]) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for d in demand:
        units[d.sku] += d.units
    return units


def top_skus(demand: Iterable[SkuDemand], days: float, n: int = 10) -> list[SkuUnits]:
    """The `n` SKUs with the most units in the period, most first."""
    units = _units_by_sku(demand)
    ranked = sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))
    return [SkuUnits(sku=s, units=u, per_day=u / days if days else 0.0) for s, u in ranked[:n]]


def slow_skus(
    stock: Iterable[StockRecord], demand: Iterable[SkuDemand], days: float, n: int = 10
) -> list[SkuUnits]:
    """The `n` SKUs with stock on hand that sold the fewest units (most stock first on ties)."""
    units = _units_by_sku(demand)
    on_hand: dict[str, int] = defaultdict(int)
    for s in stock:
        on_hand[s.sku] += s.on_hand
    stocked = [(sku, units.get(sku, 0), held) for sku, held in on_hand.items() if held > 0]
    ranked = sorted(stocked, key=lambda t: (t[1], -t[2], t[0]))
    return [
        SkuUnits(sku=s, units=u, per_day=u / days if days else 0.0, on_hand=held)
        for s, u, held in ranked[:n]
    ]


def days_of_cover(
    stock: Sequence[StockRecord], demand: Iterable[SkuDemand], days: float
) -> list[Cover]:
    """Per stock row: available stock over the period's mean daily demand."""
    units = {(d.sku, d.warehouse_id): d.units for d in demand}
    rows = []
    for s in stock:
        daily = max(0, units.get((s.sku, s.warehouse_id), 0)) / days if days > 0 else 0.0
        rows.append(
            Cover(
                sku=s.sku,
                warehouse_id=s.warehouse_id,
                available=s.available,
                on_order=s.on_order,
                daily_demand=daily,
                days_of_cover=max(0, s.available) / daily if daily > 0 else None,
                lead_time_days=s.lead_time_days,
                safety_stock=s.safety_stock,
            )
        )
    return sorted(rows, key=lambda c: (c.sku, c.warehouse_id))
