"""Signal and update payloads of OrderWorkflow (CONTRACT.md, "Temporal surface")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from models.order import Address
from models.view import ShipmentView


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
    status: str  # PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED; or EXCEPTION
    at: datetime
    location: str = ""
    note: str = Field(default="", max_length=500)  # an EXCEPTION's reason, e.g. weather


class RestockInput(BaseModel):
    """Stock arrived for a backordered line."""

    sku: str
    warehouse_id: str
    quantity: int = Field(gt=0)


class RetryPaymentInput(BaseModel):
    """A new payment attempt inside the re-payment window."""

    method: str = Field(min_length=1)
    token: str = Field(min_length=1)


class HoldReviewInput(BaseModel):
    """Ops decide an order ON_HOLD (`approve_hold` or `reject_hold`)."""

    operator: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=1000)


class VerifyIdentityInput(BaseModel):
    """The customer passed step-up verification."""

    method: str = Field(min_length=1)  # sms_code, id_document, ...
    reference: str = ""


class ExtendSlaInput(BaseModel):
    hours: float = Field(gt=0, le=24 * 14)
    operator: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="", max_length=500)


class ExtendSlaResult(BaseModel):
    ship_by: datetime


class ComplaintInput(BaseModel):
    category: Literal["delivery", "damaged", "wrong_item", "payment", "service", "other"]
    text: str = Field(min_length=1, max_length=2000)


class ComplaintResult(BaseModel):
    complaint_id: str


class ComplaintAnswerInput(BaseModel):
    complaint_id: str
    operator: str = Field(min_length=1, max_length=100)
    answer: str = Field(min_length=1, max_length=2000)


class SurveyAnswerInput(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class SurveyResult(BaseModel):
    accepted: bool


class ScanItemInput(BaseModel):
    """Payload of ShipmentWorkflow's `scan_item` update: one barcode scan while packing."""

    sku: str = Field(min_length=1)
    quantity: int = Field(default=1, gt=0)


class ScanResult(BaseModel):
    accepted: bool
    remaining: int  # units of the whole parcel still to scan
    message: str


class ShipmentProgress(BaseModel):
    """Payload of OrderWorkflow's `shipment_progress` signal, sent by its ShipmentWorkflows."""

    event: str  # SHIPMENT_PACKED, SHIPMENT_BOOKED, CARRIER_FALLBACK, PARCEL_PICKED_UP, ...
    detail: str = ""
    at: datetime
    shipment: ShipmentView
    record: bool = False  # write it to the audit trail (record_status), not just the timeline
    notify_customer: bool = False
    alert_ops: bool = False


class ChangeAddressInput(BaseModel):
    """Ops correct the shipping address before anything has shipped."""

    shipping_address: Address
    operator: str = Field(min_length=1, max_length=100)


class RetryStepInput(BaseModel):
    """Ops retry a step that gave up after its bounded retries."""

    step: str = Field(min_length=1, max_length=100)
    operator: str = Field(min_length=1, max_length=100)


class OpsResult(BaseModel):
    """The answer to `change_address` and `retry_step`."""

    accepted: bool
    message: str
