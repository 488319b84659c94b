"""Recommendations with their reasons and the numbers behind them."""

from __future__ import annotations

from models.analytics_fulfilment import BreachRate, LaneStats
from models.analytics_stock import Cover
from models.recommendations import Policy, lane_actions, sla_actions, stock_actions


def cover(sku: str, available: int, daily: float, lead: int | None = 5, on_order: int = 0) -> Cover:
    return Cover(
        sku=sku,
        warehouse_id="WH-A",
        available=available,
        on_order=on_order,
        daily_demand=daily,
        days_of_cover=available / daily if daily else None,
        lead_time_days=lead,
    )


def test_reorder_when_stock_and_open_orders_last_less_than_lead_time_plus_review() -> None:
    found = stock_actions(
        [
            cover("TEA", 20, 2.0),  # 10 days < 5 + 7
            cover("MUG", 20, 2.0, on_order=10),  # 15 days: enough with the open order
            cover("CUP", 5, 1.0, lead=None),  # no supplier: nothing to reorder from
        ],
        Policy(),
        days=30,
    )

    (reorder,) = found
    assert (reorder.kind, reorder.subject) == ("reorder", "TEA@WH-A")
    assert reorder.evidence == {
        "available": 20,
        "on_order": 0,
        "daily_demand": 2.0,
        "days_with_on_order": 10.0,
        "lead_time_days": 5,
    }
    assert "last 10.0 days at 2.0/day, under the 5-day lead time plus 7 days" in reorder.reason


def test_stop_reordering_stock_that_does_not_move_or_lasts_too_long() -> None:
    found = stock_actions(
        [cover("PEN", 40, 0.0), cover("INK", 200, 1.0, on_order=10), cover("NIL", 0, 0.0)],
        Policy(overstock_days=90),
        days=30,
    )

    assert [(r.kind, r.subject) for r in found] == [
        ("stop_reordering", "PEN@WH-A"),
        ("stop_reordering", "INK@WH-A"),
    ]
    assert "no demand in 30 days with 40 units available" in found[0].reason
    assert found[1].evidence["days_with_on_order"] == 210.0 and "210 days" in found[1].reason


def test_a_short_period_without_demand_proves_nothing() -> None:
    assert stock_actions([cover("PEN", 40, 0.0)], Policy(idle_days=14), days=2) == []


def lane(carrier: str, parcels: int, median: float, delayed: int = 0) -> LaneStats:
    return LaneStats(
        lane="WH-A->Beijing",
        carrier=carrier,
        parcels=parcels,
        median_h=median,
        p90_h=median,
        delayed=delayed,
    )


def test_move_a_lane_to_the_carrier_that_is_clearly_faster_on_it() -> None:
    found = lane_actions(
        [lane("SLOW", 5, 50.0), lane("FAST", 4, 24.0), lane("MID", 3, 28.0)], Policy()
    )

    assert [(r.kind, r.subject) for r in found] == [("move_lane", "WH-A->Beijing by SLOW")]
    assert found[0].evidence == {
        "median_h": 50.0,
        "parcels": 5,
        "better_carrier": "FAST",
        "better_median_h": 24.0,
    }
    assert "move to FAST" in found[0].reason


def test_too_few_parcels_prove_nothing_but_a_lane_often_late_is_flagged() -> None:
    assert lane_actions([lane("SLOW", 2, 90.0), lane("FAST", 4, 24.0)], Policy()) == []

    (late,) = lane_actions([lane("ONLY", 4, 30.0, delayed=2)], Policy())
    assert late.evidence == {"delayed": 2, "parcels": 4} and "2 of 4 parcels" in late.reason


def breach(name: str, orders: int, breached: int) -> BreachRate:
    return BreachRate(
        by="warehouse", name=name, orders=orders, breached=breached, rate=breached / orders
    )


def test_a_warehouse_slips_when_it_breaches_over_target_and_more_than_before() -> None:
    recent = [breach("WH-A", 10, 3), breach("WH-B", 10, 3), breach("WH-C", 10, 0)]
    earlier = [breach("WH-A", 10, 0), breach("WH-B", 10, 5)]

    (slip,) = sla_actions(recent, earlier, Policy())

    assert (slip.kind, slip.subject) == ("sla_slipping", "WH-A")
    assert slip.evidence == {"breached": 3, "orders": 10, "rate": 0.3, "earlier_rate": 0.0}
    assert "3 of 10 orders (30%)" in slip.reason


def test_a_warehouse_with_few_orders_is_not_judged() -> None:
    assert sla_actions([breach("WH-A", 4, 4)], [], Policy(min_orders=5)) == []
