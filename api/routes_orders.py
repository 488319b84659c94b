"""Orders: place (idempotent), status, cancel, and the list over the search attributes."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import Engine
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.catalog import catalog_is_empty, check_order_against_catalog
from api.errors import ERROR_RESPONSES, ApiError, field_problem, update_answers
from api.schemas import CancelAnswer, CancelRefusal, ErrorBody, OrderSummary, PlaceAnswer
from api.state import ClientDep, GatewayDep
from api.visibility import SAFE_VALUE, orders_query, summary_of
from cli import orders
from cli.output import CommandError, InvalidInput
from models.messages import CancelInput
from models.order import OrderDocument, workflow_id_for
from models.status import OrderStatus
from models.view import OrderView

router = APIRouter(tags=["orders"])

# The same rule as OrderDocument.order_id: anything else cannot be an order.
OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
NOT_FOUND = {404: {"model": ErrorBody, "description": "no order with this id"}}
TIMEOUT = {504: {"model": ErrorBody, "description": "no worker answered in time"}}


@router.post(
    "/orders",
    status_code=202,
    response_model=PlaceAnswer,
    responses={
        200: {"model": PlaceAnswer, "description": "a repeat: the existing order's answer"},
        **ERROR_RESPONSES,
    },
    summary="Place an order (idempotent by order_id)",
)
async def place_order(order: OrderDocument, gateway: GatewayDep, response: Response) -> PlaceAnswer:
    """202 when this call started the order's workflow; 200 when the order_id was already
    placed (the existing order's answer; no second workflow). Two concurrent first
    placements may both answer 202, still with one workflow."""
    problem = await asyncio.to_thread(_catalog_problem, gateway.engine, order)
    if problem:
        raise field_problem(422, problem)
    client = await gateway.client()
    existed = await _exists(client.get_workflow_handle(workflow_id_for(order.order_id)))
    answer = await orders.place(client, gateway.settings, order)
    if existed:
        response.status_code = 200
    return PlaceAnswer.model_validate(answer)


def _catalog_problem(engine: Engine, order: OrderDocument) -> str | None:
    if catalog_is_empty(engine):
        raise ApiError(503, "the catalog is empty: seed it first (starter.py seed)")
    return check_order_against_catalog(engine, order=order)


async def _exists(handle: WorkflowHandle) -> bool:
    try:
        await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


@router.get(
    "/orders/{order_id}",
    response_model=OrderView,
    responses={**NOT_FOUND, **TIMEOUT, **ERROR_RESPONSES},
    summary="The order view (the status query)",
)
async def get_order(order_id: OrderId, client: ClientDep) -> OrderView:
    try:
        return await orders.status(client, order_id)
    except InvalidInput as error:
        raise ApiError(404, str(error), field="order_id") from None
    except CommandError as error:
        raise ApiError(504, str(error)) from None


@router.post(
    "/orders/{order_id}/cancel",
    response_model=CancelAnswer,
    responses={
        409: {"model": CancelRefusal, "description": "refused, with the reason"},
        **NOT_FOUND,
        **TIMEOUT,
        **ERROR_RESPONSES,
    },
    summary="Cancel an order (the request_cancel update)",
)
async def cancel_order(order_id: OrderId, request: CancelInput, client: ClientDep) -> CancelAnswer:
    with update_answers():
        answer = await orders.cancel(client, order_id, request.reason)
    return CancelAnswer.model_validate(answer)


@router.get(
    "/orders",
    response_model=list[OrderSummary],
    responses=ERROR_RESPONSES,
    summary="Find orders by status, customer or SLA breach (a visibility query)",
)
async def list_orders(
    client: ClientDep,
    status: OrderStatus | None = None,
    customer_id: Annotated[str | None, Query(max_length=64, pattern=SAFE_VALUE)] = None,
    sla_breached: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OrderSummary]:
    query = orders_query(status=status, customer_id=customer_id, sla_breached=sla_breached)
    found = client.list_workflows(query, limit=limit, page_size=limit)
    return [summary_of(execution) async for execution in found]
