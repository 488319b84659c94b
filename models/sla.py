"""SLA deadlines: by when an order must ship, and how long the breach timer runs."""

from __future__ import annotations

from datetime import datetime, timedelta

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
