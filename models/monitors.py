"""Risk monitors: pure checks over a MonitorSnapshot, each alert with its evidence.

- logistics_delay: a carrier (all lanes) or a carrier on one lane whose recent median
  transit is `slower_factor` times its own baseline median or more;
- overstock: stock that lasts more than `overstock_days` at the window's demand;
- stockout_risk: available stock that runs out before a reorder could arrive (cover below
  the supplier's lead time);
- fraud_pattern: the recent share of orders held for risk or with a declined card is well
  above the baseline share (`fraud_factor` times, and `fraud_min_rise` more).

Idle stock (no demand at all) is not overstock here: on a new catalog every row would
alert. The report lists it (slow SKUs, stop-reordering recommendations) instead.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from models.analytics import rate
from models.monitor_snapshot import MONITORS, Alert, MonitorSnapshot


class MonitorPolicy(BaseModel):
    min_parcels: int = 3  # per window side; fewer prove nothing
    slower_factor: float = 1.5
    overstock_days: float = 90
    default_lead_time_days: int = 7  # when no supplier is known
    min_orders: int = 10  # recent orders needed before a fraud rate means anything
    fraud_factor: float = 2.0
    fraud_min_rise: float = 0.05  # and at least five points above the baseline
    default_fraud_rate: float = 0.05  # the baseline when the window has too few orders


class RiskMonitorInput(BaseModel):
    """The workflow's input: which monitors, over which windows, with which thresholds."""

    monitors: list[str] = Field(default_factory=lambda: list(MONITORS))
    recent_hours: float = Field(default=24, gt=0)
    baseline_days: int = Field(default=14, ge=1)
    policy: MonitorPolicy = Field(default_factory=MonitorPolicy)


class RiskMonitorSummary(BaseModel):
    as_of: datetime
    checked: list[str]
    alerts: list[Alert] = Field(default_factory=list)
    written: int = 0  # new outbox rows (an alert already sent today is not sent again)


Evidence = dict[str, float | int | str]


def _alert(monitor: str, event: str, subject: str, body: str, evidence: Evidence) -> Alert:
    return Alert(monitor=monitor, event=event, subject=subject, body=body, evidence=evidence)


def logistics_delay(snapshot: MonitorSnapshot, policy: MonitorPolicy) -> list[Alert]:
    alerts = []
    for t in snapshot.transit:
        if t.recent_n < policy.min_parcels or t.baseline_n < policy.min_parcels:
            continue
        if t.recent_median_h < t.baseline_median_h * policy.slower_factor:
            continue
        where = t.carrier if t.lane == "*" else f"{t.carrier} on {t.lane}"
        body = (
            f"{where}: median transit {t.recent_median_h:.1f} h over the last "
            f"{snapshot.recent_hours:g} h ({t.recent_n} parcels), against its norm of "
            f"{t.baseline_median_h:.1f} h ({t.baseline_n} parcels)"
        )
        evidence: Evidence = {
            "recent_median_h": round(t.recent_median_h, 2),
            "recent_parcels": t.recent_n,
            "baseline_median_h": round(t.baseline_median_h, 2),
            "baseline_parcels": t.baseline_n,
        }
        alerts.append(_alert("logistics_delay", "LOGISTICS_DELAY", where, body, evidence))
    return alerts


def overstock(snapshot: MonitorSnapshot, policy: MonitorPolicy) -> list[Alert]:
    alerts = []
    for c in snapshot.covers:
        if c.days_of_cover is None or c.days_of_cover <= policy.overstock_days:
            continue
        subject = f"{c.sku}@{c.warehouse_id}"
        body = (
            f"{subject}: {c.available} available last {c.days_of_cover:.0f} days at "
            f"{c.daily_demand:.2f}/day, over {policy.overstock_days:g} days"
        )
        evidence: Evidence = {
            "available": c.available,
            "daily_demand": round(c.daily_demand, 3),
            "days_of_cover": round(c.days_of_cover, 1),
        }
        alerts.append(_alert("overstock", "OVERSTOCK", subject, body, evidence))
    return alerts


def stockout_risk(snapshot: MonitorSnapshot, policy: MonitorPolicy) -> list[Alert]:
    alerts = []
    for c in snapshot.covers:
        lead = c.lead_time_days if c.lead_time_days is not None else policy.default_lead_time_days
        if c.days_of_cover is None or c.days_of_cover >= lead:
            continue
        subject = f"{c.sku}@{c.warehouse_id}"
        body = (
            f"{subject}: {c.available} available last {c.days_of_cover:.1f} days at "
            f"{c.daily_demand:.1f}/day, under the {lead}-day lead time ({c.on_order} on order)"
        )
        evidence: Evidence = {
            "available": c.available,
            "on_order": c.on_order,
            "daily_demand": round(c.daily_demand, 3),
            "days_of_cover": round(c.days_of_cover, 1),
            "lead_time_days": lead,
        }
        alerts.append(_alert("stockout_risk", "STOCKOUT_RISK", subject, body, evidence))
    return alerts


def fraud_pattern(snapshot: MonitorSnapshot, policy: MonitorPolicy) -> list[Alert]:
    w = snapshot.risk
    if w.recent_orders < policy.min_orders:
        return []
    recent = rate(w.recent_held + w.recent_declined, w.recent_orders)
    enough = w.baseline_orders >= policy.min_orders
    baseline = (
        rate(w.baseline_held + w.baseline_declined, w.baseline_orders)
        if enough
        else policy.default_fraud_rate
    )
    if recent < baseline * policy.fraud_factor or recent < baseline + policy.fraud_min_rise:
        return []
    body = (
        f"{w.recent_held} held and {w.recent_declined} declined of {w.recent_orders} orders in "
        f"the last {snapshot.recent_hours:g} h ({recent:.0%}), against "
        + (f"{baseline:.0%} before" if enough else f"a {baseline:.0%} norm (little history)")
    )
    evidence: Evidence = {
        "recent_rate": round(recent, 4),
        "baseline_rate": round(baseline, 4),
        **w.model_dump(),
    }
    return [_alert("fraud_pattern", "FRAUD_PATTERN", "orders", body, evidence)]


CHECKS = {
    "logistics_delay": logistics_delay,
    "overstock": overstock,
    "stockout_risk": stockout_risk,
    "fraud_pattern": fraud_pattern,
}


def unknown_monitors(monitors: list[str]) -> str:
    """What is wrong with the names ("" when all are known)."""
    unknown = [m for m in monitors if m not in CHECKS]
    if not unknown:
        return ""
    return f"monitors: unknown {', '.join(unknown)} (known: {', '.join(MONITORS)})"


def run_checks(
    snapshot: MonitorSnapshot, monitors: list[str], policy: MonitorPolicy | None = None
) -> list[Alert]:
    """The alerts of the named monitors, in the order named; unknown names raise ValueError."""
    unknown = unknown_monitors(monitors)
    if unknown:
        raise ValueError(unknown)
    chosen = policy or MonitorPolicy()
    return [alert for name in monitors for alert in CHECKS[name](snapshot, chosen)]
