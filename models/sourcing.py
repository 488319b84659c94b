"""Sourcing: which warehouses ship which lines of an order.

The rule, with prices and capabilities from a versioned `SourcingProfile`:

1. Whole lines if at all possible: when some set of warehouses can ship every line
   whole, only such plans count; a line is split across warehouses only when no plan
   with whole lines exists.
2. Fewest shipments (distinct warehouses).
3. Lowest score: the shipments' cost (km to the customer times `per_km`, plus each
   warehouse's handling cost) plus the priority bias of their warehouses.
4. Ties: the lower total priority, then the alphabetically first warehouse ids.

A warehouse is a candidate for a line only if the profile lets it ship that SKU.
Within a plan a line goes whole to its cheapest warehouse that has all of it; a line
that must split takes from the plan's warehouses cheapest first. A line the network
cannot cover makes the order short: nothing is allocated, because an order is sourced
whole or not at all. No destination coordinates: every distance is 0.

`plan_sourcing` prunes dominated warehouses, then searches exactly while the subsets
to try stay under a budget, else settles for greedy set cover with local improvement.
`optimal_plan` tries every subset: the reference for tests and `bench/sourcing.py`.
Every plan records the profile version, its cost, and up to five candidates, best first
(the winner, then runners-up with as many shipments or one more) for the timeline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from pydantic import BaseModel, Field

from models.activity_io import StockSnapshot
from models.order import Address
from models.sourcing_profile import DEFAULT_PROFILE, SourcingProfile
from models.view import Allocation, LineView, SourcingCandidate

EARTH_RADIUS_KM = 6371.0
EXACT_BUDGET = 2000  # subsets the exact search may try before settling for greedy
ALTERNATIVES_BUDGET = 64  # subsets tried for the runners-up in the candidate list
CANDIDATES = 5

Members = tuple[int, ...]  # indices into _Problem.sites, ascending (so by warehouse id)
Key = tuple[int, int, int, Members]  # shipments, score, priority, members


class SourcingPlan(BaseModel):
    allocations: list[Allocation] = Field(default_factory=list)
    warehouses: list[str] = Field(default_factory=list)
    short_skus: list[str] = Field(default_factory=list)
    explanation: str = ""
    profile_version: str = ""
    cost: Decimal = Decimal("0.00")
    candidates: list[SourcingCandidate] = Field(default_factory=list)  # the best first

    @property
    def fulfillable(self) -> bool:
        return not self.short_skus

    @property
    def shipments(self) -> int:
        return len(self.warehouses)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class _Site:
    warehouse_id: str
    km: float
    cost: int  # cents per shipment
    score: int  # cost plus priority bias, cents
    priority: int
    stock: tuple[int, ...]  # usable units of each demanded SKU, capped at the demand
    full: int  # bit j set: ships SKU j whole

    @property
    def rank(self) -> tuple[int, int, str]:
        return (self.score, self.priority, self.warehouse_id)


@dataclass(frozen=True)
class _Problem:
    skus: tuple[str, ...]
    need: tuple[int, ...]
    sites: tuple[_Site, ...]  # warehouses that can ship part of the order, by id
    split: bool  # no plan ships every line whole
    located: bool

    @property
    def every_line(self) -> int:
        return (1 << len(self.skus)) - 1


def _demand(lines: list[LineView]) -> dict[str, int]:
    # Merged per SKU so a repeated SKU cannot be sourced twice.
    demand: dict[str, int] = {}
    for line in lines:
        if line.quantity > 0:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity
    return dict(sorted(demand.items()))


def _usable(snapshot: StockSnapshot, profile: SourcingProfile, sku: str) -> dict[str, int]:
    return {
        wh.warehouse_id: max(0, wh.available.get(sku, 0))
        for wh in snapshot.warehouses
        if profile.can_ship(wh.warehouse_id, sku)
    }


def _problem(
    demand: dict[str, int], snapshot: StockSnapshot, destination: Address, profile: SourcingProfile
) -> _Problem:
    skus, need = tuple(demand), tuple(demand.values())
    lat, lon = destination.lat, destination.lon
    sites = []
    for wh in sorted(snapshot.warehouses, key=lambda w: w.warehouse_id):
        wid = wh.warehouse_id
        stock = tuple(
            min(q, max(0, wh.available.get(s, 0))) if profile.can_ship(wid, s) else 0
            for s, q in demand.items()
        )
        if not any(stock):
            continue  # it could only ever add an empty shipment
        km = 0.0 if lat is None or lon is None else haversine_km(wh.lat, wh.lon, lat, lon)
        cost = profile.shipment_cents(wid, km)
        full = sum(1 << j for j, (have, q) in enumerate(zip(stock, need, strict=True)) if have == q)
        priority = profile.rule(wid).priority
        score = cost + profile.bias_cents(wid)
        sites.append(_Site(wid, km, cost, score, priority, stock, full))
    whole = 0
    for site in sites:
        whole |= site.full
    return _Problem(skus, need, tuple(sites), whole != (1 << len(skus)) - 1, lat is not None)


def _feasible(p: _Problem, members: Iterable[int]) -> bool:
    if not p.split:
        covered = 0
        for i in members:
            covered |= p.sites[i].full
        return covered == p.every_line
    totals = [0] * len(p.need)
    for i in members:
        for j, have in enumerate(p.sites[i].stock):
            totals[j] += have
    return all(t >= q for t, q in zip(totals, p.need, strict=True))


def _minimal(p: _Problem, members: Members) -> bool:
    return not any(_feasible(p, (m for m in members if m != i)) for i in members)


def _key(p: _Problem, members: Members) -> Key:
    sites = [p.sites[i] for i in members]
    return (
        len(members),
        sum(s.score for s in sites),
        sum(s.priority for s in sites),
        members,
    )


def _allocate(p: _Problem, members: Members) -> list[Allocation]:
    ranked = sorted((p.sites[i] for i in members), key=lambda s: s.rank)
    allocations = []
    for j, (sku, need) in enumerate(zip(p.skus, p.need, strict=True)):
        whole = next((s for s in ranked if s.stock[j] == need), None)
        if whole is not None:
            allocations.append(Allocation(sku=sku, warehouse_id=whole.warehouse_id, quantity=need))
            continue
        remaining = need
        for site in ranked:
            take = min(remaining, site.stock[j])
            if take:
                allocations.append(
                    Allocation(sku=sku, warehouse_id=site.warehouse_id, quantity=take)
                )
                remaining -= take
    return sorted(allocations, key=lambda a: (a.warehouse_id, a.sku))


# -- the heuristic: prune, exact while affordable, else greedy + local improvement --


def _pool(p: _Problem) -> list[int]:
    """Sites worth trying, cheapest first. Whole lines: drop a site whose lines a
    no-worse site also ships whole (swapping it in never makes a plan worse)."""
    order = sorted(range(len(p.sites)), key=lambda i: p.sites[i].rank)
    if p.split:
        return order
    kept: list[int] = []
    for i in order:
        full = p.sites[i].full
        if full and not any(full & ~p.sites[k].full == 0 for k in kept):
            kept.append(i)
    return kept


def _lower_bound(p: _Problem) -> int:
    if not p.split:
        return 1
    bound = 1
    for j, need in enumerate(p.need):
        have = sorted((s.stock[j] for s in p.sites), reverse=True)
        total, count = 0, 0
        while total < need and count < len(have):
            total, count = total + have[count], count + 1
        bound = max(bound, count)
    return bound


def _greedy(p: _Problem, pool: list[int]) -> Members:
    remaining = list(p.need)
    chosen: list[int] = []
    while any(remaining):
        best, best_gain = -1, 0.0
        for i in pool:  # cheapest first, so the first of equal gains wins
            if i in chosen:
                continue
            stock = p.sites[i].stock
            if p.split:
                gain = sum(min(r, h) / q for r, h, q in zip(remaining, stock, p.need, strict=True))
            else:
                gain = sum(1 for r, h in zip(remaining, stock, strict=True) if r and h >= r)
            if gain > best_gain:
                best, best_gain = i, gain
        if best < 0:
            break
        chosen.append(best)
        stock = p.sites[best].stock
        if p.split:
            remaining = [r - min(r, h) for r, h in zip(remaining, stock, strict=True)]
        else:
            remaining = [0 if h >= r else r for r, h in zip(remaining, stock, strict=True)]
    return tuple(sorted(chosen))


def _improve(p: _Problem, pool: list[int], members: Members) -> Members:
    """Drop, swap one for one, merge two into one, while the key improves."""
    best = _key(p, members)
    while True:
        inside = set(members)
        outside = [i for i in pool if i not in inside]
        moves: list[Members] = [tuple(m for m in members if m != i) for i in members]
        moves += [
            tuple(sorted([*(m for m in members if m not in pair), o]))
            for r in (1, 2)
            for pair in combinations(members, r)
            for o in outside
        ]
        better = [(k, m) for m in moves if (k := _key(p, m)) < best and _feasible(p, m)]
        if not better:
            return members
        best, members = min(better)


def _search(p: _Problem, budget: int) -> tuple[Members, list[Members]]:
    pool = _pool(p)
    found: list[Members] = [_improve(p, pool, _greedy(p, pool))]
    tried, size = 0, _lower_bound(p)
    while size <= len(found[0]) and tried + math.comb(len(pool), size) <= budget:
        tried += math.comb(len(pool), size)
        exact = [c for c in combinations(sorted(pool), size) if _feasible(p, c)]
        if exact:  # the fewest shipments: every feasible subset of this size is minimal
            found += exact
            break
        size += 1
    if budget:
        found += _alternatives(p, min(len(m) for m in found))
    ranked = sorted(set(found), key=lambda m: _key(p, m))
    return ranked[0], ranked


def _alternatives(p: _Problem, size: int) -> list[Members]:
    """Runners-up for the record, dominated warehouses included: the cheapest subsets of
    the winning size and of one more, as far as a small budget goes."""
    order = sorted(range(len(p.sites)), key=lambda i: p.sites[i].rank)
    subsets = (c for k in (size, size + 1) for c in combinations(order, k))
    found = []
    for _, combo in zip(range(ALTERNATIVES_BUDGET), subsets, strict=False):
        members = tuple(sorted(combo))
        if _feasible(p, members) and _minimal(p, members):
            found.append(members)
    return found


# -- the reference: every subset --


def _exhaustive(p: _Problem) -> tuple[Members, list[Members]]:
    n = len(p.sites)
    feasible = [False] * (1 << n)
    for mask in range(1, 1 << n):
        feasible[mask] = _feasible(p, (i for i in range(n) if mask >> i & 1))
    minimal = [
        tuple(i for i in range(n) if mask >> i & 1)
        for mask in range(1, 1 << n)
        if feasible[mask] and not any(feasible[mask & ~(1 << i)] for i in range(n) if mask >> i & 1)
    ]
    ranked = sorted(minimal, key=lambda m: _key(p, m))
    return ranked[0], ranked


# -- the plan and its explanation --


def _cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _candidate(p: _Problem, members: Members, chosen: bool) -> SourcingCandidate:
    sites = [p.sites[i] for i in members]
    return SourcingCandidate(
        warehouses=[s.warehouse_id for s in sites],
        shipments=len(sites),
        cost=_cents(sum(s.cost for s in sites)),
        score=_cents(sum(s.score for s in sites)),
        split=p.split,
        chosen=chosen,
    )


def _shipments(n: int) -> str:
    return f"{n} shipment" if n == 1 else f"{n} shipments"


def _explain(
    p: _Problem, split: list[str], best: SourcingCandidate, runner_up: SourcingCandidate | None
) -> str:
    if best.shipments == 1 and not p.split:
        km = p.sites[[s.warehouse_id for s in p.sites].index(best.warehouses[0])].km
        where = f"{km:.0f} km" if p.located else "no destination coordinates"
        text = f"{best.warehouses[0]} has every line, {where}: 1 shipment, cost {best.cost}"
    else:
        text = f"{' + '.join(best.warehouses)}: {_shipments(best.shipments)}, cost {best.cost}"
    if best.score != best.cost:
        text += f" (score {best.score})"
    if p.split:
        text += "; no plan ships every line whole"
    elif best.shipments > 1:
        text += "; no warehouse has every line"
    if split:
        text += "; " + ", ".join(split) + " split across warehouses"
    if runner_up is not None:
        text += (
            f"; next best {' + '.join(runner_up.warehouses)}: "
            f"{_shipments(runner_up.shipments)}, cost {runner_up.cost}"
        )
    return text


def _plan(p: _Problem, ranked: list[Members], profile: SourcingProfile) -> SourcingPlan:
    best = ranked[0]
    candidates = [_candidate(p, m, m == best) for m in ranked[:CANDIDATES]]
    allocations = _allocate(p, best)
    split = sorted({a.sku for a in allocations if sum(b.sku == a.sku for b in allocations) > 1})
    runner_up = candidates[1] if len(candidates) > 1 else None
    explanation = _explain(p, split, candidates[0], runner_up)
    return SourcingPlan(
        allocations=allocations,
        warehouses=sorted({a.warehouse_id for a in allocations}),
        explanation=explanation,
        profile_version=profile.version,
        cost=candidates[0].cost,
        candidates=candidates,
    )


def _short(
    demand: dict[str, int], snapshot: StockSnapshot, profile: SourcingProfile
) -> SourcingPlan | None:
    network = {sku: sum(_usable(snapshot, profile, sku).values()) for sku in demand}
    short = [sku for sku, qty in demand.items() if network[sku] < qty]
    if not short:
        return None
    explanation = "short of " + ", ".join(
        f"{sku} (need {demand[sku]}, network has {network[sku]})" for sku in short
    )
    return SourcingPlan(short_skus=short, explanation=explanation, profile_version=profile.version)


def _solve(
    lines: list[LineView],
    snapshot: StockSnapshot,
    destination: Address,
    profile: SourcingProfile | None,
    budget: int | None,
) -> SourcingPlan:
    profile = profile or DEFAULT_PROFILE
    demand = _demand(lines)
    if not demand:
        return SourcingPlan(explanation="nothing to source", profile_version=profile.version)
    short = _short(demand, snapshot, profile)
    if short is not None:
        return short
    p = _problem(demand, snapshot, destination, profile)
    _, ranked = _exhaustive(p) if budget is None else _search(p, budget)
    return _plan(p, ranked, profile)


def plan_sourcing(
    lines: list[LineView],
    snapshot: StockSnapshot,
    destination: Address,
    *,
    profile: SourcingProfile | None = None,
    exact_budget: int = EXACT_BUDGET,
) -> SourcingPlan:
    """The plan under the rule above; `exact_budget=0` is greedy with improvement only."""
    return _solve(lines, snapshot, destination, profile, exact_budget)


def optimal_plan(
    lines: list[LineView],
    snapshot: StockSnapshot,
    destination: Address,
    *,
    profile: SourcingProfile | None = None,
) -> SourcingPlan:
    """The true optimum by trying every subset of warehouses (2^n of them): tests, bench."""
    return _solve(lines, snapshot, destination, profile, None)
