from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from temporalio.exceptions import ApplicationError

from activities.payment import PAYMENT_STATE, PaymentActivities
from activities.payment_gateway import GatewayUnavailable, SandboxGateway
from activities.tables import Payment
from models.activity_io import AuthorizeInput, PaymentActionInput
from models.errors import PAYMENT_DECLINED


@pytest.fixture
def payments(engine: Engine) -> PaymentActivities:
    return PaymentActivities(SandboxGateway(engine))


def _authorize(token: str, key: str = "SO-1:authorize:1", amount: str = "119.80") -> AuthorizeInput:
    return AuthorizeInput(
        order_id="SO-1", idempotency_key=key, amount=Decimal(amount), method="card", token=token
    )


def _action(payment_id: str, key: str, amount: str = "119.80") -> PaymentActionInput:
    return PaymentActionInput(
        order_id="SO-1", idempotency_key=key, payment_id=payment_id, amount=Decimal(amount)
    )


def _payment_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Payment))


def test_tok_ok_authorizes_once_however_often_the_same_key_is_sent(
    payments: PaymentActivities, engine: Engine
) -> None:
    first = payments.authorize_payment(_authorize("tok_ok"))
    again = payments.authorize_payment(_authorize("tok_ok"))

    assert first.status == "AUTHORIZED" and first.amount == Decimal("119.80")
    assert again == first
    assert _payment_rows(engine) == 1


def test_tok_decline_is_a_non_retryable_decline(payments: PaymentActivities) -> None:
    with pytest.raises(ApplicationError) as raised:
        payments.authorize_payment(_authorize("tok_decline"))

    assert raised.value.type == PAYMENT_DECLINED and raised.value.non_retryable


def test_an_unknown_token_is_declined(payments: PaymentActivities) -> None:
    with pytest.raises(ApplicationError, match="declined"):
        payments.authorize_payment(_authorize("tok_whatever"))


def test_tok_flaky_fails_transiently_twice_then_authorizes(payments: PaymentActivities) -> None:
    for _ in range(2):
        with pytest.raises(GatewayUnavailable):
            payments.authorize_payment(_authorize("tok_flaky"))

    result = payments.authorize_payment(_authorize("tok_flaky"))

    assert result.status == "AUTHORIZED"


def test_tok_flaky_counts_attempts_across_gateway_instances(engine: Engine) -> None:
    # Two worker processes share only the database.
    for _ in range(2):
        with pytest.raises(GatewayUnavailable):
            PaymentActivities(SandboxGateway(engine)).authorize_payment(_authorize("tok_flaky"))

    assert PaymentActivities(SandboxGateway(engine)).authorize_payment(_authorize("tok_flaky"))


def test_capture_void_and_refund_are_idempotent_by_their_own_keys(
    payments: PaymentActivities,
) -> None:
    paid = payments.authorize_payment(_authorize("tok_ok"))

    captured = payments.capture_payment(_action(paid.payment_id, "SO-1:capture"))
    assert payments.capture_payment(_action(paid.payment_id, "SO-1:capture")) == captured
    refunded = payments.refund_payment(_action(paid.payment_id, "SO-1:refund", "19.80"))

    assert captured.status == "CAPTURED" and captured.amount == Decimal("119.80")
    assert (refunded.status, refunded.amount) == ("CAPTURED", Decimal("19.80"))  # partly refunded
    with pytest.raises(ApplicationError) as raised:
        payments.void_payment(_action(paid.payment_id, "SO-1:void"))
    assert raised.value.type == PAYMENT_STATE and raised.value.non_retryable


def test_a_voided_payment_cannot_be_captured(payments: PaymentActivities) -> None:
    paid = payments.authorize_payment(_authorize("tok_ok"))

    voided = payments.void_payment(_action(paid.payment_id, "SO-1:void"))
    assert payments.void_payment(_action(paid.payment_id, "SO-1:void")) == voided

    assert voided.status == "VOIDED"
    with pytest.raises(ApplicationError, match="cannot capture a voided payment"):
        payments.capture_payment(_action(paid.payment_id, "SO-1:capture"))


def test_reusing_a_key_with_another_amount_is_refused(payments: PaymentActivities) -> None:
    payments.authorize_payment(_authorize("tok_ok"))

    with pytest.raises(ApplicationError) as raised:
        payments.authorize_payment(_authorize("tok_ok", amount="1.00"))

    assert raised.value.type == PAYMENT_STATE
