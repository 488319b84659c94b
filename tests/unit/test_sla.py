"""SLA windows: 48 h standard, 24 h expedited, a quarter less for urgent orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from models.order import ServiceLevel
from models.sla import breach_delay, ship_by

PLACED = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("level", "priority", "hours"),
    [
        (ServiceLevel.STANDARD, 50, 48),
        (ServiceLevel.EXPEDITED, 50, 24),
        (ServiceLevel.STANDARD, 79, 48),
        (ServiceLevel.STANDARD, 80, 36),
        (ServiceLevel.EXPEDITED, 90, 18),
    ],
)
def test_ship_by_window_follows_service_level_and_priority(
    level: ServiceLevel, priority: int, hours: int
) -> None:
    assert ship_by(PLACED, level, priority) == PLACED + timedelta(hours=hours)


def test_accepts_the_service_level_as_plain_text() -> None:
    assert ship_by(PLACED, "expedited", 50) == PLACED + timedelta(hours=24)


def test_keeps_the_time_zone_of_the_start() -> None:
    shanghai = timezone(timedelta(hours=8))
    start = datetime(2026, 12, 3, 18, 0, tzinfo=shanghai)
    assert ship_by(start, ServiceLevel.STANDARD, 50).tzinfo is shanghai
    assert ship_by(start.replace(tzinfo=None), ServiceLevel.STANDARD, 50).tzinfo is None


def test_breach_timer_runs_until_the_deadline() -> None:
    deadline = ship_by(PLACED, ServiceLevel.STANDARD, 50)
    now = PLACED + timedelta(hours=10)
    assert breach_delay(now, deadline) == timedelta(hours=38)


def test_breach_timer_never_runs_backwards() -> None:
    deadline = PLACED + timedelta(hours=1)
    assert breach_delay(PLACED + timedelta(hours=5), deadline) == timedelta(0)
