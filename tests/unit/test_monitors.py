"""The risk monitors' snapshot and checks, on hand-built data with known answers."""

from __future__ import annotations

import pytest

from models.analytics_stock import SkuDemand, StockRecord
from models.monitor_snapshot import (
    MonitorSnapshot,
    RiskWindow,
    SnapshotInput,
    TransitWindow,
    build_snapshot,
    ops_alerts,
)
from models.monitors import MonitorPolicy, run_checks
from tests.unit.test_analytics import at, parcel, placed

NOW = at(24 * 10)  # ten days after T0
POLICY = MonitorPolicy()


def snapshot(**fields: object) -> MonitorSnapshot:
    return MonitorSnapshot.model_validate(
        {"as_of": NOW, "recent_hours": 24, "baseline_days": 10, **fields}
    )


def test_the_snapshot_splits_transit_and_risk_into_recent_and_baseline() -> None:
    day = 24.0
    records = [
        placed(
            "OLD",
            hour=day,
            parcels=[
                parcel("WH-A", "FAST", picked=day, delivered=day + 10),
                parcel("WH-A", "FAST", picked=day, delivered=day + 20),
            ],
            steps={"ON_HOLD": 0.1},
        ),
        placed(
            "NEW",
            hour=9.5 * day,
            parcels=[parcel("WH-A", "FAST", picked=9.5 * day, delivered=9.5 * day + 4)],
            steps={"AWAITING_PAYMENT": 0.1},
        ),
        placed("NEW2", hour=9.6 * day),
    ]
    request = SnapshotInput(as_of=NOW, recent_hours=24, baseline_days=10)

    found = build_snapshot(
        request,
        records,
        [StockRecord(sku="TEA", warehouse_id="WH-A", on_hand=30, lead_time_days=5)],
        [SkuDemand(sku="TEA", warehouse_id="WH-A", units=20)],
    )

    by = {(t.carrier, t.lane): t for t in found.transit}
    assert by[("FAST", "WH-A->Shanghai")] == by[("FAST", "*")].model_copy(
        update={"lane": "WH-A->Shanghai"}
    )
    assert by[("FAST", "*")] == TransitWindow(
        carrier="FAST",
        lane="*",
        recent_n=1,
        recent_median_h=4.0,
        baseline_n=2,
        baseline_median_h=10.0,
    )
    assert found.risk == RiskWindow(
        recent_orders=2, recent_declined=1, baseline_orders=1, baseline_held=1
    )
    (tea,) = found.covers
    assert (tea.daily_demand, tea.days_of_cover) == (2.0, 15.0)


def test_a_carrier_much_slower_than_its_norm_raises_a_logistics_delay() -> None:
    slow = TransitWindow(
        carrier="SLOW", recent_n=4, recent_median_h=48, baseline_n=10, baseline_median_h=24
    )
    fine = TransitWindow(
        carrier="FINE",
        lane="WH-A->Beijing",
        recent_n=4,
        recent_median_h=30,
        baseline_n=10,
        baseline_median_h=24,
    )
    sparse = slow.model_copy(update={"carrier": "FEW", "recent_n": 2})

    (alert,) = run_checks(snapshot(transit=[slow, fine, sparse]), ["logistics_delay"])

    assert (alert.event, alert.subject) == ("LOGISTICS_DELAY", "SLOW")
    assert alert.evidence == {
        "recent_median_h": 48,
        "recent_parcels": 4,
        "baseline_median_h": 24,
        "baseline_parcels": 10,
    }
    assert "median transit 48.0 h over the last 24 h (4 parcels)" in alert.body


def covers() -> list[dict[str, object]]:
    row = {"warehouse_id": "WH-A", "on_order": 0}
    return [
        {**row, "sku": "PEN", "available": 400, "daily_demand": 2, "days_of_cover": 200},
        {
            **row,
            "sku": "TEA",
            "available": 6,
            "daily_demand": 2,
            "days_of_cover": 3,
            "lead_time_days": 5,
        },
        {**row, "sku": "MUG", "available": 12, "daily_demand": 2, "days_of_cover": 6},
        {**row, "sku": "IDLE", "available": 90, "daily_demand": 0, "days_of_cover": None},
    ]


def test_overstock_is_cover_above_the_threshold_and_idle_stock_is_not_alerted() -> None:
    (alert,) = run_checks(snapshot(covers=covers()), ["overstock"])

    assert (alert.event, alert.subject) == ("OVERSTOCK", "PEN@WH-A")
    assert alert.evidence == {"available": 400, "daily_demand": 2, "days_of_cover": 200}


def test_stockout_risk_is_cover_below_the_lead_time_or_the_default_one() -> None:
    alerts = run_checks(snapshot(covers=covers()), ["stockout_risk"], MonitorPolicy())

    # TEA: 3 days against its supplier's 5; MUG: 6 days against the default 7.
    assert [(a.subject, a.evidence["lead_time_days"]) for a in alerts] == [
        ("TEA@WH-A", 5),
        ("MUG@WH-A", 7),
    ]
    assert "last 3.0 days at 2.0/day, under the 5-day lead time" in alerts[0].body


@pytest.mark.parametrize(
    ("window", "alerted"),
    [
        (
            RiskWindow(
                recent_orders=20,
                recent_held=4,
                recent_declined=2,
                baseline_orders=100,
                baseline_held=5,
                baseline_declined=5,
            ),
            True,
        ),  # 30% against 10%
        (
            RiskWindow(
                recent_orders=20,
                recent_held=2,
                recent_declined=1,
                baseline_orders=100,
                baseline_held=5,
                baseline_declined=5,
            ),
            False,
        ),  # 15%: under twice 10%
        (RiskWindow(recent_orders=9, recent_held=9), False),  # too few recent orders
        (RiskWindow(recent_orders=10, recent_held=2), True),  # 20% against the 5% default
        (RiskWindow(recent_orders=10, recent_held=0, baseline_orders=50), False),
    ],
)
def test_fraud_pattern_is_a_rise_in_held_or_declined_orders(
    window: RiskWindow, alerted: bool
) -> None:
    alerts = run_checks(snapshot(risk=window), ["fraud_pattern"])

    assert bool(alerts) == alerted
    if alerted:
        assert alerts[0].evidence["recent_orders"] == window.recent_orders


def test_the_fraud_alert_says_what_rose_and_against_what() -> None:
    window = RiskWindow(
        recent_orders=20,
        recent_held=4,
        recent_declined=2,
        baseline_orders=100,
        baseline_held=5,
        baseline_declined=5,
    )

    (alert,) = run_checks(snapshot(risk=window), ["fraud_pattern"])

    assert alert.body == (
        "4 held and 2 declined of 20 orders in the last 24 h (30%), against 10% before"
    )
    assert (alert.evidence["recent_rate"], alert.evidence["baseline_rate"]) == (0.3, 0.1)


def test_only_the_named_monitors_run_and_unknown_names_are_refused() -> None:
    data = snapshot(covers=covers())

    assert {a.monitor for a in run_checks(data, ["overstock", "stockout_risk"])} == {
        "overstock",
        "stockout_risk",
    }
    assert run_checks(data, []) == []
    with pytest.raises(ValueError, match="unknown weather"):
        run_checks(data, ["weather"])


def test_outbox_alerts_are_keyed_per_monitor_subject_and_day() -> None:
    alerts = run_checks(snapshot(covers=covers()), ["overstock", "stockout_risk"])

    keys = [a.idempotency_key for a in ops_alerts(alerts, NOW)]

    assert keys == [
        "monitor:overstock:PEN@WH-A:2026-12-11",
        "monitor:stockout_risk:TEA@WH-A:2026-12-11",
        "monitor:stockout_risk:MUG@WH-A:2026-12-11",
    ]
    later = ops_alerts(alerts, NOW.replace(hour=23))  # the same day: the same keys
    assert [a.idempotency_key for a in later] == keys
