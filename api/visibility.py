"""`GET /orders` filters as a Temporal visibility query, and its rows as summaries.

Values are checked against a narrow alphabet before they are quoted, so no filter can
close the quote and add clauses of its own (no query injection).
"""

from __future__ import annotations

import re

from temporalio.client import WorkflowExecution

from api.schemas import OrderSummary
from models.status import OrderStatus
from workflows import search_attributes as sa

WORKFLOW_TYPE = "OrderWorkflow"
# Ids as the storefronts send them: letters, digits and `_ . : @ + -`.
SAFE_VALUE = r"^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,63}$"
_SAFE = re.compile(SAFE_VALUE)


def quote(value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"not a safe search attribute value: {value!r}")
    return f"'{value}'"


def orders_query(
    *,
    status: OrderStatus | None = None,
    customer_id: str | None = None,
    sla_breached: bool | None = None,
) -> str:
    clauses = [f"WorkflowType = {quote(WORKFLOW_TYPE)}"]
    if status is not None:
        clauses.append(f"OrderStatus = {quote(OrderStatus(status).value)}")
    if customer_id is not None:
        clauses.append(f"CustomerId = {quote(customer_id)}")
    if sla_breached is not None:
        clauses.append(f"SlaBreached = {'true' if sla_breached else 'false'}")
    return " AND ".join(clauses)


def summary_of(execution: WorkflowExecution) -> OrderSummary:
    attrs = execution.typed_search_attributes
    return OrderSummary(
        order_id=execution.id.removeprefix("order-"),
        workflow_id=execution.id,
        status=attrs.get(sa.ORDER_STATUS),
        execution_status=execution.status.name if execution.status else None,
        customer_id=attrs.get(sa.CUSTOMER_ID),
        customer_tier=attrs.get(sa.CUSTOMER_TIER),
        priority=attrs.get(sa.ORDER_PRIORITY),
        total=attrs.get(sa.ORDER_TOTAL),
        risk_level=attrs.get(sa.RISK_LEVEL),
        sla_breached=attrs.get(sa.SLA_BREACHED),
        carrier=attrs.get(sa.CARRIER),
        warehouses=list(attrs.get(sa.WAREHOUSES) or []),
        started_at=execution.start_time,
    )
