"""The dispatch request as numbers, and what a route costs and whether it is allowed.

Node 0 is the depot, node i the i-th stop by id (so the plan does not depend on the
order the stops come in). Distances are great-circle kilometres times the fleet's
`road_factor`; a van that is early at a stop waits for its window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from models.routing_request import DispatchRequest, Stop
from models.sourcing import haversine_km

EPS = 1e-9


Route = list[int]  # stop nodes 1..n in visiting order; the depot (node 0) is implicit


@dataclass(frozen=True)
class RoutingProblem:
    """The request as numbers: node 0 the depot, node i the i-th stop by id."""

    request: DispatchRequest
    stops: tuple[Stop, ...]  # by id; node i is stops[i - 1]
    km: tuple[tuple[float, ...], ...]
    kg: tuple[float, ...]  # by node, 0 for the depot
    litres: tuple[float, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]  # the depot's: the end of the shift
    service: tuple[float, ...]
    cap_kg: float
    cap_l: float
    vans: int
    minutes_per_km: float
    start: float
    timed: bool  # some window or a shift end: schedules must be checked
    servable: tuple[int, ...]  # nodes a van can serve on its own
    refused: dict[int, str]  # node -> why no van can

    def stop_id(self, node: int) -> str:
        return self.stops[node - 1].stop_id

    def fits(self, kg: float, litres: float) -> bool:
        return kg <= self.cap_kg + EPS and litres <= self.cap_l + EPS


def build_problem(request: DispatchRequest) -> RoutingProblem:
    depot, fleet = request.depot, request.fleet
    stops = tuple(sorted(request.stops, key=lambda s: s.stop_id))
    points = [(depot.lat, depot.lon), *((s.lat, s.lon) for s in stops)]
    km = tuple(
        tuple(0.0 if a == b else haversine_km(*a, *b) * fleet.road_factor for b in points)
        for a in points
    )
    inf = math.inf
    ready = (
        float(fleet.shift_start_min),
        *(-inf if s.ready_min is None else s.ready_min for s in stops),
    )
    end = inf if fleet.shift_end_min is None else float(fleet.shift_end_min)
    due = (end, *(inf if s.due_min is None else float(s.due_min) for s in stops))
    timed = end < inf or any(s.ready_min is not None or s.due_min is not None for s in stops)
    p = RoutingProblem(
        request=request,
        stops=stops,
        km=km,
        kg=(0.0, *(s.weight_kg for s in stops)),
        litres=(0.0, *(s.volume_l for s in stops)),
        ready=ready,
        due=due,
        service=(0.0, *(s.service_min for s in stops)),
        cap_kg=fleet.capacity_kg,
        cap_l=inf if fleet.capacity_l is None else fleet.capacity_l,
        vans=fleet.vans,
        minutes_per_km=60.0 / fleet.speed_kmh,
        start=float(fleet.shift_start_min),
        timed=timed,
        servable=(),
        refused={},
    )
    refused: dict[int, str] = {}
    for node, stop in enumerate(stops, start=1):
        if fleet.vans == 0:
            refused[node] = "no van available"
        elif stop.weight_kg > p.cap_kg + EPS:
            refused[node] = f"heavier than a van ({stop.weight_kg:g} kg > {p.cap_kg:g} kg)"
        elif stop.volume_l > p.cap_l + EPS:
            refused[node] = f"bulkier than a van ({stop.volume_l:g} l > {p.cap_l:g} l)"
        elif timed and schedule(p, [node]) is None:
            refused[node] = "out of reach within its time window or the shift"
    servable = tuple(n for n in range(1, len(stops) + 1) if n not in refused)
    return replace(p, servable=servable, refused=refused)


def route_km(p: RoutingProblem, route: Sequence[int]) -> float:
    if not route:
        return 0.0
    km = p.km
    total = km[0][route[0]] + km[route[-1]][0]
    for a, b in zip(route, route[1:], strict=False):
        total += km[a][b]
    return total


def schedule(p: RoutingProblem, route: Sequence[int]) -> list[float] | None:
    """Arrival minute at each stop, then back at the depot; None if a window is missed."""
    t, prev, arrivals = p.start, 0, []
    for node in route:
        t += p.km[prev][node] * p.minutes_per_km
        arrivals.append(t)
        if t > p.due[node] + EPS:
            return None
        t = max(t, p.ready[node]) + p.service[node]
        prev = node
    t += p.km[prev][0] * p.minutes_per_km
    if t > p.due[0] + EPS:
        return None
    arrivals.append(t)
    return arrivals


def load(p: RoutingProblem, route: Sequence[int]) -> tuple[float, float]:
    return sum(p.kg[n] for n in route), sum(p.litres[n] for n in route)


def feasible(p: RoutingProblem, route: Sequence[int]) -> bool:
    return p.fits(*load(p, route)) and (not p.timed or schedule(p, route) is not None)


def total_km(p: RoutingProblem, routes: Sequence[Route]) -> float:
    return sum(route_km(p, r) for r in routes)


def plan_key(
    p: RoutingProblem, routes: Sequence[Route], dropped: Sequence[int]
) -> tuple[int, float]:
    """How plans rank (lower is better): fewer stops unserved, then fewer km; rounded so
    float noise between equal plans decides nothing."""
    return len(dropped), round(total_km(p, routes), 9)
