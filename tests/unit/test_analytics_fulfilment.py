"""Lead times per step and warehouse, SLA breach rates and carrier transit per lane."""

from __future__ import annotations

from models.analytics_fulfilment import (
    breach_rates,
    lane_stats,
    lead_times,
    lead_times_by_warehouse,
    parcels_of,
)
from tests.unit.test_analytics import parcel, placed

FLOW = {"RESERVED": 1, "ALLOCATED": 2, "SHIPPED": 10, "DELIVERED": 34}


def test_lead_time_of_each_step_has_known_percentiles() -> None:
    records = [
        placed("A", steps=FLOW),
        placed("B", steps={"RESERVED": 3, "ALLOCATED": 4, "SHIPPED": 8, "DELIVERED": 20}),
        placed("C", "ALLOCATED", steps={"RESERVED": 2, "ALLOCATED": 7}),
        placed("D", "CANCELLED", steps={"CANCELLED": 1}),  # no step completed
    ]

    found = {t.step: t for t in lead_times(records)}

    assert list(found) == ["reserve", "pay", "ship", "deliver", "total"]
    reserve = found["reserve"]
    assert reserve.count == 3 and reserve.mean_h == 2.0
    assert (reserve.p50_h, reserve.p90_h, reserve.p99_h) == (2.0, 3.0, 3.0)
    assert (found["pay"].count, found["pay"].p50_h, found["pay"].p99_h) == (3, 1.0, 5.0)
    assert (found["ship"].count, found["ship"].p50_h, found["ship"].p99_h) == (2, 4.0, 8.0)
    assert (found["total"].p50_h, found["total"].p90_h) == (20.0, 34.0)


def test_steps_nobody_reached_are_left_out() -> None:
    assert [t.step for t in lead_times([placed("A", "RESERVED", steps={"RESERVED": 1})])] == [
        "reserve"
    ]
    assert lead_times([]) == []


def test_lead_time_per_warehouse_measures_each_parcel_from_allocation() -> None:
    records = [
        placed(
            "A",
            steps=FLOW,
            parcels=[
                parcel("WH-A", picked=6, delivered=30),
                parcel("WH-B", picked=12, delivered=60),
            ],
        ),
        placed("B", steps=FLOW, parcels=[parcel("WH-A", picked=4, delivered=16)]),
    ]

    found = {(t.warehouse_id, t.step): t for t in lead_times_by_warehouse(records)}

    assert sorted(found) == [
        ("WH-A", "deliver"),
        ("WH-A", "ship"),
        ("WH-B", "deliver"),
        ("WH-B", "ship"),
    ]
    assert (found[("WH-A", "ship")].count, found[("WH-A", "ship")].mean_h) == (2, 3.0)
    assert found[("WH-A", "deliver")].p50_h == 12.0 and found[("WH-A", "deliver")].p90_h == 24.0
    assert found[("WH-B", "ship")].p50_h == 10.0 and found[("WH-B", "deliver")].p50_h == 48.0


def test_breach_rate_per_warehouse_and_carrier_counts_each_order_once() -> None:
    records = [
        placed("A", sla_breached=True, parcels=[parcel("WH-A", "FAST"), parcel("WH-A", "FAST")]),
        placed("B", parcels=[parcel("WH-A", "SLOW")]),
        placed("C", sla_breached=True, parcels=[parcel("WH-B", "SLOW")]),
        placed("D", parcels=[parcel("WH-B", "SLOW")]),
        placed("E", "CANCELLED"),  # no parcel: counts only in the overall rate
    ]

    rows = {(r.by, r.name): (r.orders, r.breached, r.rate) for r in breach_rates(records)}

    assert rows == {
        ("all", "all"): (5, 2, 0.4),
        ("warehouse", "WH-A"): (2, 1, 0.5),
        ("warehouse", "WH-B"): (2, 1, 0.5),
        ("carrier", "FAST"): (1, 1, 1.0),
        ("carrier", "SLOW"): (3, 1, 1 / 3),
    }


def test_lane_stats_give_median_transit_and_delays_per_lane_and_carrier() -> None:
    records = [
        placed(
            "A",
            parcels=[
                parcel("WH-A", "FAST", picked=0, delivered=10),
                parcel("WH-A", "FAST", picked=0, delivered=20),
                parcel("WH-A", "FAST", picked=0, delivered=30, delays=1),
                parcel("WH-A", "SLOW", picked=0, delivered=50),
                parcel("WH-A", "SLOW", picked=0, delays=2),  # still on the road, flagged
                parcel("WH-B", "FAST", picked=0, delivered=5, destination="Beijing"),
            ],
        )
    ]

    rows = lane_stats(parcels_of(records))

    assert [(r.lane, r.carrier, r.parcels, r.median_h, r.p90_h, r.delayed) for r in rows] == [
        ("WH-A->Shanghai", "FAST", 3, 20.0, 30.0, 1),
        ("WH-A->Shanghai", "SLOW", 1, 50.0, 50.0, 1),
        ("WH-B->Beijing", "FAST", 1, 5.0, 5.0, 0),
    ]
