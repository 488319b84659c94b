"""What a dispatch is asked for: the depot (a warehouse), the stops and the fleet.

Times are minutes after midnight; weights kilograms, volumes litres.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator


class Depot(BaseModel):
    warehouse_id: str
    lat: float
    lon: float


class Stop(BaseModel):
    stop_id: str = Field(min_length=1)
    lat: float
    lon: float
    weight_kg: float = Field(default=0.0, ge=0)
    volume_l: float = Field(default=0.0, ge=0)
    ready_min: int | None = None  # earliest arrival, minutes after midnight
    due_min: int | None = None  # latest arrival
    service_min: float = Field(default=0.0, ge=0)  # time spent at the door
    order_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _window(self) -> Stop:
        if (
            self.ready_min is not None
            and self.due_min is not None
            and self.ready_min > self.due_min
        ):
            raise ValueError(f"stop {self.stop_id}: ready_min after due_min")
        return self


class Fleet(BaseModel):
    vans: int = Field(ge=0)
    capacity_kg: float = Field(gt=0)
    capacity_l: float | None = Field(default=None, gt=0)  # None: volume is no limit
    speed_kmh: float = Field(default=25.0, gt=0)
    cost_per_km: Decimal = Decimal("0.00")
    road_factor: float = Field(default=1.0, ge=1.0)  # road km per great-circle km
    shift_start_min: int = 8 * 60
    shift_end_min: int | None = None  # every van back by then


class DispatchRequest(BaseModel):
    depot: Depot
    stops: list[Stop] = Field(default_factory=list)
    fleet: Fleet

    @model_validator(mode="after")
    def _unique(self) -> DispatchRequest:
        ids = [s.stop_id for s in self.stops]
        if len(set(ids)) != len(ids):
            raise ValueError("stop ids must be unique")
        return self
