"""SLA deadlines: by when an order must ship, and how long the breach timer runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from models.order import ServiceLevel

WINDOWS: dict[ServiceLevel, timedelta] = {
    ServiceLevel.STANDARD: timedelta(hours=48),
    ServiceLevel.EXPEDITED: timedelta(hours=24),
}
URGENT_PRIORITY = 80
# Urgent orders get a quarter less time: the promise to them is tighter.
URGENT_SHARE = 0.75


def window(service_level: ServiceLevel | str, priority: int) -> timedelta:
    base = WINDOWS[ServiceLevel(service_level)]
    return base * URGENT_SHARE if priority >= URGENT_PRIORITY else base


def ship_by(start: datetime, service_level: ServiceLevel | str, priority: int) -> datetime:
    """The ship-by deadline; it keeps the tz-awareness of `start`."""
    return start + window(service_level, priority)


def breach_delay(start: datetime, ship_by: datetime) -> timedelta:
    """The breach timer's length; a deadline already past fires at once."""
    return max(ship_by - start, timedelta(0))


# The escalation ladder: a warning when 80% of the time is gone, the breach at the
# deadline, a hard breach a day later (the customer gets an apology and a coupon).
WARNING_SHARE = 0.8
HARD_BREACH_AFTER = timedelta(hours=24)
RUNGS = ("SLA_WARNING", "SLA_BREACHED", "SLA_HARD_BREACH")
COUPON_SHARE = Decimal("0.10")
COUPON_CAP = Decimal("50.00")


def rungs(start: datetime, ship_by: datetime) -> list[tuple[str, datetime]]:
    """Each rung of the ladder with the moment it fires, in order."""
    warning = start + (ship_by - start) * WARNING_SHARE
    return list(zip(RUNGS, (warning, ship_by, ship_by + HARD_BREACH_AFTER), strict=True))


def apology_coupon(order_total: Decimal) -> Decimal:
    """10% of the order, at most 50, in cents."""
    return min(order_total * COUPON_SHARE, COUPON_CAP).quantize(Decimal("0.01"))
