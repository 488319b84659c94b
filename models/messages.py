"""Signal and update payloads of OrderWorkflow (CONTRACT.md, "Temporal surface")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CancelInput(BaseModel):
    """Payload of the `cancel` signal and the `request_cancel` update."""

    reason: str = Field(default="customer request", max_length=500)


class CancelResult(BaseModel):
    accepted: bool
    status: str
    message: str


class CarrierEvent(BaseModel):
    """A tracking event reported by a carrier (webhook or simulator)."""

    event_id: str = Field(min_length=1)
    carrier: str
    tracking_number: str
    status: str  # PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED
    at: datetime
    location: str = ""


class RestockInput(BaseModel):
    """Stock arrived for a backordered line."""

    sku: str
    warehouse_id: str
    quantity: int = Field(gt=0)


class RetryPaymentInput(BaseModel):
    """A new payment attempt inside the re-payment window."""

    method: str = Field(min_length=1)
    token: str = Field(min_length=1)
