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

The steps live in their own modules: `routing_request` and `routing_plan` (the models
in and out), `routing_problem` (distances, loads, schedules), `routing_savings` (1-3),
`routing_insertion`, `routing_search` and `routing_moves` (4), `routing_packing` (5),
`routing_ruin` (6). This module keeps the public API and runs them in order.
`models.routing_exact.optimal_dispatch` is the exact reference for small instances
(tests and `bench/routing.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from models.routing_packing import pack_first
from models.routing_plan import DispatchPlan, Unserved, VanRoute, assemble
from models.routing_problem import (
    EPS,
    Route,
    RoutingProblem,
    build_problem,
    feasible,
    load,
    plan_key,
    route_km,
    schedule,
)
from models.routing_request import Depot, DispatchRequest, Fleet, Stop
from models.routing_ruin import RUIN_ROUNDS, RUIN_WORK, ruin_and_recreate
from models.routing_savings import fit_fleet, savings
from models.routing_search import improve, two_opt

__all__ = [
    "EPS",
    "LAMBDAS",
    "Depot",
    "DispatchPlan",
    "DispatchRequest",
    "Fleet",
    "Route",
    "RoutingProblem",
    "Stop",
    "Unserved",
    "VanRoute",
    "assemble",
    "build_problem",
    "feasible",
    "fit_fleet",
    "improve",
    "load",
    "plan_dispatch",
    "route_km",
    "savings",
    "schedule",
    "two_opt",
]

LAMBDAS = (1.0, 0.6, 1.4, 1.8, 0.8, 1.2)  # savings shape parameters, one run each


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
        key = plan_key(p, routes, dropped)
        if best is None or key < best[0]:
            best = (key, how, routes, dropped)
    if best is None:  # nothing servable
        return assemble(p, [], [], "nothing to route")
    if best[3]:
        packed = pack_first(p, len(p.servable) - len(best[3]))
        if packed is not None:
            routes, dropped = improve(p, *packed)
            key = plan_key(p, routes, dropped)
            if key < best[0]:
                best = (key, "packing search", routes, dropped)
    method = f"{best[1]}, then 2-opt, relocate, swap, 2-opt* and unserved swaps"
    if ruin_rounds is None:
        ruin_rounds = min(RUIN_ROUNDS, RUIN_WORK // max(1, len(p.servable)))
    routes, dropped, gains = ruin_and_recreate(p, best[2], best[3], ruin_rounds)
    if ruin_rounds:
        method += f"; ruin and recreate ({ruin_rounds} rounds, {gains} improved)"
    return assemble(p, routes, dropped, method)
