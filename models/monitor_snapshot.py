"""What the risk monitors look at, condensed from the records of a recent window.

The `analytics_snapshot` activity loads the orders placed (and parcels delivered) in the
last `baseline_days` and the stock rows, and builds this snapshot with `build_snapshot`:
only sums and medians per carrier and lane, stock cover per row and risk counts, so the
workflow's payload stays small however many orders there were. "Recent" is the last
`recent_hours`; the baseline is the rest of the window, before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from models.analytics import OrderRecord, ParcelRecord, percentile
from models.analytics_stock import Cover, SkuDemand, StockRecord, days_of_cover
from models.replenishment_io import OpsAlert

MONITORS = ("logistics_delay", "overstock", "stockout_risk", "fraud_pattern")


class SnapshotInput(BaseModel):
    as_of: datetime
    recent_hours: float = Field(default=24, gt=0)
    baseline_days: int = Field(default=14, ge=1)


class TransitWindow(BaseModel):
    """Delivered parcels of one carrier (lane "*": every lane) or one carrier on one lane."""

    carrier: str
    lane: str = "*"
    recent_n: int = 0
    recent_median_h: float = 0.0
    baseline_n: int = 0
    baseline_median_h: float = 0.0


class RiskWindow(BaseModel):
    recent_orders: int = 0
    recent_held: int = 0  # went ON_HOLD (fraud risk score)
    recent_declined: int = 0  # card declined (AWAITING_PAYMENT)
    baseline_orders: int = 0
    baseline_held: int = 0
    baseline_declined: int = 0


class MonitorSnapshot(BaseModel):
    as_of: datetime
    recent_hours: float
    baseline_days: int
    transit: list[TransitWindow] = Field(default_factory=list)
    covers: list[Cover] = Field(default_factory=list)
    risk: RiskWindow = Field(default_factory=RiskWindow)


class Alert(BaseModel):
    monitor: str  # one of MONITORS
    event: str  # LOGISTICS_DELAY, OVERSTOCK, STOCKOUT_RISK, FRAUD_PATTERN
    subject: str
    body: str
    evidence: dict[str, float | int | str] = Field(default_factory=dict)


def _transit(parcels: Iterable[ParcelRecord], cutoff: datetime) -> list[TransitWindow]:
    samples: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for p in parcels:
        if p.transit_hours is None or p.delivered_at is None:
            continue
        recent = p.delivered_at >= cutoff
        for key in ((p.carrier, "*"), (p.carrier, p.lane)):
            samples[key][0 if recent else 1].append(p.transit_hours)
    return [
        TransitWindow(
            carrier=carrier,
            lane=lane,
            recent_n=len(recent),
            recent_median_h=percentile(recent, 50),
            baseline_n=len(baseline),
            baseline_median_h=percentile(baseline, 50),
        )
        for (carrier, lane), (recent, baseline) in sorted(samples.items())
    ]


def _risk(records: Iterable[OrderRecord], cutoff: datetime) -> RiskWindow:
    window = RiskWindow()
    for r in records:
        held, declined = r.ever("ON_HOLD"), r.ever("AWAITING_PAYMENT")
        if r.placed_at >= cutoff:
            window.recent_orders += 1
            window.recent_held += held
            window.recent_declined += declined
        else:
            window.baseline_orders += 1
            window.baseline_held += held
            window.baseline_declined += declined
    return window


def build_snapshot(
    request: SnapshotInput,
    records: Sequence[OrderRecord],
    stock: Sequence[StockRecord],
    demand: Sequence[SkuDemand],
) -> MonitorSnapshot:
    """`records`: orders placed in the window; `demand`: net units reserved in the window."""
    start = request.as_of - timedelta(days=request.baseline_days)
    cutoff = request.as_of - timedelta(hours=request.recent_hours)
    inside = [r for r in records if start <= r.placed_at <= request.as_of]
    parcels = [p for r in records for p in r.parcels]
    return MonitorSnapshot(
        as_of=request.as_of,
        recent_hours=request.recent_hours,
        baseline_days=request.baseline_days,
        transit=_transit(parcels, cutoff),
        covers=days_of_cover(stock, demand, days=request.baseline_days),
        risk=_risk(inside, cutoff),
    )


def ops_alerts(alerts: Iterable[Alert], as_of: datetime) -> list[OpsAlert]:
    """Outbox alerts keyed by monitor, subject and day: one alert per condition per day."""
    day = as_of.date().isoformat()
    return [
        OpsAlert(
            idempotency_key=f"monitor:{a.monitor}:{a.subject}:{day}",
            event=a.event,
            body=a.body,
        )
        for a in alerts
    ]
