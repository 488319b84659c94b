"""The whole report of a period, assembled from hand-built records."""

from __future__ import annotations

from decimal import Decimal

from models.analytics_report import build_report
from models.analytics_stock import SkuDemand, StockRecord
from tests.unit.test_analytics import at, parcel, placed

FLOW = {"RESERVED": 1, "ALLOCATED": 2, "SHIPPED": 10, "DELIVERED": 34}


def test_the_report_adds_up_the_period_and_recommends_with_reasons() -> None:
    records = [
        placed("A", hour=1, total="30.00", steps=FLOW, parcels=[parcel(picked=9, delivered=33)]),
        placed("B", "CANCELLED", hour=30, total="99.00", cancel_reason="changed my mind"),
        placed("C", hour=40, total="12.50", sla_breached=True, survey_sent=True, survey_score=2),
    ]
    stock = [
        StockRecord(sku="TEA", warehouse_id="WH-A", on_hand=4, lead_time_days=5),
        StockRecord(sku="PEN", warehouse_id="WH-A", on_hand=300),
    ]
    demand = [SkuDemand(sku="TEA", warehouse_id="WH-A", units=4)]

    report = build_report(records, stock, demand, start=at(0), end=at(48))

    assert report.days == 2.0
    assert report.totals.orders == 3 and report.totals.revenue == Decimal("42.50")
    assert report.totals.by_status == {"CANCELLED": 1, "DELIVERED": 2}
    assert (report.totals.sla_breached, report.totals.parcels) == (1, 1)
    assert [d.orders for d in report.volume_by_day] == [1, 2]  # `end` (midnight) is exclusive
    assert [t.step for t in report.lead_times] == ["reserve", "pay", "ship", "deliver", "total"]
    assert report.cancellations[0].reason == "changed my mind"
    assert report.satisfaction.mean_score == 2.0
    assert [s.sku for s in report.top_skus] == ["TEA"] and report.top_skus[0].per_day == 2.0
    assert [s.sku for s in report.slow_skus] == ["PEN", "TEA"]
    tea = next(c for c in report.cover if c.sku == "TEA")
    assert tea.days_of_cover == 2.0
    # Two days without demand prove nothing about PEN: only the reorder is advised.
    assert [(r.kind, r.subject) for r in report.recommendations] == [("reorder", "TEA@WH-A")]


def test_an_empty_period_gives_an_empty_but_complete_report() -> None:
    report = build_report([], [], [], start=at(0), end=at(0.5))

    assert report.totals.orders == 0 and report.totals.revenue == Decimal("0.00")
    assert report.days == 1 / 24  # never zero: rates per day stay finite
    assert len(report.volume_by_hour) == 24 and len(report.volume_by_day) == 1
    assert report.lead_times == [] and report.recommendations == []
    assert report.breach_rates[0].rate == 0.0
