"""When the fleet is short: a packing search for the most stops the vans can carry."""

from __future__ import annotations

from models.routing_insertion import insert_all
from models.routing_problem import EPS, Route, RoutingProblem
from models.routing_search import two_opt

PACK_NODES = 20_000  # search budget of the packing used when the fleet is short
PACK_STOPS = 300  # beyond this the packing search is not tried


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
        _, left = insert_all(p, route, sorted(b, key=lambda n: (-p.km[0][n], n)))
        routes.append(two_opt(p, route[0]))
        dropped += left
    return routes, sorted(dropped)
