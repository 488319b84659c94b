"""The live figures of the dashboard: a handful of cheap aggregate queries, no views parsed.

Counts by status come from the read model; throughput from when the read model first saw
each order; SLA breaches from the audit trail (orders with an SLA_BREACHED event); alerts
from the ops channel of the outbox, newest first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from activities.db import reading
from activities.tables import Notification, Order, OrderEvent

ORDERS, EVENTS, OUTBOX = Order.__table__, OrderEvent.__table__, Notification.__table__


def live_figures(engine: Engine, *, now: datetime, alerts: int = 10) -> dict[str, Any]:
    def placed_since(moment: datetime) -> Any:
        return select(func.count()).select_from(ORDERS).where(ORDERS.c.created_at >= moment)

    by_status = select(ORDERS.c.status, func.count()).group_by(ORDERS.c.status)
    breached = select(func.count(func.distinct(EVENTS.c.order_id))).where(
        EVENTS.c.event == "SLA_BREACHED"
    )
    latest = select(func.max(ORDERS.c.updated_at), func.max(ORDERS.c.sequence))
    recent_alerts = (
        select(OUTBOX.c.created_at, OUTBOX.c.event, OUTBOX.c.order_id, OUTBOX.c.body)
        .where(OUTBOX.c.channel == "ops")
        .order_by(OUTBOX.c.id.desc())
        .limit(alerts)
    )
    with reading(engine) as connection:
        statuses = {status: int(n) for status, n in connection.execute(by_status)}
        last_minute = connection.scalar(placed_since(now - timedelta(minutes=1))) or 0
        last_hour = connection.scalar(placed_since(now - timedelta(hours=1))) or 0
        sla_breached = connection.scalar(breached) or 0
        updated, _ = connection.execute(latest).one()
        rows = connection.execute(recent_alerts).mappings().all()
    return {
        "orders": sum(statuses.values()),
        "by_status": dict(sorted(statuses.items())),
        "placed_last_minute": int(last_minute),
        "placed_last_hour": int(last_hour),
        "sla_breached": int(sla_breached),
        "alerts": [dict(row) for row in rows],
        # Changes whenever any order changes: the page reloads its charts only then.
        "stamp": f"{sum(statuses.values())}-{updated.isoformat() if updated else 'none'}",
    }
