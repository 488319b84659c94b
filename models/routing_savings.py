"""Construction: Clarke–Wright savings (parallel version), then as many routes as there
are vans (`fit_fleet` dissolves the routes that are too many)."""

from __future__ import annotations

from itertools import combinations

from models.routing_insertion import insert_all
from models.routing_problem import EPS, Route, RoutingProblem, route_km, schedule


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


def fit_fleet(p: RoutingProblem, routes: list[Route]) -> tuple[list[Route], list[int]]:
    """One route a van (idle vans get empty routes), and the stops that found no room."""
    routes = [list(r) for r in routes if r]
    dropped: list[int] = []
    while len(routes) > p.vans:
        best: tuple[int, float, int, list[Route], list[int]] | None = None
        for idx, r in enumerate(routes):
            others = [list(o) for k, o in enumerate(routes) if k != idx]
            extra, left = insert_all(p, others, r)
            key = (len(left), extra - route_km(p, r), idx)
            if best is None or key < best[:3]:
                best = (*key, others, left)
        assert best is not None
        routes, dropped = best[3], dropped + best[4]
    return routes + [[] for _ in range(p.vans - len(routes))], sorted(dropped)
