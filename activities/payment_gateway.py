"""The sandbox payment gateway: the interface a real provider has, records in `payments`.

    GatewayError
      PaymentDeclined     the method was declined; do not retry the same token
      PaymentStateError   the action does not fit the payment (capture after void, ...)
      GatewayUnavailable  a transient fault; retrying the same idempotency key is safe

Test tokens: `tok_ok` authorizes, `tok_decline` is declined, `tok_flaky` fails with
GatewayUnavailable on the first two attempts of an idempotency key (counted in the
table, so across worker processes), then authorizes. Any other token is declined.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from activities.db import insert_ignore, reading
from activities.sqltypes import utcnow
from activities.tables import Payment, PaymentAction

PAYMENTS = Payment.__table__
ACTIONS = PaymentAction.__table__
FLAKY_FAILURES = 2
# A payment row in, (status after, amount moved, other changes) out.
Decide = Callable[[dict], tuple[str, Decimal, dict]]


class GatewayError(Exception):
    pass


class PaymentDeclined(GatewayError):
    pass


class PaymentStateError(GatewayError):
    pass


class GatewayUnavailable(GatewayError):
    pass


@dataclass(frozen=True)
class Charge:
    payment_id: str
    status: str
    amount: Decimal


class SandboxGateway:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def authorize(
        self, *, order_id: str, idempotency_key: str, amount: Decimal, token: str
    ) -> Charge:
        """The same key always answers with the same payment: one hold, never two."""
        with self._engine.begin() as connection:
            new = {
                "payment_id": f"pay_{uuid.uuid4().hex[:20]}",
                "order_id": order_id,
                "idempotency_key": idempotency_key,
                "amount": amount,
                "created_at": utcnow(),
            }
            insert_ignore(connection, PAYMENTS, new, key=("idempotency_key",))
            connection.execute(
                update(PAYMENTS)
                .where(PAYMENTS.c.idempotency_key == idempotency_key)
                .values(attempts=PAYMENTS.c.attempts + 1, updated_at=utcnow())
            )
            row = connection.execute(
                select(PAYMENTS).where(PAYMENTS.c.idempotency_key == idempotency_key)
            ).one()
            if row.amount != Decimal(amount).quantize(Decimal("0.01")):
                raise PaymentStateError(
                    f"idempotency key reused with another amount ({row.amount})"
                )
            status = row.status
            if status == "PENDING":
                status = _decide(token, row.attempts)
                if status != "PENDING":
                    connection.execute(
                        update(PAYMENTS)
                        .where(PAYMENTS.c.payment_id == row.payment_id)
                        .values(status=status)
                    )
        # Raised after the commit, so the attempt count survives the failure.
        if status == "DECLINED":
            raise PaymentDeclined(f"payment {row.payment_id} declined")
        if status == "PENDING":
            raise GatewayUnavailable(f"gateway timeout (attempt {row.attempts})")
        return Charge(row.payment_id, status, row.amount)

    def capture(self, *, payment_id: str, idempotency_key: str, amount: Decimal) -> Charge:
        def apply(payment: dict) -> tuple[str, Decimal, dict]:
            if payment["status"] not in ("AUTHORIZED", "CAPTURED"):
                raise PaymentStateError(f"cannot capture a {payment['status'].lower()} payment")
            captured = payment["captured"] + amount
            if captured > payment["amount"]:
                raise PaymentStateError(f"capture exceeds the authorized {payment['amount']}")
            return "CAPTURED", amount, {"captured": captured}

        return self._act(payment_id, idempotency_key, "capture", apply)

    def void(self, *, payment_id: str, idempotency_key: str) -> Charge:
        """Releases the hold; captured money needs a refund instead."""

        def apply(payment: dict) -> tuple[str, Decimal, dict]:
            if payment["status"] in ("CAPTURED", "REFUNDED"):
                raise PaymentStateError("captured payment: refund it instead")
            return "VOIDED", payment["amount"] - payment["captured"], {}

        return self._act(payment_id, idempotency_key, "void", apply)

    def refund(self, *, payment_id: str, idempotency_key: str, amount: Decimal) -> Charge:
        def apply(payment: dict) -> tuple[str, Decimal, dict]:
            refunded = payment["refunded"] + amount
            if payment["status"] not in ("CAPTURED", "REFUNDED") or refunded > payment["captured"]:
                raise PaymentStateError(f"refund exceeds the captured {payment['captured']}")
            status = "REFUNDED" if refunded == payment["captured"] else "CAPTURED"
            return status, amount, {"refunded": refunded}

        return self._act(payment_id, idempotency_key, "refund", apply)

    def _act(self, payment_id: str, idempotency_key: str, kind: str, apply: Decide) -> Charge:
        """One action under its own key; the payment row is locked while it is decided."""
        try:
            with self._engine.begin() as connection:
                if done := _action(connection, idempotency_key):
                    return done
                payment = (
                    connection.execute(
                        select(PAYMENTS)
                        .where(PAYMENTS.c.payment_id == payment_id)
                        .with_for_update()
                    )
                    .mappings()
                    .one_or_none()
                )
                if payment is None:
                    raise PaymentStateError(f"unknown payment {payment_id}")
                status, amount, changes = apply(dict(payment))
                connection.execute(
                    update(PAYMENTS)
                    .where(PAYMENTS.c.payment_id == payment_id)
                    .values(status=status, updated_at=utcnow(), **changes)
                )
                connection.execute(
                    ACTIONS.insert().values(
                        payment_id=payment_id,
                        kind=kind,
                        amount=amount,
                        status=status,
                        idempotency_key=idempotency_key,
                        at=utcnow(),
                    )
                )
                return Charge(payment_id, status, amount)
        except IntegrityError:  # the same key committed concurrently: that answer stands
            with reading(self._engine) as connection:
                done = _action(connection, idempotency_key)
            if done is None:
                raise
            return done


def _action(connection: Connection, idempotency_key: str) -> Charge | None:
    row = connection.execute(
        select(ACTIONS).where(ACTIONS.c.idempotency_key == idempotency_key)
    ).one_or_none()
    return None if row is None else Charge(row.payment_id, row.status, row.amount)


def _decide(token: str, attempts: int) -> str:
    if token == "tok_ok":
        return "AUTHORIZED"
    if token == "tok_flaky":
        return "PENDING" if attempts <= FLAKY_FAILURES else "AUTHORIZED"
    return "DECLINED"
