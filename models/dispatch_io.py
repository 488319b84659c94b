"""The messages of the daily dispatch plan: one pydantic model per activity and workflow."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from models.routing_plan import DispatchPlan
from models.routing_request import DispatchRequest


class DeliveryInput(BaseModel):
    """`register_delivery`: a parcel the own fleet takes to the door (idempotent by
    `workflow_id`, the parcel's ShipmentWorkflow)."""

    order_id: str
    workflow_id: str
    warehouse_id: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    city: str = ""
    weight_kg: float = Field(ge=0)
    volume_l: float = Field(default=0.0, ge=0)
    at: datetime  # when the parcel was ready (workflow time): it decides the dispatch day


class DispatchPlanInput(BaseModel):
    """DispatchPlanWorkflow: the `day` to plan (None: today) and the warehouses (none: all)."""

    day: date | None = None
    warehouse_ids: list[str] = Field(default_factory=list)


class DispatchDayQuery(BaseModel):
    """`load_dispatch_day`: the deliveries and vans of each warehouse for a day."""

    day: date
    warehouse_ids: list[str] = Field(default_factory=list)


class DispatchDay(BaseModel):
    day: date
    requests: list[DispatchRequest] = Field(default_factory=list)  # one a warehouse


class PlanRoutesInput(BaseModel):
    """`plan_dispatch_routes`: runs models.routing.plan_dispatch (CPU-heavy: an activity)."""

    request: DispatchRequest


class StorePlanInput(BaseModel):
    """`store_dispatch_plan`: one plan a warehouse and day; a later run replaces it."""

    day: date
    plan: DispatchPlan
    run_key: str  # the workflow run that made it


class StorePlanResult(BaseModel):
    replaced: bool  # a plan for that warehouse and day was there before


class WarehouseDispatch(BaseModel):
    warehouse_id: str
    stops: int
    served: int
    vans_used: int
    distance_km: float
    unserved: list[str] = Field(default_factory=list)


class DispatchSummary(BaseModel):
    """DispatchPlanWorkflow's result."""

    day: date
    warehouses: list[WarehouseDispatch] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)


class StoredPlan(BaseModel):
    """A plan as stored, for `starter.py dispatch-plan`."""

    warehouse_id: str
    day: date
    planned_at: datetime
    run_key: str
    plan: DispatchPlan
