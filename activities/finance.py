"""Finance: every money movement posted as one balanced voucher, exactly once.

    FinanceRefused          a business refusal, raised as a non-retryable ApplicationError
      RefundExceedsCapture  the refund would take the order's refunds past its captures
      VoucherConflict       the idempotency key was used for a different voucher

`post_voucher` writes the voucher, its journal lines and the order's money counters in one
transaction. The voucher row goes in first, `ON CONFLICT DO NOTHING` on its key: a retry
(or a concurrent attempt, which on PostgreSQL waits for the first one to commit) finds the
row and answers with it, writing nothing. A refund is one conditional update of the
order's counters (`refunded + r <= captured`): on SQLite BEGIN IMMEDIATE serialises the
writers; on PostgreSQL a refund that waited for the row lock re-checks the condition
against the committed counters (READ COMMITTED), so two refunds can never both take the
last captured cent. A refusal raises inside the transaction, so it writes nothing.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, func, select, update
from sqlmodel import SQLModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import insert_ignore, reading
from activities.finance_tables import FINANCE_TABLES
from activities.sqltypes import utcnow
from models.finance import (
    CENT,
    CHART_OF_ACCOUNTS,
    REFUND_EXCEEDS_CAPTURE,
    VOUCHER_CONFLICT,
    ZERO,
    Account,
    VoucherInput,
    VoucherResult,
    voucher_lines,
)

log = structlog.get_logger(__name__)
VOUCHERS, LINES, MONEY = (SQLModel.metadata.tables[t] for t in FINANCE_TABLES)


class FinanceRefused(Exception):
    type = "FinanceRefused"


class RefundExceedsCapture(FinanceRefused):
    type = REFUND_EXCEEDS_CAPTURE


class VoucherConflict(FinanceRefused):
    type = VOUCHER_CONFLICT


def post_voucher(engine: Engine, *, voucher: VoucherInput) -> VoucherResult:
    """Post once per idempotency key; every attempt answers with the same voucher."""
    new = {
        "voucher_id": f"v_{uuid.uuid4().hex[:20]}",
        "idempotency_key": voucher.idempotency_key,
        "order_id": voucher.order_id,
        "kind": voucher.kind,
        "amount": voucher.amount,
        "reference": voucher.reference,
        "at": voucher.at or utcnow(),
        "posted_at": utcnow(),
    }
    with engine.begin() as connection:
        if not insert_ignore(connection, VOUCHERS, new, key=("idempotency_key",)):
            return _posted(connection, voucher)
        _count(connection, voucher)
        connection.execute(
            LINES.insert(),
            [
                {
                    "voucher_id": new["voucher_id"],
                    "order_id": voucher.order_id,
                    "account": line.account,
                    "debit_cents": _cents(line.debit),
                    "credit_cents": _cents(line.credit),
                }
                for line in voucher_lines(voucher)
            ],
        )
    return VoucherResult(
        voucher_id=new["voucher_id"],
        order_id=voucher.order_id,
        kind=voucher.kind,
        amount=voucher.amount,
    )


def _posted(connection: Connection, voucher: VoucherInput) -> VoucherResult:
    row = connection.execute(
        select(VOUCHERS).where(VOUCHERS.c.idempotency_key == voucher.idempotency_key)
    ).one()
    if (row.order_id, row.kind, row.amount) != (voucher.order_id, voucher.kind, voucher.amount):
        raise VoucherConflict(
            f"key {voucher.idempotency_key} already posted {row.kind} {row.amount}"
            f" for order {row.order_id}"
        )
    return VoucherResult(
        voucher_id=row.voucher_id, order_id=row.order_id, kind=row.kind, amount=row.amount
    )


def _count(connection: Connection, voucher: VoucherInput) -> None:
    """Add the voucher to the order's counters; a refund only if it fits (one statement)."""
    cents, order = _cents(voucher.amount), MONEY.c.order_id == voucher.order_id
    if voucher.kind == "capture":
        insert_ignore(connection, MONEY, {"order_id": voucher.order_id}, key=("order_id",))
        connection.execute(
            update(MONEY).where(order).values(captured_cents=MONEY.c.captured_cents + cents)
        )
    elif voucher.kind == "refund":
        fits = MONEY.c.refunded_cents + cents <= MONEY.c.captured_cents
        applied = connection.execute(
            update(MONEY).where(order, fits).values(refunded_cents=MONEY.c.refunded_cents + cents)
        )
        if applied.rowcount != 1:
            row = connection.execute(select(MONEY).where(order)).one_or_none()
            captured, refunded = (row.captured_cents, row.refunded_cents) if row else (0, 0)
            raise RefundExceedsCapture(
                f"refund of {voucher.amount} for order {voucher.order_id} exceeds its captures"
                f" ({_money(captured)} captured, {_money(refunded)} already refunded)"
            )


def trial_balance(engine: Engine) -> dict[Account, Decimal]:
    """Debits minus credits per account over the whole journal; the values sum to zero."""
    return _balances(engine)


def order_balance(engine: Engine, order_id: str) -> dict[Account, Decimal]:
    """The same for one order's vouchers; psp_clearing is what it captured less refunds."""
    return _balances(engine, LINES.c.order_id == order_id)


def money_drift(engine: Engine) -> list[str]:
    """Orders whose cached counters differ from their journal (none, unless a bug)."""
    journal = (
        select(LINES.c.order_id, func.sum(LINES.c.debit_cents), func.sum(LINES.c.credit_cents))
        .where(LINES.c.account == "psp_clearing")
        .group_by(LINES.c.order_id)
    )
    with reading(engine) as connection:
        booked = {r[0]: (int(r[1]), int(r[2])) for r in connection.execute(journal)}
        cached = {r[0]: (int(r[1]), int(r[2])) for r in connection.execute(select(MONEY))}
    orders = booked.keys() | cached.keys()
    return sorted(o for o in orders if booked.get(o, (0, 0)) != cached.get(o, (0, 0)))


def _balances(engine: Engine, *where: Any) -> dict[Account, Decimal]:
    query = select(LINES.c.account, func.sum(LINES.c.debit_cents - LINES.c.credit_cents))
    with reading(engine) as connection:
        rows = connection.execute(query.where(*where).group_by(LINES.c.account)).all()
    totals: dict[Account, Decimal] = dict.fromkeys(CHART_OF_ACCOUNTS, ZERO)
    totals.update({account: _money(cents) for account, cents in rows})
    return totals


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT) * 100)


def _money(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


class FinanceActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="post_voucher")
    def post_voucher(self, data: VoucherInput) -> VoucherResult:
        fields = {"order_id": data.order_id, "kind": data.kind, "amount": str(data.amount)}
        try:
            result = post_voucher(self._engine, voucher=data)
        except FinanceRefused as error:
            log.warning("post_voucher", **fields, outcome="refused", reason=str(error))
            raise ApplicationError(str(error), type=error.type, non_retryable=True) from error
        log.info("post_voucher", **fields, outcome="posted", voucher_id=result.voucher_id)
        return result
