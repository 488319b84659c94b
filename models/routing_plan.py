"""The dispatch plan: one route a van, the stops left unserved and why, and a
one-line explanation; `assemble` builds it from routes of stop nodes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, Field

from models.routing_problem import Route, RoutingProblem, load, route_km, schedule, total_km


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
        total_distance_km=round(total_km(p, used), 3),
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
