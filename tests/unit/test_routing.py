"""Route planning for the own fleet: capacity, every stop once, depot to depot, near optimal."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from itertools import permutations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from models.routing import (
    Depot,
    DispatchPlan,
    DispatchRequest,
    Fleet,
    Stop,
    build_problem,
    plan_dispatch,
    route_km,
    two_opt,
)
from models.routing_exact import EXACT_STOPS, optimal_dispatch
from models.sourcing import haversine_km

DEPOT = Depot(warehouse_id="WH-SH", lat=31.23, lon=121.47)
KM_LAT = 111.2
KM_LON = 111.2 * math.cos(math.radians(31.23))


def _at(x_km: float, y_km: float) -> tuple[float, float]:
    """A point x km east and y km north of the depot."""
    return DEPOT.lat + y_km / KM_LAT, DEPOT.lon + x_km / KM_LON


def _stop(stop_id: str, x_km: float, y_km: float, kg: float = 10.0, **extra: object) -> Stop:
    lat, lon = _at(x_km, y_km)
    return Stop.model_validate(
        {"stop_id": stop_id, "lat": lat, "lon": lon, "weight_kg": kg, **extra}
    )


def _request(
    stops: list[Stop], vans: int = 2, capacity: float = 100.0, **fleet: object
) -> DispatchRequest:
    return DispatchRequest(
        depot=DEPOT,
        stops=stops,
        fleet=Fleet.model_validate({"vans": vans, "capacity_kg": capacity, **fleet}),
    )


def _random_request(rng: random.Random, stops: int, vans: int, slack: float) -> DispatchRequest:
    """Stops in a 30 x 30 km city, the fleet carrying `slack` times the day's weight."""
    day = [
        _stop(f"S-{i:02d}", rng.uniform(-15, 15), rng.uniform(-15, 15), kg=rng.randint(5, 120))
        for i in range(stops)
    ]
    capacity = max(max(s.weight_kg for s in day), sum(s.weight_kg for s in day) / vans * slack)
    return _request(day, vans=vans, capacity=round(capacity))


def _closed_km(plan_route: list[str], stops: dict[str, Stop]) -> float:
    points = [(DEPOT.lat, DEPOT.lon), *((stops[s].lat, stops[s].lon) for s in plan_route)]
    points.append((DEPOT.lat, DEPOT.lon))
    return sum(haversine_km(*a, *b) for a, b in zip(points, points[1:], strict=False))


def _check(plan: DispatchPlan, request: DispatchRequest) -> None:
    """Every invariant a plan must keep, whatever the instance."""
    stops = {s.stop_id: s for s in request.stops}
    served = [s for r in plan.routes for s in r.stops]
    assert len(plan.routes) == request.fleet.vans
    assert sorted(served + plan.unserved_ids) == sorted(stops)  # each stop exactly once
    assert len(set(served)) == len(served)
    for route in plan.routes:
        assert route.load_kg <= request.fleet.capacity_kg + 1e-6
        assert route.load_kg == pytest.approx(sum(stops[s].weight_kg for s in route.stops))
        km = _closed_km(route.stops, stops) * request.fleet.road_factor  # depot to depot
        assert route.distance_km == pytest.approx(km, abs=1e-3)
        assert len(route.arrivals_min) == len(route.stops)
        for stop_id, arrival in zip(route.stops, route.arrivals_min, strict=True):
            due = stops[stop_id].due_min
            assert due is None or arrival <= due + 0.05
    assert plan.total_distance_km == pytest.approx(
        sum(r.distance_km for r in plan.routes), abs=1e-2
    )


def _gap(plan: DispatchPlan, best: DispatchPlan) -> float:
    assert plan.served == best.served
    return plan.total_distance_km / best.total_distance_km - 1 if best.total_distance_km else 0.0


def test_vans_stay_within_capacity_and_every_stop_is_served_once_or_reported() -> None:
    rng = random.Random(4)
    for _ in range(25):
        request = _random_request(rng, rng.randint(5, 14), rng.randint(1, 4), rng.uniform(0.7, 1.5))
        _check(plan_dispatch(request), request)


@settings(max_examples=25, deadline=None)
@given(
    weights=st.lists(st.integers(1, 150), min_size=1, max_size=10),
    vans=st.integers(0, 4),
    capacity=st.integers(40, 300),
    seed=st.integers(0, 10_000),
)
def test_any_day_gives_a_plan_that_keeps_every_invariant(
    weights: list[int], vans: int, capacity: int, seed: int
) -> None:
    rng = random.Random(seed)
    stops = [
        _stop(f"S-{i}", rng.uniform(-15, 15), rng.uniform(-15, 15), kg=w)
        for i, w in enumerate(weights)
    ]
    request = _request(stops, vans=vans, capacity=capacity)
    _check(plan_dispatch(request), request)


def test_routes_start_and_end_at_the_depot_and_the_clock_follows_the_road() -> None:
    stops = [_stop("A", 5, 0), _stop("B", 5, 5), _stop("C", 0, 5)]
    request = _request(stops, vans=1, speed_kmh=30.0, road_factor=1.3, shift_start_min=480)
    route = plan_dispatch(request).routes[0]
    assert route.stops in (["A", "B", "C"], ["C", "B", "A"])
    assert route.distance_km == pytest.approx(4 * 5 * 1.3, rel=0.01)  # a square, depot at a corner
    first = haversine_km(DEPOT.lat, DEPOT.lon, stops[0].lat, stops[0].lon) * 1.3
    assert route.arrivals_min[0] == pytest.approx(480 + first * 2, abs=0.1)  # 30 km/h
    assert route.return_min == pytest.approx(480 + route.distance_km * 2, abs=0.1)


def test_two_opt_removes_a_crossing() -> None:
    # A square east of the depot, visited corner, opposite corner, corner: two diagonals.
    stops = [_stop("A", 4, -2), _stop("B", 8, -2), _stop("C", 8, 2), _stop("D", 4, 2)]
    p = build_problem(_request(stops, vans=1))
    crossed = [1, 3, 2, 4]  # A, C, B, D
    fixed = two_opt(p, crossed)
    assert fixed in ([1, 2, 3, 4], [4, 3, 2, 1])
    assert route_km(p, fixed) == pytest.approx(route_km(p, crossed) - 2 * (32**0.5 - 4), abs=0.05)


def test_one_van_visits_stops_on_a_circle_in_order() -> None:
    # The depot and seven stops on one circle: the shortest tour goes round it.
    angles = [0.3, 1.1, 1.9, 2.6, 3.5, 4.4, 5.2]  # the depot sits at angle 3pi/2
    stops = [
        _stop(f"S-{k}", 6 * math.cos(a), 6 + 6 * math.sin(a), kg=1) for k, a in enumerate(angles)
    ]
    request = _request(stops, vans=1)
    plan = plan_dispatch(request)
    order = ["S-6", *(f"S-{k}" for k in range(6))]  # round from the depot at 3pi/2
    assert plan.routes[0].stops in (order, order[::-1])
    assert plan.total_distance_km == pytest.approx(optimal_dispatch(request).total_distance_km)


def test_the_plan_is_deterministic_and_ignores_the_order_stops_come_in() -> None:
    request = _random_request(random.Random(9), 12, 3, 1.1)
    plan = plan_dispatch(request)
    assert plan_dispatch(request) == plan
    shuffled = request.model_copy(update={"stops": request.stops[::-1]})
    assert plan_dispatch(shuffled) == plan


def test_heuristic_is_within_5_percent_of_the_optimum_on_small_days() -> None:
    rng = random.Random(2026)
    gaps = []
    for _ in range(30):
        request = _random_request(rng, rng.randint(6, 8), rng.randint(2, 3), rng.uniform(0.85, 1.5))
        gaps.append(_gap(plan_dispatch(request), optimal_dispatch(request)))
    assert max(gaps) <= 0.05
    assert sum(gaps) / len(gaps) <= 0.01


@pytest.mark.parametrize(
    "stops",
    [
        [_stop("A", 3, 4)],
        [_stop("A", 3, 4), _stop("B", -2, 6)],
        [_stop("A", 3, 4), _stop("B", -2, 6), _stop("C", 0, -7)],
    ],
)
def test_trivial_days_get_the_optimum(stops: list[Stop]) -> None:
    for vans in (1, 3):
        request = _request(stops, vans=vans)
        plan, best = plan_dispatch(request), optimal_dispatch(request)
        assert plan.total_distance_km == pytest.approx(best.total_distance_km)
        assert plan.served == best.served == len(stops)


def test_a_lone_stop_is_a_round_trip() -> None:
    plan = plan_dispatch(_request([_stop("A", 3, 4)], vans=2))
    assert plan.total_distance_km == pytest.approx(10, rel=0.01)
    assert [r.stops for r in plan.routes] == [["A"], []]  # one route a van, the idle one empty


def test_exact_solver_agrees_with_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(6):
        request = _random_request(rng, 5, 2, rng.uniform(0.7, 1.3))
        p = build_problem(request)
        nodes = p.servable
        best = (0, 0.0)  # (-served, km)
        for owner in product(range(-1, p.vans), repeat=len(nodes)):  # -1: unserved
            groups = [
                [n for n, o in zip(nodes, owner, strict=True) if o == v] for v in range(p.vans)
            ]
            if any(sum(p.kg[n] for n in g) > p.cap_kg for g in groups):
                continue
            km = sum(min(route_km(p, list(order)) for order in permutations(g)) for g in groups)
            key = (-sum(o >= 0 for o in owner), km)
            if best == (0, 0.0) or key < best:
                best = key
        plan = optimal_dispatch(request)
        assert plan.served == -best[0]
        assert plan.total_distance_km == pytest.approx(best[1], abs=1e-3)


def test_a_parcel_heavier_than_a_van_is_left_with_the_reason() -> None:
    request = _request([_stop("A", 3, 4), _stop("BIG", 1, 1, kg=250)], vans=2, capacity=200)
    plan = plan_dispatch(request)
    assert plan.unserved_ids == ["BIG"]
    assert plan.unserved[0].reason == "heavier than a van (250 kg > 200 kg)"
    assert "BIG (heavier than a van" in plan.explanation


def test_a_short_fleet_serves_as_many_stops_as_the_optimum() -> None:
    rng = random.Random(31)
    for _ in range(12):
        request = _random_request(rng, rng.randint(6, 8), 2, rng.uniform(0.6, 0.85))
        plan, best = plan_dispatch(request), optimal_dispatch(request)
        assert plan.served == best.served
        assert plan.unserved
        assert {u.reason for u in plan.unserved} <= {"no room left in the fleet"}
        assert _gap(plan, best) <= 0.05


def test_a_volume_limit_counts_like_weight() -> None:
    stops = [_stop(s, x, 3, kg=1, volume_l=600) for s, x in (("A", -4), ("B", 0), ("C", 4))]
    request = _request(stops, vans=2, capacity=100, capacity_l=1000)
    plan = plan_dispatch(request)
    assert [len(r.stops) for r in plan.routes] == [1, 1]
    assert plan.unserved[0].reason == "no room left in the fleet"
    assert plan_dispatch(_request(stops, vans=3, capacity=100, capacity_l=1000)).served == 3


def test_time_windows_are_kept_even_when_that_drives_further() -> None:
    # Nearest first would be A, B, C; C must be served before 09:00 and A after 10:00.
    stops = [
        _stop("A", 2, 0, ready_min=600, due_min=720),
        _stop("B", 4, 0),
        _stop("C", 8, 0, ready_min=480, due_min=540),
    ]
    request = _request(stops, vans=1, speed_kmh=20.0, shift_start_min=480)
    plan = plan_dispatch(request)
    _check(plan, request)
    assert plan.routes[0].stops == ["C", "B", "A"]
    assert plan.routes[0].arrivals_min[0] <= 540
    assert plan.total_distance_km == pytest.approx(optimal_dispatch(request).total_distance_km)


def test_windows_and_a_shift_end_stay_close_to_the_optimum() -> None:
    rng = random.Random(12)
    for _ in range(10):
        day = _random_request(rng, rng.randint(6, 8), 2, 1.3)
        stops = [
            s.model_copy(update={"ready_min": r, "due_min": r + 120, "service_min": 5.0})
            if rng.random() < 0.5
            else s
            for s, r in ((s, rng.choice(range(540, 960, 60))) for s in day.stops)
        ]
        request = _request(
            stops, vans=2, capacity=day.fleet.capacity_kg, shift_end_min=1200, speed_kmh=25.0
        )
        plan, best = plan_dispatch(request), optimal_dispatch(request)
        _check(plan, request)
        assert all(r.return_min <= 1200 for r in plan.routes)
        assert _gap(plan, best) <= 0.05


def test_a_stop_out_of_reach_in_its_window_is_left_with_the_reason() -> None:
    stops = [_stop("FAR", 40, 0, due_min=490), _stop("A", 2, 2)]
    plan = plan_dispatch(_request(stops, vans=1, speed_kmh=20.0, shift_start_min=480))
    assert plan.unserved_ids == ["FAR"]
    assert "out of reach" in plan.unserved[0].reason


def test_no_vans_or_no_stops_give_an_empty_plan() -> None:
    plan = plan_dispatch(_request([_stop("A", 1, 1)], vans=0))
    assert plan.routes == []
    assert plan.unserved[0].reason == "no van available"
    empty = plan_dispatch(_request([], vans=2))
    assert empty.served == 0
    assert empty.total_distance_km == 0
    assert [r.stops for r in empty.routes] == [[], []]


def test_cost_and_explanation_say_what_the_plan_is() -> None:
    stops = [_stop("A", 3, 4), _stop("B", -3, 4), _stop("C", 0, -5, kg=60)]
    request = _request(stops, vans=2, capacity=70, cost_per_km=Decimal("1.50"))
    plan = plan_dispatch(request)
    assert plan.total_cost == sum(r.cost for r in plan.routes)
    for r in plan.routes:
        assert r.cost == (Decimal(f"{r.distance_km:.3f}") * Decimal("1.50")).quantize(
            Decimal("0.01")
        )
    assert plan.explanation.startswith(
        f"WH-SH: 2 of 2 vans, 3 stops, {plan.total_distance_km:.1f} km"
    )
    assert "savings" in plan.method
    assert "van 1: " in plan.explanation


def test_requests_with_duplicate_stops_or_backwards_windows_are_refused() -> None:
    with pytest.raises(ValidationError, match="unique"):
        _request([_stop("A", 1, 1), _stop("A", 2, 2)])
    with pytest.raises(ValidationError, match="ready_min after due_min"):
        _stop("A", 1, 1, ready_min=700, due_min=600)


def test_the_exact_solver_refuses_a_big_day() -> None:
    stops = [_stop(f"S-{i:02d}", i, 1) for i in range(EXACT_STOPS + 1)]
    with pytest.raises(ValueError, match="at most"):
        optimal_dispatch(_request(stops, vans=3, capacity=1000))
