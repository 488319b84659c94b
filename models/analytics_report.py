"""The whole report of a period, built from records: what `starter.py report` prints.

The SLA-slipping recommendation compares the second half of the period with the first,
so a warehouse that is getting worse shows up even when its whole-period rate looks fine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from models.analytics import DayBucket, HourBucket, OrderRecord, volume_by_day, volume_by_hour
from models.analytics_care import (
    Backorders,
    CategoryCount,
    ReasonCount,
    Satisfaction,
    WeekCount,
    backorder_reasons,
    cancellation_reasons,
    complaint_categories,
    complaint_trend,
    satisfaction,
)
from models.analytics_fulfilment import (
    BreachRate,
    LaneStats,
    LeadTime,
    breach_rates,
    lane_stats,
    lead_times,
    lead_times_by_warehouse,
    parcels_of,
)
from models.analytics_stock import (
    Cover,
    SkuDemand,
    SkuUnits,
    StockRecord,
    days_of_cover,
    slow_skus,
    top_skus,
)
from models.recommendations import (
    Policy,
    Recommendation,
    lane_actions,
    sla_actions,
    stock_actions,
)


class Totals(BaseModel):
    orders: int
    revenue: Decimal
    by_status: dict[str, int]
    sla_breached: int
    parcels: int


class Report(BaseModel):
    start: datetime
    end: datetime
    days: float
    totals: Totals
    volume_by_hour: list[HourBucket]
    volume_by_day: list[DayBucket]
    lead_times: list[LeadTime]
    lead_times_by_warehouse: list[LeadTime]
    breach_rates: list[BreachRate]
    lanes: list[LaneStats]
    cancellations: list[ReasonCount]
    backorders: Backorders
    complaints: list[CategoryCount]
    complaint_trend: list[WeekCount]
    satisfaction: Satisfaction
    top_skus: list[SkuUnits]
    slow_skus: list[SkuUnits]
    cover: list[Cover]
    recommendations: list[Recommendation] = Field(default_factory=list)


def build_report(
    records: Sequence[OrderRecord],
    stock: Sequence[StockRecord],
    demand: Sequence[SkuDemand],
    *,
    start: datetime,
    end: datetime,
    policy: Policy | None = None,
) -> Report:
    """`records`: orders placed in [start, end); `demand`: net units reserved in it."""
    rules = policy or Policy()
    days = max((end - start).total_seconds() / 86400, 1 / 24)  # at least an hour
    middle = start + (end - start) / 2
    last_day = max(start, end - timedelta(microseconds=1)).date()  # `end` is exclusive
    covers = days_of_cover(stock, demand, days)
    lanes = lane_stats(parcels_of(records))
    recent = breach_rates([r for r in records if r.placed_at >= middle])
    earlier = breach_rates([r for r in records if r.placed_at < middle])
    statuses = Counter(r.status for r in records)
    totals = Totals(
        orders=len(records),
        revenue=sum((b.revenue for b in volume_by_hour(records)), Decimal("0.00")),
        by_status=dict(sorted(statuses.items())),
        sla_breached=sum(r.sla_breached for r in records),
        parcels=len(parcels_of(records)),
    )
    return Report(
        start=start,
        end=end,
        days=days,
        totals=totals,
        volume_by_hour=volume_by_hour(records),
        volume_by_day=volume_by_day(records, start.date(), last_day),
        lead_times=lead_times(records),
        lead_times_by_warehouse=lead_times_by_warehouse(records),
        breach_rates=breach_rates(records),
        lanes=lanes,
        cancellations=cancellation_reasons(records),
        backorders=backorder_reasons(records),
        complaints=complaint_categories(records),
        complaint_trend=complaint_trend(records),
        satisfaction=satisfaction(records),
        top_skus=top_skus(demand, days),
        slow_skus=slow_skus(stock, demand, days),
        cover=covers,
        recommendations=stock_actions(covers, rules, days)
        + lane_actions(lanes, rules)
        + sla_actions(recent, earlier, rules),
    )
