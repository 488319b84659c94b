"""Local search to a local optimum: 2-opt within a route, the moves between vans
(`models.routing_moves`), and the unserved stops inserted or let in by an ejection
before every round."""

from __future__ import annotations

from collections.abc import Sequence

from models.routing_insertion import cheapest_insertion, insert_unserved
from models.routing_moves import BestMove, pool_swaps, relocates, swaps, tail_swaps
from models.routing_problem import EPS, Route, RoutingProblem, load, schedule, total_km

MAX_ROUNDS = 5000  # a bound on local-search moves (never reached in practice)


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
                place = cheapest_insertion(p, [trial[ri]], u)
                if place is None:
                    continue
                trial[ri].insert(place[2], u)
                others = [o for k, o in enumerate(trial) if k != ri]  # the same lists
                place = cheapest_insertion(p, others, out)
                if place is None:
                    continue
                others[place[1]].insert(place[2], out)
                cost = total_km(p, trial)
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
        best = BestMove(p)
        loads = [load(p, r) for r in routes]
        for ri, r in enumerate(routes):
            move = _two_opt_move(p, r, best.delta)
            if move is not None:
                best.delta, best.changes = move[0], [(ri, move[1])]
        relocates(p, routes, loads, best)
        swaps(p, routes, loads, best)
        tail_swaps(p, routes, best)
        pool_swaps(p, routes, loads, pool, best)
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
