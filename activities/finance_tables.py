"""The finance journal (sqlmodel). Only the activities layer imports this module.

`vouchers` holds one row per money movement (unique idempotency key), `journal_lines` its
debits and credits. Line amounts and the per-order totals are integer cents, so sums in
SQL are exact on SQLite too (where Money is a decimal string). `order_money` caches each
order's captured and refunded cents, written in the voucher's transaction, so a refund is
one conditional update (`... WHERE refunded + r <= captured`), as stock reservations are.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Field, SQLModel

from activities.sqltypes import Money, UtcDateTime, utcnow


class Voucher(SQLModel, table=True):
    __tablename__ = "vouchers"
    voucher_id: str = Field(primary_key=True)
    idempotency_key: str = Field(unique=True)
    order_id: str = Field(index=True)
    kind: str  # capture, refund, shipping_cost
    amount: Decimal = Field(sa_type=Money)
    reference: str = ""  # payment id or shipment id
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # when money moved
    posted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class JournalLineRow(SQLModel, table=True):
    """Append-only; one of debit_cents and credit_cents is zero."""

    __tablename__ = "journal_lines"
    id: int | None = Field(default=None, primary_key=True)
    voucher_id: str = Field(index=True)
    order_id: str = Field(index=True)
    account: str = Field(index=True)
    debit_cents: int = 0
    credit_cents: int = 0


class OrderMoney(SQLModel, table=True):
    """Captured and refunded cents per order: a cache of its vouchers."""

    __tablename__ = "order_money"
    order_id: str = Field(primary_key=True)
    captured_cents: int = 0
    refunded_cents: int = 0


FINANCE_TABLES = ("vouchers", "journal_lines", "order_money")  # registered by this module
