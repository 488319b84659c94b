"""The own fleet's dispatch activities against a real database (SQLite, and PostgreSQL
when configured): deliveries in, one stored plan per warehouse and day out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from temporalio.testing import ActivityEnvironment

from activities.db import insert_ignore
from activities.dispatch import DELIVERIES, PLANS, SHIPMENTS, DispatchActivities, stored_plans
from cli.dispatch import describe, parse_day, plans_of
from cli.output import InvalidInput
from models.dispatch import FleetConfig, WarehouseFleet
from models.dispatch_io import DeliveryInput, DispatchDayQuery, PlanRoutesInput, StorePlanInput
from workers.settings import load_settings

DAY = date(2026, 12, 3)
MORNING = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # ready the evening before: goes on DAY
FLEET = FleetConfig(warehouses={"WH-A": WarehouseFleet(vans=2, capacity_kg=100)})


@pytest.fixture
def fleet(seeded: Engine) -> DispatchActivities:
    return DispatchActivities(seeded, fleet=FLEET)


def _delivery(
    order_id: str, *, warehouse: str = "WH-A", kg: float = 10, **extra: object
) -> DeliveryInput:
    fields: dict[str, object] = {
        "order_id": order_id,
        "workflow_id": f"shipment-{order_id}-{warehouse}",
        "warehouse_id": warehouse,
        "lat": 31.22,
        "lon": 121.48,
        "city": "Shanghai",
        "weight_kg": kg,
        "at": MORNING,
    }
    return DeliveryInput.model_validate(fields | extra)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def test_a_delivery_registered_twice_is_one_row_and_a_redirect_moves_it(
    fleet: DispatchActivities, seeded: Engine
) -> None:
    env = ActivityEnvironment()
    env.run(fleet.register_delivery, _delivery("SO-1"))
    env.run(fleet.register_delivery, _delivery("SO-1"))  # a retried activity
    env.run(fleet.register_delivery, _delivery("SO-1", lat=31.30))  # the parcel was redirected
    assert _count(seeded, DELIVERIES) == 1
    day = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY))
    stop = day.requests[0].stops[0]
    assert (stop.stop_id, stop.lat, stop.weight_kg) == ("SO-1", 31.30, 10)


def test_the_day_holds_each_warehouse_with_vans_or_deliveries_and_only_that_days_parcels(
    fleet: DispatchActivities, seeded: Engine
) -> None:
    env = ActivityEnvironment()
    env.run(fleet.register_delivery, _delivery("SO-1"))
    env.run(fleet.register_delivery, _delivery("SO-2", at=datetime(2026, 12, 3, 9, tzinfo=UTC)))
    env.run(fleet.register_delivery, _delivery("SO-3", warehouse="WH-B"))  # WH-B has no vans
    day = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY))
    by_warehouse = {r.depot.warehouse_id: r for r in day.requests}
    assert sorted(by_warehouse) == ["WH-A", "WH-B"]
    assert [s.stop_id for s in by_warehouse["WH-A"].stops] == ["SO-1"]  # SO-2 goes tomorrow
    assert by_warehouse["WH-A"].fleet.vans == 2 and by_warehouse["WH-B"].fleet.vans == 0
    assert (by_warehouse["WH-A"].depot.lat, by_warehouse["WH-A"].depot.lon) == (31.2, 121.5)
    only_b = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY, warehouse_ids=["WH-B"]))
    assert [r.depot.warehouse_id for r in only_b.requests] == ["WH-B"]


def test_cancelled_and_delivered_parcels_stay_off_the_vans(
    fleet: DispatchActivities, seeded: Engine
) -> None:
    env = ActivityEnvironment()
    for order_id in ("SO-1", "SO-2", "SO-3"):
        env.run(fleet.register_delivery, _delivery(order_id))
    with seeded.begin() as connection:
        for order_id, status in (("SO-1", "CANCELLED"), ("SO-2", "DELIVERED"), ("SO-3", "BOOKED")):
            row = {
                "shipment_id": f"shp-{order_id}",
                "order_id": order_id,
                "workflow_id": f"shipment-{order_id}-WH-A",
                "warehouse_id": "WH-A",
                "carrier": "FLEET",
                "tracking_number": f"T-{order_id}",
                "status": status,
                "idempotency_key": f"book:{order_id}",
            }
            insert_ignore(connection, SHIPMENTS, row, key=("shipment_id",))
    day = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY))
    assert [s.stop_id for s in day.requests[0].stops] == ["SO-3"]


def test_the_plan_is_stored_once_per_warehouse_and_day_and_a_rerun_replaces_it(
    fleet: DispatchActivities, seeded: Engine
) -> None:
    env = ActivityEnvironment()
    for order_id, kg in (("SO-1", 60), ("SO-2", 60), ("SO-3", 90)):
        env.run(fleet.register_delivery, _delivery(order_id, kg=kg))
    request = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY)).requests[0]
    plan = env.run(fleet.plan_dispatch_routes, PlanRoutesInput(request=request))
    assert plan.served == 2 and plan.unserved_ids == ["SO-1"]  # 2 vans of 100 kg
    first = env.run(fleet.store_dispatch_plan, StorePlanInput(day=DAY, plan=plan, run_key="r1"))
    again = env.run(fleet.store_dispatch_plan, StorePlanInput(day=DAY, plan=plan, run_key="r2"))
    assert (first.replaced, again.replaced) == (False, True)
    assert _count(seeded, PLANS) == 1
    [stored] = stored_plans(seeded, day=DAY)
    assert stored.run_key == "r2" and stored.plan == plan
    assert stored_plans(seeded, day=DAY, warehouse_id="WH-B") == []
    assert stored_plans(seeded, day=date(2026, 12, 4)) == []


def test_the_cli_prints_each_van_in_driving_order_and_what_stayed_behind(
    fleet: DispatchActivities, seeded: Engine
) -> None:
    env = ActivityEnvironment()
    for order_id, kg in (("SO-1", 60), ("SO-2", 50), ("SO-3", 90)):
        env.run(fleet.register_delivery, _delivery(order_id, kg=kg))
    request = env.run(fleet.load_dispatch_day, DispatchDayQuery(day=DAY)).requests[0]
    plan = env.run(fleet.plan_dispatch_routes, PlanRoutesInput(request=request))
    env.run(fleet.store_dispatch_plan, StorePlanInput(day=DAY, plan=plan, run_key="r1"))
    settings = load_settings(oms_database_url=seeded.url.render_as_string(hide_password=False))

    plans = plans_of(settings, DAY, None)
    text = describe(plans, DAY)
    assert text.splitlines()[0].startswith("WH-A 2026-12-03: 2 of 2 vans, 2 stops, 15.2 km")
    # Two 100 kg vans: 50 and 90 kg ride, 60 kg stays (serving SO-1 instead drives no less).
    assert text.splitlines()[1:] == [
        "  van 1  1 stop  50 kg  7.6 km  first stop 08:09, back 08:23: SO-2",
        "  van 2  1 stop  90 kg  7.6 km  first stop 08:09, back 08:23: SO-3",
        "  not on a van: SO-1 (no room left in the fleet)",
    ]
    assert plans_of(settings, DAY, "WH-B") == []
    assert describe([], DAY).startswith("no dispatch plan for 2026-12-03")
    with pytest.raises(InvalidInput, match="^warehouse: unknown warehouse WH-X$"):
        plans_of(settings, DAY, "WH-X")
    with pytest.raises(InvalidInput, match="^date: "):
        parse_day("3 Dec")
    assert parse_day("2026-12-03") == DAY
