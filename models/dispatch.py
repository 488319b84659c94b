"""The daily dispatch plan's rules, pure: the fleet config, which day a delivery goes
out, the routing request of a warehouse's day, and what ops hear about.

DispatchPlanWorkflow runs at `PLAN_HOUR_UTC` each day: a parcel ready before then goes
out that day, a later one the next day. Each warehouse's vans (data/fleet.json) drive
one shift; models.routing.plan_dispatch orders their stops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from models.dispatch_io import DispatchSummary, WarehouseDispatch
from models.replenishment_io import OpsAlert
from models.routing import LAMBDAS
from models.routing_plan import DispatchPlan
from models.routing_request import Depot, DispatchRequest, Fleet, Stop

PLAN_HOUR_UTC = 5  # the schedule's hour, and the cut-off for the day's deliveries
UNPLANNED = "DISPATCH_UNPLANNED"  # the ops alert's event
# Up to this many stops a warehouse's day gets the full search (2-7 s at 100 stops on
# the shared 2-core machine); a bigger day a lighter one (two savings runs, no ruin and
# recreate) to stay inside the activity's 30 s timeout (12-18 s at 200 stops when the
# vans cannot take them all).
FULL_SEARCH_STOPS = 100
LIGHT_LAMBDAS = LAMBDAS[:2]


def clock_minutes(text: str) -> int:
    """`"08:30"` -> 510 (minutes after midnight)."""
    value = time.fromisoformat(text)
    return value.hour * 60 + value.minute


class WarehouseFleet(BaseModel):
    """One warehouse's own vans (data/fleet.json)."""

    vans: int = Field(default=0, ge=0)
    capacity_kg: float = Field(default=500.0, gt=0)
    capacity_l: float | None = Field(default=None, gt=0)
    speed_kmh: float = Field(default=25.0, gt=0)
    road_factor: float = Field(default=1.3, ge=1.0)
    cost_per_km: Decimal = Field(default=Decimal("0.00"), ge=0)
    shift_start: str = "08:00"
    shift_end: str | None = "18:00"
    service_min: float = Field(default=5.0, ge=0)  # at each door

    @field_validator("shift_start", "shift_end")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            clock_minutes(value)  # raises on anything that is not HH:MM
        return value

    def fleet(self) -> Fleet:
        return Fleet(
            vans=self.vans,
            capacity_kg=self.capacity_kg,
            capacity_l=self.capacity_l,
            speed_kmh=self.speed_kmh,
            cost_per_km=self.cost_per_km,
            road_factor=self.road_factor,
            shift_start_min=clock_minutes(self.shift_start),
            shift_end_min=None if self.shift_end is None else clock_minutes(self.shift_end),
        )


class FleetConfig(BaseModel):
    version: str = "1"
    warehouses: dict[str, WarehouseFleet] = Field(default_factory=dict)

    def of(self, warehouse_id: str) -> WarehouseFleet:
        """A warehouse without vans gets none: its deliveries are reported unserved."""
        return self.warehouses.get(warehouse_id, WarehouseFleet(vans=0))


class Delivery(BaseModel):
    """A stop as the database holds it (one parcel to one door)."""

    order_id: str
    lat: float
    lon: float
    weight_kg: float = 0.0
    volume_l: float = 0.0


def search_effort(stops: int) -> tuple[tuple[float, ...], int | None]:
    """plan_dispatch's `lambdas` and `ruin_rounds` for a day of `stops` stops."""
    return (LAMBDAS, None) if stops <= FULL_SEARCH_STOPS else (LIGHT_LAMBDAS, 0)


def dispatch_day(ready_at: datetime) -> date:
    """The day a parcel ready at `ready_at` (UTC) goes out on the vans."""
    cut_off = datetime.combine(ready_at.date(), time(PLAN_HOUR_UTC), tzinfo=ready_at.tzinfo)
    return ready_at.date() if ready_at < cut_off else ready_at.date() + timedelta(days=1)


def build_request(
    depot: Depot, fleet: WarehouseFleet, deliveries: Sequence[Delivery]
) -> DispatchRequest:
    """The routing problem of one warehouse's day: one stop an order (its parcels from
    this warehouse go to one door together), named by the order id."""
    stops: dict[str, Stop] = {}
    for d in sorted(deliveries, key=lambda d: d.order_id):
        if d.order_id in stops:
            stop = stops[d.order_id]
            stop.weight_kg += d.weight_kg
            stop.volume_l += d.volume_l
            continue
        stops[d.order_id] = Stop(
            stop_id=d.order_id,
            lat=d.lat,
            lon=d.lon,
            weight_kg=d.weight_kg,
            volume_l=d.volume_l,
            service_min=fleet.service_min,
            order_ids=[d.order_id],
        )
    return DispatchRequest(depot=depot, stops=list(stops.values()), fleet=fleet.fleet())


def unplanned_alerts(day: date, plans: Sequence[DispatchPlan]) -> list[OpsAlert]:
    """One alert a warehouse with stops left unserved; keyed by day, warehouse and those
    stops, so a re-run with the same outcome does not alert twice."""
    alerts = []
    for plan in plans:
        if not plan.unserved:
            continue
        ids = ",".join(plan.unserved_ids)
        digest = hashlib.sha256(ids.encode()).hexdigest()[:12]
        listed = "; ".join(f"{u.stop_id} ({u.reason})" for u in plan.unserved)
        count = len(plan.unserved)
        alerts.append(
            OpsAlert(
                idempotency_key=f"dispatch:{day}:{plan.warehouse_id}:{digest}",
                event=UNPLANNED,
                body=(
                    f"{plan.warehouse_id} {day}: {count} "
                    f"{'delivery' if count == 1 else 'deliveries'} not on a van: {listed}"
                ),
            )
        )
    return alerts


def summarise(
    day: date, plans: Sequence[DispatchPlan], alerts: Sequence[OpsAlert]
) -> DispatchSummary:
    return DispatchSummary(
        day=day,
        warehouses=[
            WarehouseDispatch(
                warehouse_id=plan.warehouse_id,
                stops=plan.served + len(plan.unserved),
                served=plan.served,
                vans_used=sum(1 for r in plan.routes if r.stops),
                distance_km=plan.total_distance_km,
                unserved=plan.unserved_ids,
            )
            for plan in plans
        ],
        alerts=[alert.body for alert in alerts],
    )
