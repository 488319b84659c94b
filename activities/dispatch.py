"""The own fleet's daily dispatch: deliveries in, plans out.

A ShipmentWorkflow whose parcel stays in the warehouse's city registers it here
(`register_delivery`; again when the parcel is redirected). DispatchPlanWorkflow loads
each warehouse's deliveries of the day with its vans (`load_dispatch_day`), plans the
routes (`plan_dispatch_routes`, CPU-bound, so an activity and not the workflow) and
stores the plan (`store_dispatch_plan`, one per warehouse and day). Parcels whose
shipment was cancelled or already delivered are left out.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import structlog
from sqlalchemy import Engine, exists, select
from temporalio import activity

from activities.db import reading, upsert
from activities.dispatch_tables import DeliveryRow, DispatchPlanRow
from activities.sqltypes import utcnow
from activities.tables import Shipment, Warehouse
from models import dispatch
from models.dispatch import Delivery, FleetConfig
from models.dispatch_io import (
    DeliveryInput,
    DispatchDay,
    DispatchDayQuery,
    PlanRoutesInput,
    StoredPlan,
    StorePlanInput,
    StorePlanResult,
)
from models.routing import plan_dispatch
from models.routing_plan import DispatchPlan
from models.routing_request import Depot

log = structlog.get_logger(__name__)
FLEET_FILE = Path(__file__).resolve().parents[1] / "data" / "fleet.json"
DELIVERIES, PLANS = DeliveryRow.__table__, DispatchPlanRow.__table__
SHIPMENTS, WAREHOUSES = Shipment.__table__, Warehouse.__table__
GONE = ("CANCELLED", "DELIVERED")  # shipment statuses the vans need not carry


def load_fleet(path: Path = FLEET_FILE) -> FleetConfig:
    """The vans per warehouse; without the file, no warehouse has vans."""
    return FleetConfig.model_validate_json(path.read_text()) if path.exists() else FleetConfig()


def day_deliveries(engine: Engine, query: DispatchDayQuery) -> dict[str, list[Delivery]]:
    """warehouse id -> the deliveries going out that day (still to deliver)."""
    gone = exists().where(
        SHIPMENTS.c.workflow_id == DELIVERIES.c.workflow_id, SHIPMENTS.c.status.in_(GONE)
    )
    statement = select(DELIVERIES).where(DELIVERIES.c.dispatch_day == query.day, ~gone)
    if query.warehouse_ids:
        statement = statement.where(DELIVERIES.c.warehouse_id.in_(query.warehouse_ids))
    found: dict[str, list[Delivery]] = {}
    with reading(engine) as connection:
        for row in connection.execute(statement.order_by(DELIVERIES.c.workflow_id)).mappings():
            found.setdefault(row["warehouse_id"], []).append(Delivery.model_validate(dict(row)))
    return found


def day_requests(engine: Engine, fleet: FleetConfig, query: DispatchDayQuery) -> DispatchDay:
    """One routing request per warehouse with vans or deliveries (of those asked for)."""
    deliveries = day_deliveries(engine, query)
    wanted = set(fleet.warehouses) | set(deliveries)
    if query.warehouse_ids:
        wanted &= set(query.warehouse_ids)
    with reading(engine) as connection:
        depots = [
            Depot(warehouse_id=w, lat=lat, lon=lon)
            for w, lat, lon in connection.execute(
                select(WAREHOUSES.c.warehouse_id, WAREHOUSES.c.lat, WAREHOUSES.c.lon)
                .where(WAREHOUSES.c.warehouse_id.in_(sorted(wanted)))
                .order_by(WAREHOUSES.c.warehouse_id)
            )
        ]
    requests = [
        dispatch.build_request(d, fleet.of(d.warehouse_id), deliveries.get(d.warehouse_id, []))
        for d in depots
    ]
    return DispatchDay(day=query.day, requests=requests)


def store_plan(engine: Engine, data: StorePlanInput) -> bool:
    """Write the plan of its warehouse and day; True when it replaced an earlier one."""
    plan = data.plan
    key = (PLANS.c.warehouse_id == plan.warehouse_id, PLANS.c.dispatch_day == data.day)
    row = {
        "warehouse_id": plan.warehouse_id,
        "dispatch_day": data.day,
        "plan_json": plan.model_dump_json(),
        "stops": plan.served + len(plan.unserved),
        "served": plan.served,
        "vans_used": sum(1 for r in plan.routes if r.stops),
        "distance_km": plan.total_distance_km,
        "run_key": data.run_key,
        "planned_at": utcnow(),
    }
    with engine.begin() as connection:
        before = connection.scalar(select(exists().where(*key)))
        upsert(connection, PLANS, row, key=("warehouse_id", "dispatch_day"))
    return bool(before)


def stored_plans(engine: Engine, *, day: date, warehouse_id: str | None = None) -> list[StoredPlan]:
    """The stored plans of a day (of one warehouse when given), by warehouse."""
    statement = select(PLANS).where(PLANS.c.dispatch_day == day)
    if warehouse_id:
        statement = statement.where(PLANS.c.warehouse_id == warehouse_id)
    with reading(engine) as connection:
        rows = connection.execute(statement.order_by(PLANS.c.warehouse_id)).mappings().all()
    return [
        StoredPlan(
            warehouse_id=row["warehouse_id"],
            day=row["dispatch_day"],
            planned_at=row["planned_at"],
            run_key=row["run_key"],
            plan=DispatchPlan.model_validate_json(row["plan_json"]),
        )
        for row in rows
    ]


class DispatchActivities:
    def __init__(self, engine: Engine, *, fleet: FleetConfig | None = None) -> None:
        self._engine = engine
        self._fleet = fleet if fleet is not None else load_fleet()

    @activity.defn(name="register_delivery")
    def register_delivery(self, data: DeliveryInput) -> None:
        row = {
            **data.model_dump(exclude={"at"}),
            "dispatch_day": dispatch.dispatch_day(data.at),
            "ready_at": data.at,
            "registered_at": utcnow(),
        }
        # Upsert, not insert-once: a parcel redirected to a new address registers again.
        with self._engine.begin() as connection:
            upsert(connection, DELIVERIES, row, key=("workflow_id",), keep=("registered_at",))
        log.info(
            "register_delivery",
            order_id=data.order_id,
            warehouse_id=data.warehouse_id,
            dispatch_day=str(row["dispatch_day"]),
        )

    @activity.defn(name="load_dispatch_day")
    def load_dispatch_day(self, data: DispatchDayQuery) -> DispatchDay:
        day = day_requests(self._engine, self._fleet, data)
        stops = sum(len(r.stops) for r in day.requests)
        log.info("load_dispatch_day", day=str(data.day), warehouses=len(day.requests), stops=stops)
        return day

    @activity.defn(name="plan_dispatch_routes")
    def plan_dispatch_routes(self, data: PlanRoutesInput) -> DispatchPlan:
        lambdas, ruin_rounds = dispatch.search_effort(len(data.request.stops))
        plan = plan_dispatch(data.request, lambdas=lambdas, ruin_rounds=ruin_rounds)
        log.info(
            "plan_dispatch_routes",
            warehouse_id=plan.warehouse_id,
            served=plan.served,
            unserved=len(plan.unserved),
            km=plan.total_distance_km,
        )
        return plan

    @activity.defn(name="store_dispatch_plan")
    def store_dispatch_plan(self, data: StorePlanInput) -> StorePlanResult:
        replaced = store_plan(self._engine, data)
        log.info(
            "store_dispatch_plan",
            warehouse_id=data.plan.warehouse_id,
            day=str(data.day),
            outcome="replaced" if replaced else "stored",
        )
        return StorePlanResult(replaced=replaced)
