"""What to change, each with the reason in words and the numbers it rests on.

- reorder: a SKU in a warehouse whose stock and open orders last less than the supplier's
  lead time plus a review period at the period's demand;
- stop reordering: stock that did not move at all, or lasts longer than `overstock_days`;
- move lane: a carrier slower on a lane than the best other carrier on it, or one whose
  parcels on a lane keep tripping the delay watchdog;
- SLA slipping: a warehouse whose recent breach rate is over target and worse than before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

from models.analytics_fulfilment import BreachRate, LaneStats
from models.analytics_stock import Cover

Evidence = dict[str, float | int | str]


class Policy(BaseModel):
    review_days: int = 7  # a reorder must cover the lead time and this long
    overstock_days: float = 90
    idle_days: float = 14  # a period this long without demand says "stop"; a shorter one nothing
    min_parcels: int = 3  # fewer delivered parcels prove nothing about a carrier
    slower_by: float = 0.25  # 25% slower than the best other carrier on the lane
    delayed_share: float = 0.2  # a fifth of a lane's parcels flagged late
    sla_target: float = 0.05  # breach rate ops accept
    min_orders: int = 5


class Recommendation(BaseModel):
    kind: str  # reorder, stop_reordering, move_lane, sla_slipping
    subject: str  # SKU@warehouse, lane/carrier or warehouse
    reason: str
    evidence: Evidence = Field(default_factory=dict)


def _rec(kind: str, subject: str, reason: str, evidence: Evidence) -> Recommendation:
    return Recommendation(kind=kind, subject=subject, reason=reason, evidence=evidence)


def stock_actions(covers: Iterable[Cover], policy: Policy, days: float) -> list[Recommendation]:
    """`days`: the length of the period the demand was measured over."""
    found = []
    for c in covers:
        subject, position = f"{c.sku}@{c.warehouse_id}", max(0, c.available) + c.on_order
        evidence: Evidence = {
            "available": c.available,
            "on_order": c.on_order,
            "daily_demand": round(c.daily_demand, 2),
        }
        if c.daily_demand <= 0:
            if c.available > 0 and days >= policy.idle_days:
                why = f"{subject}: no demand in {days:.0f} days with {c.available} units available"
                found.append(_rec("stop_reordering", subject, why, evidence))
            continue
        lasts = position / c.daily_demand
        evidence["days_with_on_order"] = round(lasts, 1)
        if c.lead_time_days is not None and lasts < c.lead_time_days + policy.review_days:
            evidence["lead_time_days"] = c.lead_time_days
            why = (
                f"{subject}: {c.available} available + {c.on_order} on order last "
                f"{lasts:.1f} days at {c.daily_demand:.1f}/day, under the {c.lead_time_days}-day "
                f"lead time plus {policy.review_days} days of review"
            )
            found.append(_rec("reorder", subject, why, evidence))
        elif lasts > policy.overstock_days:
            why = (
                f"{subject}: {position} units last {lasts:.0f} days at {c.daily_demand:.2f}/day, "
                f"over {policy.overstock_days:.0f} days"
            )
            found.append(_rec("stop_reordering", subject, why, evidence))
    return found


def lane_actions(lanes: Sequence[LaneStats], policy: Policy) -> list[Recommendation]:
    by_lane: dict[str, list[LaneStats]] = defaultdict(list)
    for s in lanes:
        by_lane[s.lane].append(s)
    found = []
    for lane, carriers in sorted(by_lane.items()):
        measured = [s for s in carriers if s.parcels >= policy.min_parcels]
        for s in sorted(carriers, key=lambda s: s.carrier):
            subject = f"{lane} by {s.carrier}"
            others = [o for o in measured if o.carrier != s.carrier]
            best = min(others, key=lambda o: (o.median_h, o.carrier), default=None)
            if (
                s.parcels >= policy.min_parcels
                and best is not None
                and s.median_h > best.median_h * (1 + policy.slower_by)
            ):
                why = (
                    f"{subject}: median transit {s.median_h:.1f} h over {s.parcels} parcels, "
                    f"{best.carrier} takes {best.median_h:.1f} h on the same lane: move to "
                    f"{best.carrier}"
                )
                evidence: Evidence = {
                    "median_h": round(s.median_h, 2),
                    "parcels": s.parcels,
                    "better_carrier": best.carrier,
                    "better_median_h": round(best.median_h, 2),
                }
                found.append(_rec("move_lane", subject, why, evidence))
                continue
            shipped = max(s.parcels, s.delayed)
            if shipped >= policy.min_parcels and s.delayed / shipped >= policy.delayed_share:
                why = (
                    f"{subject}: {s.delayed} of {shipped} parcels flagged late by the delay "
                    "watchdog: try another carrier"
                )
                evidence = {"delayed": s.delayed, "parcels": shipped}
                found.append(_rec("move_lane", subject, why, evidence))
    return found


def sla_actions(
    recent: Iterable[BreachRate], earlier: Iterable[BreachRate], policy: Policy
) -> list[Recommendation]:
    """Warehouses breaching more than the target now, and more than in the earlier period."""
    before = {r.name: r for r in earlier if r.by == "warehouse"}
    found = []
    for r in recent:
        if r.by != "warehouse" or r.orders < policy.min_orders or r.rate <= policy.sla_target:
            continue
        old = before.get(r.name)
        old_rate = old.rate if old is not None else 0.0
        if r.rate <= old_rate:
            continue
        why = (
            f"{r.name}: {r.breached} of {r.orders} orders ({r.rate:.0%}) missed ship-by "
            f"recently, against {old_rate:.0%} before and a {policy.sla_target:.0%} target"
        )
        evidence: Evidence = {
            "breached": r.breached,
            "orders": r.orders,
            "rate": round(r.rate, 4),
            "earlier_rate": round(old_rate, 4),
        }
        found.append(
            Recommendation(kind="sla_slipping", subject=r.name, reason=why, evidence=evidence)
        )
    return found
