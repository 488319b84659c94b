"""The own fleet's tables (sqlmodel). Only the activities layer imports this module.

`deliveries` holds one row per parcel the vans take to the door (key: the parcel's
ShipmentWorkflow id), with the day it goes out; `dispatch_plans` one plan per warehouse
and day, replaced when the plan is made again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from activities.sqltypes import UtcDateTime, utcnow


class DeliveryRow(SQLModel, table=True):
    __tablename__ = "deliveries"
    workflow_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    warehouse_id: str = Field(index=True)
    dispatch_day: date = Field(index=True)
    lat: float
    lon: float
    city: str = ""
    weight_kg: float = 0.0
    volume_l: float = 0.0
    ready_at: datetime = Field(sa_type=UtcDateTime)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class DispatchPlanRow(SQLModel, table=True):
    __tablename__ = "dispatch_plans"
    warehouse_id: str = Field(primary_key=True)
    dispatch_day: date = Field(primary_key=True)
    plan_json: str = Field(sa_type=Text)  # models.routing_plan.DispatchPlan
    stops: int = 0
    served: int = 0
    vans_used: int = 0
    distance_km: float = 0.0
    run_key: str = ""  # the workflow run that made it
    planned_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
