"""Putting stops into routes: cheapest feasible insertion (heaviest first or in a given
order) and regret-2 insertion. The routes are changed in place."""

from __future__ import annotations

import math
from collections.abc import Sequence

from models.routing_problem import EPS, Route, RoutingProblem, load, schedule


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


def cheapest_insertion(
    p: RoutingProblem, routes: list[Route], node: int
) -> tuple[float, int, int] | None:
    found = _insertions(p, routes, node)
    return found[0] if found else None


def insert_by_regret(p: RoutingProblem, routes: list[Route], nodes: Sequence[int]) -> list[int]:
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


def insert_all(
    p: RoutingProblem, routes: list[Route], nodes: Sequence[int], *, heavy_first: bool = True
) -> tuple[float, list[int]]:
    """Insert `nodes` (heaviest first, or as given) into `routes` in place: extra km and
    the nodes left over."""
    extra, left = 0.0, []
    order = sorted(nodes, key=lambda n: (-p.kg[n], -p.litres[n], n)) if heavy_first else nodes
    for node in order:
        place = cheapest_insertion(p, routes, node)
        if place is None:
            left.append(node)
            continue
        extra += place[0]
        routes[place[1]].insert(place[2], node)
    return extra, sorted(left)


def insert_unserved(
    p: RoutingProblem, routes: list[Route], dropped: Sequence[int]
) -> tuple[list[Route], list[int]]:
    routes = [list(r) for r in routes]
    _, left = insert_all(p, routes, dropped)
    return routes, left
