"""The order view: the `status` query's answer and `starter.py status --json`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from models.status import OrderStatus


class LineView(BaseModel):
    sku: str
    quantity: int


class Allocation(BaseModel):
    sku: str
    warehouse_id: str
    quantity: int


class ShipmentView(BaseModel):
    shipment_id: str
    warehouse_id: str
    carrier: str
    tracking_number: str
    status: str = "BOOKED"
    # Added with ShipmentWorkflow: PACKING and PACKED come before BOOKED; "" until known.
    workflow_id: str = ""  # the shipment's child workflow (shipment-{order_id}-{warehouse_id})
    lines: list[LineView] = Field(default_factory=list)  # what the parcel must hold
    scanned: list[LineView] = Field(default_factory=list)  # what the packer scanned so far
    amount: Decimal | None = None  # this parcel's share of the payment, captured at pickup
    payment_status: str = ""  # CAPTURED or CAPTURE_FAILED once picked up
    delays: int = 0  # delay watchdog alerts so far
    carrier_reason: str = ""  # why this carrier: zone, days against the SLA, cost


class PaymentView(BaseModel):
    status: str = "PENDING"
    amount: Decimal = Decimal("0.00")


class SlaView(BaseModel):
    ship_by: datetime | None = None
    breached: bool = False
    rungs: list[str] = Field(default_factory=list)  # the escalation rungs reached so far


class TimelineEntry(BaseModel):
    at: datetime
    event: str
    detail: str = ""


class Substitute(BaseModel):
    for_sku: str
    sku: str
    available: int


class RestockEstimate(BaseModel):
    sku: str
    eta: date | None = None  # None: no purchase order and no supplier known
    basis: str = ""  # what the date rests on: an open purchase order or a supplier lead time


class BackorderView(BaseModel):
    short_skus: list[str] = Field(default_factory=list)
    substitutes: list[Substitute] = Field(default_factory=list)
    restock: list[RestockEstimate] = Field(default_factory=list)
    decision: str | None = None  # the customer's last answer: wait, substitute or cancel


class SourcingCandidate(BaseModel):
    warehouses: list[str]
    shipments: int
    cost: Decimal  # km x per_km + handling, over the shipments
    score: Decimal  # cost plus the priority bias: what decides after shipments
    split: bool = False  # some line ships from more than one warehouse
    chosen: bool = False


class SourcingDecision(BaseModel):
    """Why the order ships from where it does: the candidates weighed and the winner."""

    profile_version: str
    explanation: str
    candidates: list[SourcingCandidate] = Field(default_factory=list)


class ComplaintView(BaseModel):
    complaint_id: str
    category: str
    text: str
    at: datetime
    answer: str | None = None
    answered_by: str | None = None


class SurveyView(BaseModel):
    sent_at: datetime | None = None
    score: int | None = None
    comment: str = ""


class ReturnView(BaseModel):
    """One return (RMA): REQUESTED, AWAITING_PICKUP, IN_TRANSIT, RECEIVED, REFUNDED;
    or EXPIRED (never arrived) or FAILED (no carrier took it)."""

    rma_id: str
    lines: list[LineView]
    reason: str
    status: str = "REQUESTED"
    requested_at: datetime
    amount: Decimal = Decimal("0.00")  # refunded on receipt
    warehouse_id: str = ""
    carrier: str = ""
    tracking_number: str = ""
    events: list[str] = Field(default_factory=list)  # tracking event ids seen


class OrderView(BaseModel):
    order_id: str
    status: OrderStatus = OrderStatus.RECEIVED
    priority: int = 50
    risk_level: str = "low"
    lines: list[LineView] = Field(default_factory=list)
    allocations: list[Allocation] = Field(default_factory=list)
    shipments: list[ShipmentView] = Field(default_factory=list)
    payment: PaymentView = Field(default_factory=PaymentView)
    sla: SlaView = Field(default_factory=SlaView)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    cancel_reason: str | None = None
    backorder: BackorderView | None = None
    sourcing: SourcingDecision | None = None
    complaints: list[ComplaintView] = Field(default_factory=list)
    survey: SurveyView = Field(default_factory=SurveyView)
    delivered_at: datetime | None = None
    returns: list[ReturnView] = Field(default_factory=list)
    failed_step: str | None = None  # a step that gave up and waits for ops (`retry_step`)
