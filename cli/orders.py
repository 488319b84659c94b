"""place, status and cancel: the order's Temporal surface as the storefront sees it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cli.documents import parse
from cli.output import CommandError, InvalidInput, Refused
from models.messages import CancelInput, CancelResult
from models.order import OrderDocument, workflow_id_for
from models.priority import classify
from models.risk import assess
from models.status import OrderStatus
from models.view import OrderView
from workers.settings import Settings
from workflows import search_attributes as sa

WORKFLOW_TYPE = "OrderWorkflow"
QUERY_TIMEOUT = timedelta(seconds=10)
GLANCE_TIMEOUT = timedelta(seconds=3)  # for a status that has a fallback
UPDATE_TIMEOUT = timedelta(seconds=60)  # the update waits for compensation to finish


def initial_attributes(order: OrderDocument) -> TypedSearchAttributes:
    # Ids, tiers and numbers only: no names, emails, phones or addresses.
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.ORDER_STATUS, OrderStatus.RECEIVED.value),
            SearchAttributePair(sa.CUSTOMER_ID, order.customer.customer_id),
            SearchAttributePair(sa.CUSTOMER_TIER, order.customer.tier.value),
            SearchAttributePair(sa.ORDER_TOTAL, float(order.total)),
            SearchAttributePair(sa.ORDER_PRIORITY, classify(order).value),
            SearchAttributePair(sa.RISK_LEVEL, assess(order).level),
        ]
    )


def summary(order: OrderDocument) -> str:
    units = sum(line.quantity for line in order.lines)
    return (
        f"{order.order_id}: {len(order.lines)} line(s), {units} unit(s), {order.total}, "
        f"{order.shipping.service_level.value}, {order.customer.tier.value} customer"
    )


def details(order: OrderDocument) -> str:
    """The start details in the Web UI: what was ordered and how, no personal data."""
    lines = "\n".join(
        f"- {line.quantity} x {line.sku} at {line.unit_price}" for line in order.lines
    )
    return (
        f"**{order.order_id}** placed {order.placed_at:%Y-%m-%d %H:%M %Z} via {order.channel}\n\n"
        f"{lines}\n\ntotal {order.total}, {order.shipping.service_level.value} shipping to "
        f"{order.shipping_address.country}, payment by {order.payment.method}"
        + (f", promotion {order.promotion_code}" if order.promotion_code else "")
    )


async def start_order(client: Client, settings: Settings, order: OrderDocument) -> WorkflowHandle:
    """Start the order's workflow, or return the one already started for this order id."""
    workflow_id = workflow_id_for(order.order_id)
    try:
        return await client.start_workflow(
            WORKFLOW_TYPE,
            order,
            id=workflow_id,
            task_queue=settings.task_queue,
            # Running: join it. Closed: REJECT_DUPLICATE refuses a second run, and the
            # except below answers with the closed one.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=initial_attributes(order),
            static_summary=summary(order),
            static_details=details(order),
            result_type=OrderView,
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id, result_type=OrderView)


async def place(client: Client, settings: Settings, order: OrderDocument) -> dict[str, Any]:
    handle = await start_order(client, settings, order)
    return {
        "order_id": order.order_id,
        "workflow_id": handle.id,
        "status": await current_status(handle),
    }


async def current_status(handle: WorkflowHandle) -> str:
    """The status query's answer; else the OrderStatus search attribute; else RECEIVED."""
    try:
        view = await handle.query("status", result_type=OrderView, rpc_timeout=GLANCE_TIMEOUT)
        return view.status.value
    except Exception:  # no worker yet, or the first workflow task not done: fall back
        pass
    try:
        described = await handle.describe()
        return described.typed_search_attributes.get(sa.ORDER_STATUS) or OrderStatus.RECEIVED
    except RPCError:
        return OrderStatus.RECEIVED.value


async def status(client: Client, order_id: str) -> OrderView:
    handle = client.get_workflow_handle(workflow_id_for(order_id))
    try:
        return await handle.query("status", result_type=OrderView, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise InvalidInput(f"order_id: no order {order_id!r}") from None
        if _timed_out(error):
            raise CommandError(
                f"no worker answered the status query for {order_id!r} within "
                f"{QUERY_TIMEOUT.seconds}s: is a worker running (`python -m workers`)?"
            ) from None
        raise


def _timed_out(error: RPCError) -> bool:
    # The deadline shows up as DEADLINE_EXCEEDED or as CANCELLED "Timeout expired".
    return error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)


async def cancel(client: Client, order_id: str, reason: str) -> dict[str, Any]:
    """The request_cancel update; a refusal raises Refused carrying the answer to print."""
    request = parse(CancelInput, {"reason": reason})
    return await send_update(client, order_id, "request_cancel", request, CancelResult)


async def send_update(
    client: Client, order_id: str, name: str, request: BaseModel, result_type: type[BaseModel]
) -> dict[str, Any]:
    """Run an update of the order; its validator's refusal raises Refused with the answer."""
    handle = client.get_workflow_handle(workflow_id_for(order_id))
    try:
        # rpc_timeout bounds each poll only; the overall wait needs its own bound.
        result = await asyncio.wait_for(
            handle.execute_update(name, request, result_type=result_type),
            UPDATE_TIMEOUT.total_seconds(),
        )
    except TimeoutError:
        raise CommandError(
            f"no answer to {name} of {order_id!r} within {UPDATE_TIMEOUT.seconds}s: "
            "is a worker running (`python -m workers`)?"
        ) from None
    except WorkflowUpdateFailedError as failure:
        # The validator said no (already shipped, already closed): a business refusal.
        cause = failure.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause)
        answer = {"accepted": False, "status": await current_status(handle), "message": message}
        raise Refused(message, answer) from None
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        try:  # not found: no such order, or the workflow has already closed
            await handle.describe()
        except RPCError:
            raise InvalidInput(f"order_id: no order {order_id!r}") from None
        state = await current_status(handle)
        message = f"order already {state.lower()}"
        raise Refused(message, {"accepted": False, "status": state, "message": message}) from None
    answer = result.model_dump(mode="json")
    if answer.get("accepted") is False:
        raise Refused(str(answer.get("message", "refused")), answer)
    return answer


def describe_view(view: OrderView) -> str:
    lines = [
        f"order {view.order_id}: {view.status.value} (priority {view.priority}, "
        f"risk {view.risk_level})"
    ]
    for line in view.lines:
        lines.append(f"  line      {line.sku} x{line.quantity}")
    for alloc in view.allocations:
        lines.append(f"  allocated {alloc.sku} x{alloc.quantity} from {alloc.warehouse_id}")
    for ship in view.shipments:
        lines.append(
            f"  shipment  {ship.shipment_id} {ship.carrier} {ship.tracking_number} {ship.status}"
        )
    lines.append(f"  payment   {view.payment.status} {view.payment.amount}")
    if view.sla.ship_by:
        breached = " BREACHED" if view.sla.breached else ""
        lines.append(f"  ship by   {view.sla.ship_by.isoformat()}{breached}")
    for entry in view.timeline[-5:]:
        lines.append(f"  {entry.at.isoformat()} {entry.event} {entry.detail}".rstrip())
    return "\n".join(lines)
