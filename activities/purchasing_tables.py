"""Supplier offers and purchase orders (sqlmodel). Only the activities layer imports this.

The tables join the project's one SQLModel metadata, so `activities.db.create_schema`
creates them once this module has been imported (activities.replenishment imports it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from activities.sqltypes import Money, UtcDateTime, utcnow


class SupplierOfferRow(SQLModel, table=True):
    """What one supplier offers for one SKU category (data/suppliers.json)."""

    __tablename__ = "suppliers"
    supplier_id: str = Field(primary_key=True)
    category: str = Field(primary_key=True)
    name: str
    price_ratio: float  # its price as a share of our list price
    on_time_rate: float
    quality: float
    lead_time_days: int


class PurchaseOrder(SQLModel, table=True):
    """One order to a supplier for one SKU and warehouse; OPEN until received.

    Open orders count as stock on order, so the next replenishment run does not order
    the same units again. The idempotency key is the run's key plus SKU and warehouse.
    """

    __tablename__ = "purchase_orders"
    po_id: str = Field(primary_key=True)
    idempotency_key: str = Field(unique=True)
    sku: str = Field(index=True)
    warehouse_id: str
    supplier_id: str
    quantity: int
    unit_cost: Decimal = Field(sa_type=Money)
    status: str = Field(default="OPEN", index=True)  # OPEN, RECEIVED, CANCELLED
    expected_on: date
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
