"""Order priority: who goes first when stock, pickers or carriers are scarce."""

from __future__ import annotations

from pydantic import BaseModel

from models.order import OrderDocument, ServiceLevel, Tier

BASE = 50
VIP_BONUS = 20
EXPEDITED_BONUS = 20
# Promotion orders are many and cheap to delay, so they yield to everyone else.
PROMOTION_PENALTY = -10
ESCALATION_BONUS = 25
LOWEST, HIGHEST = 1, 100


class Priority(BaseModel):
    value: int
    reasons: list[str]


def clamp(value: int) -> int:
    return max(LOWEST, min(HIGHEST, value))


def classify(order: OrderDocument) -> Priority:
    rules = [
        (order.customer.tier == Tier.VIP, VIP_BONUS, "vip customer"),
        (order.shipping.service_level == ServiceLevel.EXPEDITED, EXPEDITED_BONUS, "expedited"),
        (bool(order.promotion_code), PROMOTION_PENALTY, "promotion code"),
    ]
    value, reasons = BASE, []
    for applies, delta, name in rules:
        if applies:
            value += delta
            reasons.append(f"{name} {delta:+d}")
    return Priority(value=clamp(value), reasons=reasons)


def escalate(value: int) -> int:
    """The priority after an SLA breach: late orders jump the queue."""
    return clamp(value + ESCALATION_BONUS)
