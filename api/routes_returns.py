"""Returns from the storefront: `POST /orders/{order_id}/returns` (the request_return update)."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import ERROR_RESPONSES, update_answers
from api.routes_orders import NOT_FOUND, TIMEOUT, OrderId
from api.schemas import CancelRefusal
from api.state import ClientDep
from cli.orders import send_update
from models.returns import ReturnRequestInput, ReturnResult

router = APIRouter(tags=["orders"])


@router.post(
    "/orders/{order_id}/returns",
    response_model=ReturnResult,
    responses={
        409: {"model": CancelRefusal, "description": "refused, with the reason"},
        **NOT_FOUND,
        **TIMEOUT,
        **ERROR_RESPONSES,
    },
    summary="Return delivered goods within 7 days (the request_return update)",
)
async def request_return(
    order_id: OrderId, request: ReturnRequestInput, client: ClientDep
) -> ReturnResult:
    with update_answers():
        answer = await send_update(client, order_id, "request_return", request, ReturnResult)
    return ReturnResult.model_validate(answer)
