"""The customer's history and the block list, read for the risk score.

History comes from the order read model (earlier orders, their totals, the first one,
how many in the last day); the block list is a versioned JSON file ops maintain
(data/risk_blocklist.json), loaded by the composition root.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select
from temporalio import activity

from activities.db import reading
from activities.sqltypes import utcnow
from activities.tables import Order
from models.risk import CustomerHistory, CustomerHistoryQuery

log = structlog.get_logger(__name__)
ORDERS = Order.__table__


class BlockList(BaseModel):
    version: str = "none"
    customer_ids: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    postal_codes: list[str] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> BlockList:
        return cls.model_validate(json.loads(path.read_text())) if path.exists() else cls()

    def matches(self, query: CustomerHistoryQuery) -> list[str]:
        """Which kinds of entry match: never the value itself (it is personal data)."""
        found = []
        if query.customer_id in self.customer_ids:
            found.append("customer id")
        if query.email.casefold() in {e.casefold() for e in self.emails}:
            found.append("email")
        if {_digits(p) for p in query.phones} & {_digits(p) for p in self.phones}:
            found.append("phone")
        if query.postal_code in self.postal_codes:
            found.append("postal code")
        return found


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


class CustomerRiskActivities:
    def __init__(self, engine: Engine, block_list: BlockList) -> None:
        self._engine = engine
        self._block_list = block_list

    @activity.defn(name="customer_history")
    def customer_history(self, query: CustomerHistoryQuery) -> CustomerHistory:
        earlier = (ORDERS.c.customer_id == query.customer_id) & (
            ORDERS.c.order_id != query.order_id
        )
        day_ago = utcnow() - timedelta(days=1)
        summary = select(
            func.count(),
            func.avg(ORDERS.c.total),
            func.min(ORDERS.c.created_at),
            func.count().filter(ORDERS.c.created_at >= day_ago),
        ).where(earlier)
        with reading(self._engine) as connection:
            count, average, first, last_day = connection.execute(summary).one()
        history = CustomerHistory(
            orders=count,
            average_total=Decimal(str(average)).quantize(Decimal("0.01")) if average else None,
            first_seen=first,
            orders_last_day=last_day,
            blocked=self._block_list.matches(query),
        )
        log.info(
            "customer_history",
            order_id=query.order_id,
            earlier_orders=count,
            blocked=bool(history.blocked),
            block_list=self._block_list.version,
        )
        return history
