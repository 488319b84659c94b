"""The exact dispatch plan for small instances: the reference for tests and the bench.

Same problem and objective as `models.routing.plan_dispatch` (most stops served, then
fewest km). Two dynamic programs over sets of stops (bitmasks over the servable ones):

1. Shortest route for every set a van can carry: Held–Karp over (visited set, last
   stop). With time windows a state keeps every Pareto-best (km, clock) label, because
   a longer way can arrive earlier and so keep a later window; without windows the clock
   follows the km and one label a state remains.
2. Cheapest split of a set into at most `vans` such routes: f_k(S) = min(f_(k-1)(S),
   min over routes R in S holding S's lowest stop of route(R) + f_(k-1)(S - R)). The
   served set is the largest one the fleet covers, the cheapest among equals.

The work grows like 3^n (and n·2^n labels), so it refuses more than `EXACT_STOPS` stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from models.routing import (
    EPS,
    DispatchPlan,
    DispatchRequest,
    Route,
    RoutingProblem,
    assemble,
    build_problem,
)

EXACT_STOPS = 10


@dataclass(frozen=True)
class _Label:
    km: float
    clock: float  # when the van leaves `node`
    node: int
    parent: _Label | None

    def order(self) -> Route:
        nodes: Route = []
        label: _Label | None = self
        while label is not None:
            nodes.append(label.node)
            label = label.parent
        return nodes[::-1]


def _keep(labels: list[_Label], new: _Label) -> None:
    """Add `new` unless a label is as short and as early; drop the ones it beats."""
    if any(old.km <= new.km + EPS and old.clock <= new.clock + EPS for old in labels):
        return
    labels[:] = [old for old in labels if not (new.km <= old.km and new.clock <= old.clock)]
    labels.append(new)


def _leave(p: RoutingProblem, node: int, arrive: float) -> float | None:
    if arrive > p.due[node] + EPS:
        return None
    return max(arrive, p.ready[node]) + p.service[node]


def _routes(p: RoutingProblem, fits: list[bool]) -> list[tuple[float, _Label] | None]:
    """For every set of stops: the shortest feasible closed route, or None."""
    nodes, km, pace = p.servable, p.km, p.minutes_per_km
    n = len(nodes)
    labels: dict[tuple[int, int], list[_Label]] = {}
    for i, node in enumerate(nodes):
        leave = _leave(p, node, p.start + km[0][node] * pace)
        if leave is not None and fits[1 << i]:
            labels[(1 << i, i)] = [_Label(km[0][node], leave, node, None)]
    best: list[tuple[float, _Label] | None] = [None] * (1 << n)
    for mask in range(1, 1 << n):
        if not fits[mask]:
            continue
        for i in range(n):
            for label in labels.pop((mask, i), []):
                here = nodes[i]
                total = label.km + km[here][0]
                found = best[mask]
                if label.clock + km[here][0] * pace <= p.due[0] + EPS and (
                    found is None or total < found[0] - EPS
                ):
                    best[mask] = (total, label)
                for j, there in enumerate(nodes):
                    wider = mask | 1 << j
                    if wider == mask or not fits[wider]:
                        continue
                    leave = _leave(p, there, label.clock + km[here][there] * pace)
                    if leave is not None:
                        step = _Label(label.km + km[here][there], leave, there, label)
                        _keep(labels.setdefault((wider, j), []), step)
    return best


def _split(costs: list[float], vans: int) -> tuple[int, list[int]]:
    """The served set (most stops, then least km) and its routes' sets."""
    size = len(costs)
    table = [[0.0] + [math.inf] * (size - 1)]
    picks: list[list[int]] = [[0] * size]
    for _ in range(vans):
        prev = table[-1]
        cur, pick = list(prev), [0] * size
        for mask in range(1, size):
            low = mask & -mask
            rest = mask ^ low
            sub = rest
            while True:
                route = sub | low
                cost = costs[route] + prev[mask ^ route]
                if cost < cur[mask] - EPS:
                    cur[mask], pick[mask] = cost, route
                if not sub:
                    break
                sub = (sub - 1) & rest
        table.append(cur)
        picks.append(pick)
    final = table[-1]
    served = min(
        (m for m in range(size) if final[m] < math.inf),
        key=lambda m: (-m.bit_count(), round(final[m], 9), m),
    )
    chosen, mask, k = [], served, vans
    while mask:
        route = picks[k][mask]
        if route:
            chosen.append(route)
            mask ^= route
        k -= 1
    return served, chosen


def optimal_dispatch(request: DispatchRequest) -> DispatchPlan:
    """The optimum by exhaustive dynamic programming; at most `EXACT_STOPS` servable stops."""
    p = build_problem(request)
    nodes = p.servable
    n = len(nodes)
    if n > EXACT_STOPS:
        raise ValueError(f"{n} stops: the exact solver takes at most {EXACT_STOPS}")
    kg, litres = [0.0] * (1 << n), [0.0] * (1 << n)
    for mask in range(1, 1 << n):
        low = (mask & -mask).bit_length() - 1
        kg[mask] = kg[mask & (mask - 1)] + p.kg[nodes[low]]
        litres[mask] = litres[mask & (mask - 1)] + p.litres[nodes[low]]
    fits = [p.fits(a, b) for a, b in zip(kg, litres, strict=True)]
    best = _routes(p, fits)
    costs = [math.inf if b is None else b[0] for b in best]
    costs[0] = math.inf  # an empty route is an idle van, counted by the split itself
    served, chosen = _split(costs, min(p.vans, n))
    routes = []
    for mask in chosen:
        found = best[mask]
        assert found is not None
        routes.append(found[1].order())
    dropped = [node for i, node in enumerate(nodes) if not served >> i & 1]
    return assemble(p, routes, dropped, "exact: shortest route for every set, best split")
