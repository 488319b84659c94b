"""The database tables (sqlmodel). Only the activities layer imports this module.

Counters in `stock` are a cache of the append-only `stock_ledger`: every change to
them is one ledger row in the same transaction, so they can be reconciled at any time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from activities.sqltypes import Money, UtcDateTime, utcnow


def _at() -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime)


class Warehouse(SQLModel, table=True):
    __tablename__ = "warehouses"
    warehouse_id: str = Field(primary_key=True)
    name: str
    lat: float
    lon: float


class Product(SQLModel, table=True):
    __tablename__ = "products"
    sku: str = Field(primary_key=True)
    name: str
    price: Decimal = Field(sa_type=Money)
    weight_kg: float
    volume_l: float
    similar: list[str] = Field(default_factory=list, sa_type=JSON)


class Stock(SQLModel, table=True):
    __tablename__ = "stock"
    sku: str = Field(primary_key=True)
    warehouse_id: str = Field(primary_key=True)
    on_hand: int = 0
    reserved: int = 0
    safety_stock: int = 0


class StockLedger(SQLModel, table=True):
    """Append-only. kind: reserve, release, ship, inbound, adjust (quantity may be negative)."""

    __tablename__ = "stock_ledger"
    # One row per step, SKU and warehouse: the same step can never apply twice.
    __table_args__ = (UniqueConstraint("idempotency_key", "sku", "warehouse_id"),)
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(index=True)
    warehouse_id: str
    kind: str
    quantity: int
    order_id: str | None = Field(default=None, index=True)
    idempotency_key: str
    reservation_key: str | None = Field(default=None, index=True)
    at: datetime = _at()


class Carrier(SQLModel, table=True):
    __tablename__ = "carriers"
    carrier_id: str = Field(primary_key=True)
    name: str
    service_levels: list[str] = Field(default_factory=list, sa_type=JSON)
    max_weight_kg: float
    base_cost: Decimal = Field(sa_type=Money)
    cost_per_kg: Decimal = Field(sa_type=Money)
    transit_days: int
    # Optional zone data (models/zones.py); NULL when the catalog does not say.
    zone_days: dict[str, int] | None = Field(default=None, sa_type=JSON)
    takes_bulky: bool | None = None
    zones: list[str] | None = Field(default=None, sa_type=JSON)


class Order(SQLModel, table=True):
    """The read model: the latest view of each order, for ops and the CLI."""

    __tablename__ = "orders"
    order_id: str = Field(primary_key=True)
    customer_id: str = Field(index=True)
    status: str = Field(index=True)
    priority: int
    total: Decimal = Field(sa_type=Money)
    view_json: str = Field(sa_type=Text)
    sequence: int = 0  # the workflow's record counter: the newest view wins
    created_at: datetime = _at()
    updated_at: datetime = _at()


class OrderEvent(SQLModel, table=True):
    """The audit trail: one row per recorded step, never updated."""

    __tablename__ = "order_events"
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True)
    event: str
    detail: str = ""
    actor: str = "system"
    at: datetime = _at()
    idempotency_key: str = Field(unique=True)


class Notification(SQLModel, table=True):
    """The outbox: activities/notify_sender.py delivers these; channel is email, sms, push or ops.

    One row is one message, unique by its idempotency key (the recording step's key plus
    the channel), so a retried step never queues a second one. The delivery columns were
    added later and are nullable (no migrations; the sender adds them to older databases):
    status is pending, sending (claimed: never sent again), sent or failed; NULL marks a
    row from before the sender existed, which is left alone.
    """

    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True)
    channel: str
    recipient: str
    event: str
    body: str
    created_at: datetime = _at()
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    idempotency_key: str = Field(unique=True)
    status: str | None = Field(default="pending", index=True)
    attempts: int | None = 0
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    provider_id: str | None = None  # the provider's message id once sent
    error: str | None = Field(default=None, sa_type=Text)  # the last failure's reason


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    shipment_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    workflow_id: str
    warehouse_id: str
    carrier: str
    tracking_number: str
    destination: str = ""
    # BOOKED, then the simulator's PICKED_UP ... DELIVERED; or CANCELLED.
    status: str = Field(default="BOOKED", index=True)
    booked_at: datetime = _at()
    sim_stage: int = 0  # how many tracking events were sent
    # When the simulator may next act on it (the next event, a lease or a retry); None: never.
    sim_due_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    sim_failures: int = 0  # failed sends in a row
    sim_exception: str | None = None  # a delay the simulated carrier reports after pickup
    idempotency_key: str = Field(unique=True)


class Payment(SQLModel, table=True):
    """The sandbox gateway's own records, as a provider would keep them."""

    __tablename__ = "payments"
    payment_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    idempotency_key: str = Field(unique=True)
    amount: Decimal = Field(sa_type=Money)
    captured: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    refunded: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    # PENDING, AUTHORIZED, DECLINED, CAPTURED, VOIDED, REFUNDED
    status: str = "PENDING"
    attempts: int = 0
    created_at: datetime = _at()
    updated_at: datetime = _at()


class PaymentAction(SQLModel, table=True):
    """Captures, voids and refunds, each under its own idempotency key."""

    __tablename__ = "payment_actions"
    id: int | None = Field(default=None, primary_key=True)
    payment_id: str = Field(index=True)
    kind: str  # capture, void, refund
    amount: Decimal = Field(sa_type=Money)
    status: str  # the payment's status after this action
    idempotency_key: str = Field(unique=True)
    at: datetime = _at()
