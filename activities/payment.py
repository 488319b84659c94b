"""Payment activities: the gateway's answers turned into Temporal outcomes.

A decline or an impossible action is a business refusal (non-retryable); a gateway
fault propagates as a plain exception, so the activity's retry policy retries it
under the same idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.payment_gateway import (
    Charge,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentStateError,
    SandboxGateway,
)
from models.activity_io import AuthorizeInput, PaymentActionInput, PaymentResult
from models.errors import PAYMENT_DECLINED

log = structlog.get_logger(__name__)
PAYMENT_STATE = "PaymentStateError"  # e.g. capture after void; not retryable


class PaymentActivities:
    def __init__(self, gateway: SandboxGateway) -> None:
        self._gateway = gateway

    @activity.defn(name="authorize_payment")
    def authorize_payment(self, data: AuthorizeInput) -> PaymentResult:
        return _call(
            "authorize_payment",
            data.order_id,
            lambda: self._gateway.authorize(
                order_id=data.order_id,
                idempotency_key=data.idempotency_key,
                amount=data.amount,
                token=data.token,
            ),
        )

    @activity.defn(name="capture_payment")
    def capture_payment(self, data: PaymentActionInput) -> PaymentResult:
        return _call(
            "capture_payment",
            data.order_id,
            lambda: self._gateway.capture(
                payment_id=data.payment_id, idempotency_key=data.idempotency_key, amount=data.amount
            ),
        )

    @activity.defn(name="void_payment")
    def void_payment(self, data: PaymentActionInput) -> PaymentResult:
        """Releases the whole remaining hold; `amount` is ignored."""
        return _call(
            "void_payment",
            data.order_id,
            lambda: self._gateway.void(
                payment_id=data.payment_id, idempotency_key=data.idempotency_key
            ),
        )

    @activity.defn(name="refund_payment")
    def refund_payment(self, data: PaymentActionInput) -> PaymentResult:
        return _call(
            "refund_payment",
            data.order_id,
            lambda: self._gateway.refund(
                payment_id=data.payment_id, idempotency_key=data.idempotency_key, amount=data.amount
            ),
        )


def _call(name: str, order_id: str, action: Callable[[], Charge]) -> PaymentResult:
    try:
        charge = action()
    except PaymentDeclined as error:
        log.info(name, order_id=order_id, outcome="declined")
        raise ApplicationError(str(error), type=PAYMENT_DECLINED, non_retryable=True) from error
    except PaymentStateError as error:
        log.warning(name, order_id=order_id, outcome="refused", reason=str(error))
        raise ApplicationError(str(error), type=PAYMENT_STATE, non_retryable=True) from error
    except GatewayUnavailable:
        log.info(name, order_id=order_id, outcome="gateway_unavailable")
        raise
    log.info(name, order_id=order_id, outcome=charge.status.lower(), payment_id=charge.payment_id)
    return PaymentResult(payment_id=charge.payment_id, status=charge.status, amount=charge.amount)
