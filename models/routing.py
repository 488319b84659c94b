"""Route planning for the shop's own same-city fleet: one dispatch plan a warehouse a day.

The problem is a capacitated vehicle-routing problem: every van leaves the depot (the
warehouse) at the start of the shift, visits its stops in order and comes back; a van
never carries more than its capacity (kilograms, and litres when the fleet has a volume
limit); a stop with a time window is reached between its `ready_min` and `due_min`
(minutes after midnight; a van that is early waits); every van is back by the end of
the shift when there is one. Distances are great-circle kilometres times the fleet's
`road_factor`. The objective, in order: serve as many stops as possible, then drive the
fewest kilometres. Ties go to the lower stop ids (stops are indexed by id, so the plan
does not depend on the order the stops come in).

`plan_dispatch`, the heuristic:

1. Refuse up front the stops no van can serve alone (heavier or bulkier than a van, or
   out of reach in their window); they are reported unserved with the reason.
2. Clarke–Wright savings (parallel version): every stop starts on its own route; pairs
   are merged in order of the saving `d(0,i) + d(0,j) - λ·d(i,j)` when both are route
   ends and the merged route fits the van (load, windows). Run for several λ.
3. Fit the fleet: while there are more routes than vans, dissolve the route whose stops
   can be inserted elsewhere (cheapest feasible insertion) at the least extra distance;
   if none can be dissolved whole, the shortest one leaves what does not fit unserved.
4. Local search, best improvement until none: 2-opt within a route, moving a segment of
   1-3 stops (or-opt/relocate, also reversed, also to an idle van), swapping two stops
   of different vans, 2-opt* (two vans swap the tails of their routes), and an unserved
   stop taking a served one's place when that drives less. Unserved stops are inserted
   wherever they fit, or by an ejection (the served stop whose place they take moves to
   another van), before every round.
5. The best plan over the λ runs (most stops served, then fewest km, then λ order). If
   it leaves stops unserved, a packing search (depth-first with a bound and a budget)
   looks for a set of more stops the vans can carry, and routes that set if it does.
6. Ruin and recreate (Schrimpf et al.): take out a stop and its neighbours, stops at
   random, or two or three whole routes; put them back (cheapest insertion in random or
   heaviest-first order, or regret-2 insertion); search locally; accept a plan up to a
   shrinking threshold longer (2% at first), keep the best. It runs `RUIN_ROUNDS` rounds
   on a small plan, fewer on a big one (`RUIN_WORK` / stops), from a fixed seed.

`models.routing_exact.optimal_dispatch` is the exact reference for small instances
(tests and `bench/routing.py`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations

from pydantic import BaseModel, Field, model_validator

from models.sourcing import haversine_km

EPS = 1e-9
LAMBDAS = (1.0, 0.6, 1.4, 1.8, 0.8, 1.2)  # savings shape parameters, one run each
SEGMENT = 3  # longest run of stops a relocate moves
PACK_NODES = 20_000  # search budget of the packing used when the fleet is short
PACK_STOPS = 300  # beyond this the packing search is not tried
MAX_ROUNDS = 5000  # a bound on local-search moves (never reached in practice)
RUIN_ROUNDS = 100  # ruin-and-recreate rounds on a small plan
RUIN_WORK = 1000  # fewer rounds on a big plan: RUIN_WORK / stops
RUIN_MAX = 10  # stops removed in a round, at most
RUIN_SEED = 20  # ruin and recreate draws from a fixed seed: the plan is deterministic
RUIN_THRESHOLD = 0.02  # how much longer a plan ruin and recreate accepts, at first

Route = list[int]  # stop nodes 1..n in visiting order; the depot (node 0) is implicit


class Depot(BaseModel):
    warehouse_id: str
    lat: float
    lon: float


class Stop(BaseModel):
    stop_id: str = Field(min_length=1)
    lat: float
    lon: float
    weight_kg: float = Field(default=0.0, ge=0)
    volume_l: float = Field(default=0.0, ge=0)
    ready_min: int | None = None  # earliest arrival, minutes after midnight
    due_min: int | None = None  # latest arrival
    service_min: float = Field(default=0.0, ge=0)  # time spent at the door
    order_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Stop:
        if (
            self.ready_min is not None
            and self.due_min is not None
            and self.ready_min > self.due_min
        ):
            raise ValueError(f"stop {self.stop_id}: ready_min after due_min")
        return self


class Fleet(BaseModel):
    vans: int = Field(ge=0)
    capacity_kg: float = Field(gt=0)
    capacity_l: float | None = Field(default=None, gt=0)  # None: volume is no limit
    speed_kmh: float = Field(default=25.0, gt=0)
    cost_per_km: Decimal = Decimal("0.00")
    road_factor: float = Field(default=1.0, ge=1.0)  # road km per great-circle km
    shift_start_min: int = 8 * 60
    shift_end_min: int | None = None  # every van back by then


class DispatchRequest(BaseModel):
    depot: Depot
    stops: list[Stop] = Field(default_factory=list)
    fleet: Fleet

    @model_validator(mode="after")
    def _unique(self) -> DispatchRequest:
        ids = [s.stop_id for s in self.stops]
        if len(set(ids)) != len(ids):
            raise ValueError("stop ids must be unique")
        return self


class VanRoute(BaseModel):
    van: int  # 1-based
    stops: list[str] = Field(default_factory=list)  # visiting order, depot at both ends
    arrivals_min: list[float] = Field(default_factory=list)  # one a stop
    return_min: float = 0.0
    load_kg: float = 0.0
    volume_l: float = 0.0
    distance_km: float = 0.0
    cost: Decimal = Decimal("0.00")


class Unserved(BaseModel):
    stop_id: str
    reason: str


class DispatchPlan(BaseModel):
    warehouse_id: str
    routes: list[VanRoute] = Field(default_factory=list)  # one a van, idle vans included
    unserved: list[Unserved] = Field(default_factory=list)
    total_distance_km: float = 0.0
    total_cost: Decimal = Decimal("0.00")
    method: str = ""
    explanation: str = ""

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)

    @property
    def unserved_ids(self) -> list[str]:
        return [u.stop_id for u in self.unserved]


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


def two_opt(p: RoutingProblem, route: Sequence[int]) -> Route:
    """A route with no improving 2-opt move left (reversals that break a window are skipped)."""
    best = list(route)
    while True:
        move = _two_opt_move(p, best)
        if move is None:
            return best
        best = move[1]


def _two_opt_move(p: RoutingProblem, r: Route, bound: float = -EPS) -> tuple[float, Route] | None:
    """The best reversal that saves more than `-bound` km and keeps the windows."""
    km, found, best = p.km, None, bound
    ends = [0, *r, 0]  # ends[k + 1] is r[k]
    for i in range(len(r) - 1):
        a, b = ends[i], ends[i + 1]
        for j in range(i + 1, len(r)):
            c, d = ends[j + 1], ends[j + 2]
            delta = km[a][c] + km[b][d] - km[a][b] - km[c][d]
            if delta < best:
                candidate = r[:i] + r[i : j + 1][::-1] + r[j + 1 :]
                if not p.timed or schedule(p, candidate) is not None:
                    found, best = candidate, delta
    return None if found is None else (best, found)


# -- construction: Clarke–Wright savings, then as many routes as there are vans --


def savings(p: RoutingProblem, lam: float) -> list[Route]:
    km = p.km
    routes: dict[int, Route] = {n: [n] for n in p.servable}
    owner = {n: n for n in p.servable}
    loads = {n: (p.kg[n], p.litres[n]) for n in p.servable}
    pairs = sorted(
        ((km[0][i] + km[0][j] - lam * km[i][j], i, j) for i, j in combinations(p.servable, 2)),
        key=lambda s: (-s[0], s[1], s[2]),
    )
    for saving, i, j in pairs:
        if saving <= EPS:
            break
        a, b = owner[i], owner[j]
        kg, litres = loads[a][0] + loads[b][0], loads[a][1] + loads[b][1]
        if a == b or not p.fits(kg, litres):
            continue
        left, right = routes[a], routes[b]
        if left[-1] != i:
            if left[0] != i:
                continue
            left = left[::-1]
        if right[0] != j:
            if right[-1] != j:
                continue
            right = right[::-1]
        merged = left + right
        if p.timed and schedule(p, merged) is None:
            merged = merged[::-1]
            if schedule(p, merged) is None:
                continue
        routes[a], loads[a] = merged, (kg, litres)
        del routes[b]
        for n in right:
            owner[n] = a
    return [routes[k] for k in sorted(routes)]


def _insertions(p: RoutingProblem, routes: list[Route], node: int) -> list[tuple[float, int, int]]:
    """For each van with room, the cheapest feasible place for `node`: (extra km, route
    index, position), cheapest first; one idle van stands for all of them."""
    km, found = p.km, []
    idle_seen = False
    for ri, r in enumerate(routes):
        if not r:
            if idle_seen:
                continue
            idle_seen = True
        kg, litres = load(p, r)
        if not p.fits(kg + p.kg[node], litres + p.litres[node]):
            continue
        ends, best = [0, *r, 0], None
        for pos in range(len(r) + 1):
            a, b = ends[pos], ends[pos + 1]
            extra = km[a][node] + km[node][b] - km[a][b]
            if best is not None and extra >= best[0] - EPS:
                continue
            if p.timed and schedule(p, r[:pos] + [node] + r[pos:]) is None:
                continue
            best = (extra, ri, pos)
        if best is not None:
            found.append(best)
    return sorted(found)


def _cheapest_insertion(
    p: RoutingProblem, routes: list[Route], node: int
) -> tuple[float, int, int] | None:
    found = _insertions(p, routes, node)
    return found[0] if found else None


def _insert_by_regret(p: RoutingProblem, routes: list[Route], nodes: Sequence[int]) -> list[int]:
    """Regret-2 insertion in place: the stop that would lose most by waiting (its second
    best van against its best) goes first. Returns the stops left over."""
    todo, left = sorted(nodes), []
    while todo:
        pick: tuple[float, float, int, tuple[float, int, int]] | None = None
        for node in todo:
            places = _insertions(p, routes, node)
            if not places:
                left.append(node)
                continue
            regret = places[1][0] - places[0][0] if len(places) > 1 else math.inf
            key = (-regret, places[0][0], node, places[0])
            if pick is None or key < pick:
                pick = key
        todo = [n for n in todo if n not in left]
        if pick is None:
            break
        _, _, node, (_, ri, pos) = pick
        routes[ri].insert(pos, node)
        todo.remove(node)
    return sorted(left)


def _insert_all(
    p: RoutingProblem, routes: list[Route], nodes: Sequence[int], *, heavy_first: bool = True
) -> tuple[float, list[int]]:
    """Insert `nodes` (heaviest first, or as given) into `routes` in place: extra km and
    the nodes left over."""
    extra, left = 0.0, []
    order = sorted(nodes, key=lambda n: (-p.kg[n], -p.litres[n], n)) if heavy_first else nodes
    for node in order:
        place = _cheapest_insertion(p, routes, node)
        if place is None:
            left.append(node)
            continue
        extra += place[0]
        routes[place[1]].insert(place[2], node)
    return extra, sorted(left)


def fit_fleet(p: RoutingProblem, routes: list[Route]) -> tuple[list[Route], list[int]]:
    """One route a van (idle vans get empty routes), and the stops that found no room."""
    routes = [list(r) for r in routes if r]
    dropped: list[int] = []
    while len(routes) > p.vans:
        best: tuple[int, float, int, list[Route], list[int]] | None = None
        for idx, r in enumerate(routes):
            others = [list(o) for k, o in enumerate(routes) if k != idx]
            extra, left = _insert_all(p, others, r)
            key = (len(left), extra - route_km(p, r), idx)
            if best is None or key < best[:3]:
                best = (*key, others, left)
        assert best is not None
        routes, dropped = best[3], dropped + best[4]
    return routes + [[] for _ in range(p.vans - len(routes))], sorted(dropped)


def insert_unserved(
    p: RoutingProblem, routes: list[Route], dropped: Sequence[int]
) -> tuple[list[Route], list[int]]:
    routes = [list(r) for r in routes]
    _, left = _insert_all(p, routes, dropped)
    return routes, left


# -- local search: best improvement over 2-opt, relocate, swap and 2-opt* --


class _Best:
    """The best move seen so far in one round; offers are checked against windows."""

    def __init__(self, p: RoutingProblem) -> None:
        self.p, self.delta = p, -EPS
        self.changes: list[tuple[int, Route]] = []
        self.pool: list[int] | None = None  # the unserved stops after the move, if it changes them

    def offer(
        self, delta: float, changes: list[tuple[int, Route]], pool: list[int] | None = None
    ) -> None:
        if self.p.timed and any(schedule(self.p, r) is None for _, r in changes):
            return
        self.delta, self.changes, self.pool = delta, changes, pool


def _relocates(
    p: RoutingProblem, routes: list[Route], loads: list[tuple[float, float]], best: _Best
) -> None:
    km = p.km
    idle = next((k for k, r in enumerate(routes) if not r), -1)
    for ai, a_route in enumerate(routes):
        m = len(a_route)
        for i in range(m):
            prev = a_route[i - 1] if i else 0
            for length in range(1, min(SEGMENT, m - i) + 1):
                seg = a_route[i : i + length]
                nxt = a_route[i + length] if i + length < m else 0
                gain = km[prev][seg[0]] + km[seg[-1]][nxt] - km[prev][nxt]
                seg_kg = sum(p.kg[n] for n in seg)
                seg_l = sum(p.litres[n] for n in seg)
                rest = a_route[:i] + a_route[i + length :]
                for bi, b_route in enumerate(routes):
                    if bi == ai:
                        target = rest
                    elif b_route or bi == idle:
                        if (not b_route and length == m) or not p.fits(
                            loads[bi][0] + seg_kg, loads[bi][1] + seg_l
                        ):
                            continue
                        target = b_route
                    else:
                        continue
                    ends = [0, *target, 0]
                    for pos in range(len(target) + 1):
                        u, v = ends[pos], ends[pos + 1]
                        for flip in (False, True) if length > 1 else (False,):
                            first, last = (seg[-1], seg[0]) if flip else (seg[0], seg[-1])
                            delta = km[u][first] + km[last][v] - km[u][v] - gain
                            if delta >= best.delta:
                                continue
                            moved = target[:pos] + (seg[::-1] if flip else seg) + target[pos:]
                            if bi == ai:
                                best.offer(delta, [(ai, moved)])
                            else:
                                best.offer(delta, [(ai, rest), (bi, moved)])


def _swaps(
    p: RoutingProblem, routes: list[Route], loads: list[tuple[float, float]], best: _Best
) -> None:
    km = p.km
    for ai, bi in combinations(range(len(routes)), 2):
        a_route, b_route = routes[ai], routes[bi]
        a_ends, b_ends = [0, *a_route, 0], [0, *b_route, 0]
        for i, a in enumerate(a_route):
            pa, na = a_ends[i], a_ends[i + 2]
            for j, b in enumerate(b_route):
                pb, nb = b_ends[j], b_ends[j + 2]
                delta = (
                    km[pa][b] + km[b][na] - km[pa][a] - km[a][na]
                    + km[pb][a] + km[a][nb] - km[pb][b] - km[b][nb]
                )  # fmt: skip
                if delta >= best.delta:
                    continue
                dkg, dl = p.kg[b] - p.kg[a], p.litres[b] - p.litres[a]
                if not (
                    p.fits(loads[ai][0] + dkg, loads[ai][1] + dl)
                    and p.fits(loads[bi][0] - dkg, loads[bi][1] - dl)
                ):
                    continue
                new_a = a_route[:i] + [b] + a_route[i + 1 :]
                new_b = b_route[:j] + [a] + b_route[j + 1 :]
                best.offer(delta, [(ai, new_a), (bi, new_b)])


def _prefix_loads(p: RoutingProblem, route: Route) -> list[tuple[float, float]]:
    out, kg, litres = [(0.0, 0.0)], 0.0, 0.0
    for n in route:
        kg, litres = kg + p.kg[n], litres + p.litres[n]
        out.append((kg, litres))
    return out


def _tail_swaps(p: RoutingProblem, routes: list[Route], best: _Best) -> None:
    """2-opt*: van A keeps its head and takes B's tail, and the other way round."""
    km = p.km
    idle = next((k for k, r in enumerate(routes) if not r), -1)
    for ai, bi in combinations(range(len(routes)), 2):
        a_route, b_route = routes[ai], routes[bi]
        if not a_route or (not b_route and bi != idle):
            continue
        a_pre, b_pre = _prefix_loads(p, a_route), _prefix_loads(p, b_route)
        m, k = len(a_route), len(b_route)
        a_ends, b_ends = [0, *a_route, 0], [0, *b_route, 0]
        for i in range(m + 1):
            a_prev, a_next = a_ends[i], a_ends[i + 1]
            for j in range(k + 1):
                if (i == 0 and j == 0) or (i == m and j == k):
                    continue
                b_prev, b_next = b_ends[j], b_ends[j + 1]
                delta = (
                    km[a_prev][b_next]
                    + km[b_prev][a_next]
                    - km[a_prev][a_next]
                    - km[b_prev][b_next]
                )
                if delta >= best.delta:
                    continue
                if not (
                    p.fits(
                        a_pre[i][0] + b_pre[k][0] - b_pre[j][0],
                        a_pre[i][1] + b_pre[k][1] - b_pre[j][1],
                    )
                    and p.fits(
                        b_pre[j][0] + a_pre[m][0] - a_pre[i][0],
                        b_pre[j][1] + a_pre[m][1] - a_pre[i][1],
                    )
                ):
                    continue
                new_a = a_route[:i] + b_route[j:]
                new_b = b_route[:j] + a_route[i:]
                best.offer(delta, [(ai, new_a), (bi, new_b)])


def _pool_swaps(
    p: RoutingProblem,
    routes: list[Route],
    loads: list[tuple[float, float]],
    dropped: list[int],
    best: _Best,
) -> None:
    """An unserved stop takes a served one's place in its van when that drives less."""
    km = p.km
    for ri, r in enumerate(routes):
        ends = [0, *r, 0]
        for i, out in enumerate(r):
            prev, nxt = ends[i], ends[i + 2]
            gain = km[prev][out] + km[out][nxt] - km[prev][nxt]
            rest = r[:i] + r[i + 1 :]
            rest_ends = [0, *rest, 0]
            for u in dropped:
                kg = loads[ri][0] - p.kg[out] + p.kg[u]
                if not p.fits(kg, loads[ri][1] - p.litres[out] + p.litres[u]):
                    continue
                for pos in range(len(rest) + 1):
                    a, b = rest_ends[pos], rest_ends[pos + 1]
                    delta = km[a][u] + km[u][b] - km[a][b] - gain
                    if delta < best.delta:
                        pool = sorted([*(d for d in dropped if d != u), out])
                        best.offer(delta, [(ri, rest[:pos] + [u] + rest[pos:])], pool)


def _eject(
    p: RoutingProblem, routes: list[Route], dropped: list[int]
) -> tuple[list[Route], int] | None:
    """One more stop served: an unserved stop takes a served one's place and that one
    moves to another van (the cheapest such chain); the new routes and the stop let in."""
    best: tuple[float, list[Route], int] | None = None
    for ri, r in enumerate(routes):
        kg, litres = load(p, r)
        for i, out in enumerate(r):
            for u in dropped:
                if not p.fits(kg - p.kg[out] + p.kg[u], litres - p.litres[out] + p.litres[u]):
                    continue
                trial = [list(o) for o in routes]
                trial[ri] = r[:i] + r[i + 1 :]
                place = _cheapest_insertion(p, [trial[ri]], u)
                if place is None:
                    continue
                trial[ri].insert(place[2], u)
                others = [o for k, o in enumerate(trial) if k != ri]  # the same lists
                place = _cheapest_insertion(p, others, out)
                if place is None:
                    continue
                others[place[1]].insert(place[2], out)
                cost = _km(p, trial)
                if best is None or cost < best[0] - EPS:
                    best = (cost, trial, u)
    return None if best is None else (best[1], best[2])


def improve(
    p: RoutingProblem, routes: list[Route], dropped: Sequence[int] = ()
) -> tuple[list[Route], list[int]]:
    """Local search to a local optimum: unserved stops first (insert, eject), then km."""
    routes, pool = [list(r) for r in routes], sorted(dropped)
    for _ in range(MAX_ROUNDS):
        if pool:
            routes, pool = insert_unserved(p, routes, pool)
        best = _Best(p)
        loads = [load(p, r) for r in routes]
        for ri, r in enumerate(routes):
            move = _two_opt_move(p, r, best.delta)
            if move is not None:
                best.delta, best.changes = move[0], [(ri, move[1])]
        _relocates(p, routes, loads, best)
        _swaps(p, routes, loads, best)
        _tail_swaps(p, routes, best)
        _pool_swaps(p, routes, loads, pool, best)
        if best.changes:
            for ri, r in best.changes:
                routes[ri] = r
            if best.pool is not None:
                pool = best.pool
            continue
        ejected = _eject(p, routes, pool) if pool else None
        if ejected is None:
            break
        routes, pool = ejected[0], [d for d in pool if d != ejected[1]]
    return routes, pool


# -- the plan and its explanation --


def _km(p: RoutingProblem, routes: Sequence[Route]) -> float:
    return sum(route_km(p, r) for r in routes)


def _money(km: float, per_km: Decimal) -> Decimal:
    return (Decimal(f"{km:.3f}") * per_km).quantize(Decimal("0.01"))


def assemble(
    p: RoutingProblem, routes: Sequence[Route], dropped: Sequence[int], method: str
) -> DispatchPlan:
    """The plan from routes of stop nodes; every route must be feasible."""
    fleet = p.request.fleet
    used = [list(r) for r in routes if r]
    if not p.timed:  # either direction drives the same km: the lower stop id first
        used = [r if r[0] <= r[-1] else r[::-1] for r in used]
    used.sort()
    van_routes = []
    for van, r in enumerate([*used, *([] for _ in range(p.vans - len(used)))], start=1):
        times = schedule(p, r)
        kg, litres = load(p, r)
        if times is None or not p.fits(kg, litres):
            raise ValueError(f"infeasible route {[p.stop_id(n) for n in r]}")
        km = route_km(p, r)
        van_routes.append(
            VanRoute(
                van=van,
                stops=[p.stop_id(n) for n in r],
                arrivals_min=[round(t, 1) for t in times[:-1]],
                return_min=round(times[-1], 1),
                load_kg=round(kg, 3),
                volume_l=round(litres, 3),
                distance_km=round(km, 3),
                cost=_money(km, fleet.cost_per_km),
            )
        )
    unserved = [Unserved(stop_id=p.stop_id(n), reason=why) for n, why in p.refused.items()]
    unserved += [
        Unserved(stop_id=p.stop_id(n), reason="no room left in the fleet") for n in dropped
    ]
    plan = DispatchPlan(
        warehouse_id=p.request.depot.warehouse_id,
        routes=van_routes,
        unserved=sorted(unserved, key=lambda u: u.stop_id),
        total_distance_km=round(_km(p, used), 3),
        total_cost=sum((r.cost for r in van_routes), Decimal("0.00")),
        method=method,
    )
    return plan.model_copy(update={"explanation": _explain(p, plan)})


def _explain(p: RoutingProblem, plan: DispatchPlan) -> str:
    used = [r for r in plan.routes if r.stops]
    text = (
        f"{plan.warehouse_id}: {len(used)} of {p.vans} vans, {plan.served} stops, "
        f"{plan.total_distance_km:.1f} km"
    )
    if plan.total_cost:
        text += f", cost {plan.total_cost}"
    text += f"; {plan.method}"
    if plan.unserved:
        text += f"; {len(plan.unserved)} unserved: " + ", ".join(
            f"{u.stop_id} ({u.reason})" for u in plan.unserved
        )
    for r in used:
        text += (
            f"; van {r.van}: {len(r.stops)} stops, {r.load_kg:g}/{p.cap_kg:g} kg, "
            f"{r.distance_km:.1f} km, back at {_clock(r.return_min)}"
        )
    return text


def _clock(minutes: float) -> str:
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _size(p: RoutingProblem, node: int) -> float:
    return max(p.kg[node] / p.cap_kg, p.litres[node] / p.cap_l)


def _smallest(sizes: list[float], room: float) -> int:
    """How many of `sizes` (ascending) fit in `room` together."""
    count, used = 0, 0.0
    for size in sizes:
        used += size
        if used > room + EPS:
            break
        count += 1
    return count


def pack_first(p: RoutingProblem, served: int) -> tuple[list[Route], list[int]] | None:
    """When the fleet is short: the most stops the vans can carry, by depth-first search
    over the stops (largest first; put in the first van with room, else leave out) with
    a bound and a node budget; each van's stops are then ordered by insertion. Only if
    that serves more than `served`, else None. Windows are left to the insertion."""
    items = sorted(p.servable, key=lambda n: (-_size(p, n), n))
    if len(items) > PACK_STOPS:
        return None
    kg_left = [sorted(p.kg[n] for n in items[i:]) for i in range(len(items) + 1)]
    l_left = [sorted(p.litres[n] for n in items[i:]) for i in range(len(items) + 1)]
    bins: list[list[int]] = [[] for _ in range(p.vans)]
    loads = [[0.0, 0.0] for _ in bins]
    found: list[list[int]] = []
    best, nodes = served, 0

    def search(i: int, count: int) -> None:
        nonlocal best, nodes
        nodes += 1
        room_kg = p.vans * p.cap_kg - sum(ld[0] for ld in loads)
        room_l = p.vans * p.cap_l - sum(ld[1] for ld in loads)
        reach = count + min(_smallest(kg_left[i], room_kg), _smallest(l_left[i], room_l))
        if nodes > PACK_NODES or reach <= best:
            return
        if i == len(items):
            best, found[:] = count, [list(b) for b in bins]
            return
        n, tried = items[i], set()
        for b, ld in zip(bins, loads, strict=True):
            if (ld[0], ld[1]) in tried or not p.fits(ld[0] + p.kg[n], ld[1] + p.litres[n]):
                continue
            tried.add((ld[0], ld[1]))  # a van loaded alike is the same choice
            b.append(n)
            ld[0], ld[1] = ld[0] + p.kg[n], ld[1] + p.litres[n]
            search(i + 1, count + 1)
            b.pop()
            ld[0], ld[1] = ld[0] - p.kg[n], ld[1] - p.litres[n]
        search(i + 1, count)

    search(0, 0)
    if not found:
        return None
    routes, dropped = [], [n for n in items if not any(n in b for b in found)]
    for b in found:
        route: list[Route] = [[]]
        _, left = _insert_all(p, route, sorted(b, key=lambda n: (-p.km[0][n], n)))
        routes.append(two_opt(p, route[0]))
        dropped += left
    return routes, sorted(dropped)


def _key(p: RoutingProblem, routes: Sequence[Route], dropped: Sequence[int]) -> tuple[int, float]:
    return len(dropped), round(_km(p, routes), 9)


def _ruin(rng: random.Random, p: RoutingProblem, routes: list[Route], kind: int) -> list[int]:
    """The stops to take out: a stop and its nearest neighbours, stops at random, or a
    whole van's route."""
    served = sorted(n for r in routes for n in r)
    size = rng.randint(2, max(2, min(RUIN_MAX, len(served) // 2)))
    if kind == 0:
        seed = rng.choice(served)
        return sorted(served, key=lambda n: (p.km[seed][n], n))[:size]
    if kind == 1:
        return rng.sample(served, size)
    used = [r for r in routes if r]
    return [n for r in rng.sample(used, min(len(used), rng.randint(2, 3))) for n in r]


def ruin_and_recreate(
    p: RoutingProblem, routes: list[Route], dropped: list[int], rounds: int
) -> tuple[list[Route], list[int], int]:
    """Take a few stops out (`_ruin`), put them and the unserved ones back (random order
    cheapest insertion, or regret), search locally. The result replaces the current plan
    when it serves as many and drives at most a shrinking threshold more (2% of the km
    at first, none at the end); the best plan seen is kept. A fixed seed keeps the plan
    deterministic. Returns the routes, the unserved stops and how many rounds found a
    new best."""
    rng = random.Random(RUIN_SEED)
    best = current = (_key(p, routes, dropped), routes, dropped)
    gains = 0
    for round_ in range(rounds):
        if sum(len(r) for r in current[1]) < 2:
            break
        victims = _ruin(rng, p, current[1], round_ % 3)
        trial = [[n for n in r if n not in victims] for r in current[1]]
        todo = [*victims, *current[2]]
        how = rng.random()
        if how < 0.4:
            rng.shuffle(todo)
            _, left = _insert_all(p, trial, todo, heavy_first=False)
        elif how < 0.6:
            _, left = _insert_all(p, trial, todo)
        else:
            left = _insert_by_regret(p, trial, todo)
        trial, left = improve(p, trial, left)
        key = _key(p, trial, left)
        threshold = RUIN_THRESHOLD * (1 - round_ / rounds) * current[0][1]
        if key[0] < current[0][0] or (
            key[0] == current[0][0] and key[1] < current[0][1] + threshold
        ):
            current = (key, trial, left)
        if key < best[0]:
            best, gains = (key, trial, left), gains + 1
    return best[1], best[2], gains


def plan_dispatch(
    request: DispatchRequest,
    *,
    lambdas: Sequence[float] = LAMBDAS,
    ruin_rounds: int | None = None,
) -> DispatchPlan:
    """The heuristic plan (see the module docstring); deterministic for a given request.
    `ruin_rounds` defaults to `RUIN_WORK` divided by the number of stops, at most
    `RUIN_ROUNDS`; 0 turns ruin and recreate off."""
    p = build_problem(request)
    starts: list[tuple[str, list[Route], list[int]]] = []
    seen: set[tuple[tuple[int, ...], ...]] = set()
    for lam in lambdas:
        routes, dropped = fit_fleet(p, savings(p, lam))
        start = tuple(sorted(tuple(r) for r in routes))
        if start not in seen:  # another λ may build the same routes
            seen.add(start)
            starts.append((f"savings (λ {lam:g})", routes, dropped))
    best: tuple[tuple[int, float], str, list[Route], list[int]] | None = None
    for how, routes, dropped in starts:
        routes, dropped = improve(p, routes, dropped)
        key = _key(p, routes, dropped)
        if best is None or key < best[0]:
            best = (key, how, routes, dropped)
    if best is None:  # nothing servable
        return assemble(p, [], [], "nothing to route")
    if best[3]:
        packed = pack_first(p, len(p.servable) - len(best[3]))
        if packed is not None:
            routes, dropped = improve(p, *packed)
            key = _key(p, routes, dropped)
            if key < best[0]:
                best = (key, "packing search", routes, dropped)
    method = f"{best[1]}, then 2-opt, relocate, swap, 2-opt* and unserved swaps"
    if ruin_rounds is None:
        ruin_rounds = min(RUIN_ROUNDS, RUIN_WORK // max(1, len(p.servable)))
    routes, dropped, gains = ruin_and_recreate(p, best[2], best[3], ruin_rounds)
    if ruin_rounds:
        method += f"; ruin and recreate ({ruin_rounds} rounds, {gains} improved)"
    return assemble(p, routes, dropped, method)
