"""Local-search moves between vans, best improvement: each move generator offers its
candidates to a `BestMove`, which keeps the one that saves most and keeps the windows.

relocate (or-opt: a segment of 1-`SEGMENT` stops, also reversed, also to an idle van),
swap (two stops of different vans), 2-opt* (two vans swap route tails) and the pool
swap (an unserved stop takes a served one's place when that drives less).
"""

from __future__ import annotations

from itertools import combinations

from models.routing_problem import EPS, Route, RoutingProblem, schedule

SEGMENT = 3  # longest run of stops a relocate moves


class BestMove:
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


def relocates(
    p: RoutingProblem, routes: list[Route], loads: list[tuple[float, float]], best: BestMove
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


def swaps(
    p: RoutingProblem, routes: list[Route], loads: list[tuple[float, float]], best: BestMove
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


def tail_swaps(p: RoutingProblem, routes: list[Route], best: BestMove) -> None:
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


def pool_swaps(
    p: RoutingProblem,
    routes: list[Route],
    loads: list[tuple[float, float]],
    dropped: list[int],
    best: BestMove,
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
