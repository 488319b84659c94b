"""One input model (and one result model) per activity, shared by workflows and activities.

Every activity with an external effect carries an `idempotency_key` derived by the
workflow from the order id and the step, so a retry never applies twice.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from models.catalog import CarrierDoc
from models.order import Address, Customer, OrderDocument
from models.sourcing_profile import SourcingProfile
from models.view import Allocation, LineView, OrderView


class ValidateOrderInput(BaseModel):
    order: OrderDocument


class ProductFacts(BaseModel):
    sku: str
    weight_kg: float
    volume_l: float
    similar: list[str] = Field(default_factory=list)  # offered when this SKU is short


class ValidateOrderResult(BaseModel):
    products: list[ProductFacts]
    carriers: list[CarrierDoc]


class StockQuery(BaseModel):
    skus: list[str]


class WarehouseStock(BaseModel):
    warehouse_id: str
    lat: float
    lon: float
    available: dict[str, int] = Field(default_factory=dict)  # sku -> on_hand - reserved


class StockSnapshot(BaseModel):
    warehouses: list[WarehouseStock]
    profile: SourcingProfile | None = None  # the sourcing rules in force, read with the stock


class ReserveInput(BaseModel):
    order_id: str
    idempotency_key: str
    allocations: list[Allocation]


class ReserveResult(BaseModel):
    reserved: bool
    allocations: list[Allocation] = Field(default_factory=list)
    short_skus: list[str] = Field(default_factory=list)  # set when reserved is False


class ReleaseInput(BaseModel):
    order_id: str
    idempotency_key: str
    reservation_key: str  # the key the reservation was made under


class ShipStockInput(BaseModel):
    order_id: str
    idempotency_key: str
    warehouse_id: str
    reservation_key: str


class RestockReturnInput(BaseModel):
    """Returned goods back on the shelf: one inbound ledger step per SKU, all or nothing."""

    order_id: str
    idempotency_key: str
    warehouse_id: str
    lines: list[LineView]


class AuthorizeInput(BaseModel):
    order_id: str
    idempotency_key: str
    amount: Decimal
    method: str
    token: str


class PaymentResult(BaseModel):
    payment_id: str
    status: str  # AUTHORIZED, CAPTURED, VOIDED, REFUNDED
    amount: Decimal


class PaymentActionInput(BaseModel):
    order_id: str
    idempotency_key: str
    payment_id: str
    amount: Decimal


class BookShipmentInput(BaseModel):
    order_id: str
    idempotency_key: str
    workflow_id: str  # where the carrier sends tracking events
    warehouse_id: str
    carrier: str
    service_level: str
    allocations: list[Allocation]
    address: Address


class BookShipmentResult(BaseModel):
    shipment_id: str
    carrier: str
    tracking_number: str


class CancelShipmentInput(BaseModel):
    order_id: str
    idempotency_key: str
    shipment_id: str


class RedirectShipmentInput(BaseModel):
    """A booked parcel not yet picked up goes to a new address."""

    order_id: str
    idempotency_key: str
    shipment_id: str
    address: Address


class RecordStatusInput(BaseModel):
    """One status change: the read model, the audit event and the outbox in one transaction."""

    idempotency_key: str
    # Grows with every record of the order, so an older view never overwrites a newer one.
    sequence: int = 0
    event: str  # RECEIVED, RESERVED, SLA_BREACHED, CANCELLED, ...
    detail: str = ""
    view: OrderView
    customer: Customer  # contact for the notification outbox
    notify_customer: bool = True
    alert_ops: bool = False
    actor: str = "system"
