"""The dispatch plan's rules: fleet config, the day a parcel goes out, requests, alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from models.dispatch import (
    FULL_SEARCH_STOPS,
    UNPLANNED,
    Delivery,
    FleetConfig,
    WarehouseFleet,
    build_request,
    clock_minutes,
    dispatch_day,
    search_effort,
    summarise,
    unplanned_alerts,
)
from models.routing import LAMBDAS, plan_dispatch
from models.routing_request import Depot

DEPOT = Depot(warehouse_id="WH-SH", lat=31.2304, lon=121.4737)
DAY = date(2026, 12, 3)


def _delivery(order_id: str, kg: float = 10.0, north_km: float = 3.0) -> Delivery:
    return Delivery(
        order_id=order_id, lat=DEPOT.lat + north_km / 111.2, lon=DEPOT.lon, weight_kg=kg
    )


def test_a_parcel_ready_before_the_plan_hour_goes_out_that_day() -> None:
    assert dispatch_day(datetime(2026, 12, 3, 4, 59, tzinfo=UTC)) == DAY
    assert dispatch_day(datetime(2026, 12, 3, 5, 0, tzinfo=UTC)) == date(2026, 12, 4)
    assert dispatch_day(datetime(2026, 12, 3, 23, 0, tzinfo=UTC)) == date(2026, 12, 4)


def test_the_fleet_config_turns_into_the_routing_fleet() -> None:
    fleet = WarehouseFleet(vans=2, capacity_kg=300, shift_start="08:30", shift_end="17:00")
    routing = fleet.fleet()
    assert (routing.vans, routing.capacity_kg) == (2, 300)
    assert (routing.shift_start_min, routing.shift_end_min) == (510, 1020)
    assert clock_minutes("00:00") == 0
    with pytest.raises(ValidationError):
        WarehouseFleet(shift_start="8 o'clock")


def test_the_shipped_fleet_file_is_valid_and_a_warehouse_without_vans_has_none() -> None:
    config = FleetConfig.model_validate_json(
        (Path(__file__).parents[2] / "data" / "fleet.json").read_text()
    )
    assert config.of("WH-SH").vans > 0
    assert config.of("WH-NOWHERE").vans == 0
    assert config.of("WH-SH").cost_per_km == Decimal("1.20")


def test_the_request_has_one_stop_an_order_in_id_order() -> None:
    deliveries = [_delivery("SO-2", kg=5), _delivery("SO-1", kg=4), _delivery("SO-2", kg=2)]
    request = build_request(DEPOT, WarehouseFleet(vans=1, service_min=4), deliveries)
    assert [s.stop_id for s in request.stops] == ["SO-1", "SO-2"]
    assert request.stops[1].weight_kg == 7  # both parcels of SO-2 go to one door
    assert request.stops[0].service_min == 4 and request.stops[0].order_ids == ["SO-1"]


def test_stops_no_van_can_take_become_one_alert_per_warehouse() -> None:
    fleet = WarehouseFleet(vans=1, capacity_kg=50)
    request = build_request(DEPOT, fleet, [_delivery("SO-1", 30), _delivery("SO-2", 80)])
    plan = plan_dispatch(request)
    alerts = unplanned_alerts(DAY, [plan])
    assert [a.event for a in alerts] == [UNPLANNED]
    assert alerts[0].body.startswith("WH-SH 2026-12-03: 1 delivery not on a van: SO-2")
    again = unplanned_alerts(DAY, [plan_dispatch(request)])
    assert again[0].idempotency_key == alerts[0].idempotency_key  # a re-run alerts once
    summary = summarise(DAY, [plan], alerts)
    only = summary.warehouses[0]
    assert (only.stops, only.served, only.vans_used, only.unserved) == (2, 1, 1, ["SO-2"])
    assert summary.alerts == [alerts[0].body]


def test_a_day_with_every_stop_on_a_van_raises_no_alert() -> None:
    request = build_request(DEPOT, WarehouseFleet(vans=2), [_delivery("SO-1"), _delivery("SO-2")])
    assert unplanned_alerts(DAY, [plan_dispatch(request)]) == []


def test_a_big_day_gets_a_lighter_search_to_stay_inside_the_activity_timeout() -> None:
    assert search_effort(FULL_SEARCH_STOPS) == (LAMBDAS, None)
    lambdas, ruin_rounds = search_effort(FULL_SEARCH_STOPS + 1)
    assert 0 < len(lambdas) < len(LAMBDAS) and ruin_rounds == 0
