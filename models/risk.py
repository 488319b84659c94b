"""The fraud-risk score: what the order shows, plus the customer's history when known.

Each signal adds (or takes) points and says why; the reasons are kept with the order.
History signals: the total against the customer's usual spend, a new account, many
orders in a short time, and a block list (customer, email, phone or postal code).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

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
BLOCKED = 100  # a block-list match always holds the order for review
VELOCITY_FROM, VELOCITY = 3, 25  # earlier orders in the last 24 hours
NEW_ACCOUNT_DAYS, NEW_ACCOUNT = 7, 10
UNUSUAL_FACTOR, UNUSUAL_FROM, UNUSUAL = Decimal(3), 3, 20  # x average spend, over n orders
LOYAL_FROM, LOYAL = 5, -10


class CustomerHistoryQuery(BaseModel):
    order_id: str  # this order is not part of its own history
    customer_id: str
    email: str
    phones: list[str]  # the customer's and the recipient's
    postal_code: str


class CustomerHistory(BaseModel):
    """What the shop knows of the customer before this order."""

    orders: int = 0
    average_total: Decimal | None = None
    first_seen: datetime | None = None  # the customer's first order; None for a newcomer
    orders_last_day: int = 0
    blocked: list[str] = Field(default_factory=list)  # which block-list entries match


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


def history_signals(
    order: OrderDocument, history: CustomerHistory, now: datetime
) -> list[tuple[int, str]]:
    signals = [(BLOCKED, f"on the block list: {entry}") for entry in history.blocked]
    if history.orders_last_day >= VELOCITY_FROM:
        signals.append((VELOCITY, f"{history.orders_last_day} orders in the last 24 h"))
    new = history.first_seen is None or now - history.first_seen < timedelta(days=NEW_ACCOUNT_DAYS)
    if new:
        signals.append((NEW_ACCOUNT, f"account younger than {NEW_ACCOUNT_DAYS} days"))
    average = history.average_total
    if history.orders >= UNUSUAL_FROM and average and order.total > UNUSUAL_FACTOR * average:
        times = (order.total / average).quantize(Decimal("0.1"))
        signals.append((UNUSUAL, f"total is {times} x the customer's average"))
    if history.orders >= LOYAL_FROM and not history.blocked and not new:  # trust takes time
        signals.append((LOYAL, f"{history.orders} earlier orders"))
    return signals


def assess(
    order: OrderDocument, history: CustomerHistory | None = None, now: datetime | None = None
) -> RiskAssessment:
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
    if history is not None and now is not None:
        signals += history_signals(order, history, now)

    score = max(0, min(100, sum(points for points, _ in signals)))
    reasons = [f"{reason} ({points:+d})" for points, reason in signals]
    return RiskAssessment(score=score, level=level_for(score), reasons=reasons)
