"""Response bodies of the gateway (the request bodies are the domain's models)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str  # `lines[0].quantity`, `status` (a query parameter), `order_id` (the path)
    message: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: one line in `detail`, the fields at fault in `errors`."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class PlaceAnswer(BaseModel):
    order_id: str
    workflow_id: str
    status: str


class CancelAnswer(BaseModel):
    accepted: bool
    status: str
    message: str


class CancelRefusal(ErrorBody):
    """409: the validator's reason in `detail` and `message`."""

    accepted: bool = False
    status: str


class OrderSummary(BaseModel):
    """One row of `GET /orders`, from the search attributes (no personal data)."""

    order_id: str
    workflow_id: str
    status: str | None = None  # OrderStatus; None until the workflow's first upsert
    execution_status: str | None = None  # RUNNING, COMPLETED, FAILED, ...
    customer_id: str | None = None
    customer_tier: str | None = None
    priority: int | None = None
    total: float | None = None
    risk_level: str | None = None
    sla_breached: bool | None = None
    carrier: str | None = None
    warehouses: list[str] = Field(default_factory=list)
    started_at: datetime | None = None


class InventoryRow(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    available: int
    safety_stock: int


class CarrierEventAnswer(BaseModel):
    accepted: bool
    # True: this event_id already reached the workflow (it ignores repeats); None: unknown.
    duplicate: bool | None
    order_id: str
    workflow_id: str


class Health(BaseModel):
    status: str  # "ok" or "unavailable"
    temporal: bool
    temporal_address: str
    namespace: str
    database: bool
