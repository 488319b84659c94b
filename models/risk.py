"""A first fraud-risk score from what the order itself shows.

Deeper signals (history, velocity, device) come later and add to the same score.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel

from models.order import OrderDocument, Tier

HOME_COUNTRY = "CN"
MEDIUM_FROM, HIGH_FROM = 40, 70
# (total at least, points): the highest band that applies counts.
TOTAL_BANDS = ((Decimal("5000"), 40), (Decimal("2000"), 25), (Decimal("500"), 10))
# (any line quantity at least, points): bulk buys are a reseller or a stolen card.
QUANTITY_BANDS = ((50, 25), (10, 10))
OTHER_RECIPIENT = 15
OTHER_PHONE = 10
ABROAD = 20
VIP_TRUST = -15


class RiskAssessment(BaseModel):
    score: int
    level: str
    reasons: list[str]


def level_for(score: int) -> str:
    if score >= HIGH_FROM:
        return "high"
    return "medium" if score >= MEDIUM_FROM else "low"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _name(name: str) -> str:
    return " ".join(name.casefold().split())


def assess(order: OrderDocument) -> RiskAssessment:
    customer, address = order.customer, order.shipping_address
    signals: list[tuple[int, str]] = []

    total = order.total
    for floor, points in TOTAL_BANDS:
        if total >= floor:
            signals.append((points, f"order total {total} >= {floor}"))
            break
    largest = max(line.quantity for line in order.lines)
    for least, points in QUANTITY_BANDS:
        if largest >= least:
            signals.append((points, f"a line of {largest} units"))
            break
    if _name(address.recipient) != _name(customer.name):
        signals.append((OTHER_RECIPIENT, "recipient is not the customer"))
    if _digits(address.phone) != _digits(customer.phone):
        signals.append((OTHER_PHONE, "recipient phone is not the customer's"))
    if address.country.upper() != HOME_COUNTRY:
        signals.append((ABROAD, f"ships to {address.country.upper()}"))
    if customer.tier == Tier.VIP:
        signals.append((VIP_TRUST, "vip customer"))

    score = max(0, min(100, sum(points for points, _ in signals)))
    reasons = [f"{reason} ({points:+d})" for points, reason in signals]
    return RiskAssessment(score=score, level=level_for(score), reasons=reasons)
