"""Webhooks from carriers (tracking events) and the WMS (stock events), HMAC-signed.

The signature is checked over the raw body before anything is parsed, so an unsigned
request learns nothing (401) whatever it carries.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Request
from pydantic import AwareDatetime, BaseModel, Field, ValidationError
from sqlalchemy import Engine, select
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.db import reading
from activities.tables import Shipment
from api.errors import ERROR_RESPONSES, ApiError, field_problem, validation_errors
from api.schemas import CarrierEventAnswer, ErrorBody
from api.security import SIGNATURE_HEADER, signature_ok
from api.state import GatewayDep
from cli.output import InvalidInput, Refused
from cli.wms import apply_event, check_catalog
from models.messages import CarrierEvent
from models.wms import WmsEvent, WmsEventResult

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
MAX_BODY = 64 * 1024
HISTORY_SCAN_LIMIT = 5_000  # events read to tell a duplicate; beyond it: "don't know"
Model = TypeVar("Model", bound=BaseModel)


class CarrierWebhookEvent(CarrierEvent):
    """A carrier's tracking event; `carrier` defaults to the one in the URL."""

    event_id: str = Field(min_length=1, max_length=128)
    carrier: str = Field(default="", max_length=64)
    tracking_number: str = Field(min_length=1, max_length=64)
    status: Literal["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]  # type: ignore[assignment]
    at: AwareDatetime  # with a zone: the workflow compares it with its own (UTC) clock
    location: str = Field(default="", max_length=200)


def _signed_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a body the route reads itself (raw bytes first, for the signature)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        },
        "parameters": [
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "description": "sha256=<hex HMAC-SHA256 of the raw body with OMS_WEBHOOK_SECRET>",
                "schema": {"type": "string"},
            }
        ],
    }


WEBHOOK_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or bad signature"},
    413: {"model": ErrorBody, "description": "body over 64 KiB"},
    **ERROR_RESPONSES,
}


async def _verified(request: Request, secret: str, model: type[Model]) -> Model:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, f"document: the body is over {MAX_BODY} bytes")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, f"document: the body is over {MAX_BODY} bytes")
    if not signature_ok(secret, body, request.headers.get(SIGNATURE_HEADER)):
        raise ApiError(401, f"{SIGNATURE_HEADER}: missing or not the body's HMAC-SHA256")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ApiError(422, f"document: malformed JSON: {error}", field="document") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        body_error = validation_errors(error.errors())
        raise ApiError(422, body_error.detail, field=body_error.errors[0].field) from None


@router.post(
    "/carriers/{carrier}",
    response_model=CarrierEventAnswer,
    responses={
        404: {"model": ErrorBody, "description": "no shipment with this tracking number"},
        409: {"model": ErrorBody, "description": "the parcel's workflow has closed"},
        **WEBHOOK_ERRORS,
    },
    openapi_extra=_signed_body(CarrierWebhookEvent),
    summary="A carrier's tracking event, signalled to the order (deduplicated by event_id)",
)
async def carrier_event(
    carrier: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")],
    request: Request,
    gateway: GatewayDep,
) -> CarrierEventAnswer:
    hook = await _verified(request, gateway.gateway.oms_webhook_secret, CarrierWebhookEvent)
    if hook.carrier and hook.carrier != carrier:
        problem = f"carrier: {hook.carrier} is not the URL's {carrier}"
        raise ApiError(422, problem, field="carrier")
    event = CarrierEvent.model_validate({**hook.model_dump(), "carrier": carrier})
    shipment = await asyncio.to_thread(_shipment, gateway.engine, carrier, event.tracking_number)
    if shipment is None:
        raise ApiError(
            404,
            f"tracking_number: no {carrier} shipment {event.tracking_number}",
            field="tracking_number",
        )
    order_id, workflow_id = shipment
    client = await gateway.client()
    handle = client.get_workflow_handle(workflow_id)
    duplicate = await _already_signalled(client, handle, event.event_id)
    if duplicate:  # already delivered once: the workflow would ignore it anyway
        return CarrierEventAnswer(
            accepted=True, duplicate=True, order_id=order_id, workflow_id=workflow_id
        )
    try:
        await handle.signal("carrier_event", event)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        detail = f"tracking_number: the parcel's workflow {workflow_id} is closed"
        raise ApiError(409, detail, field="tracking_number") from None
    return CarrierEventAnswer(
        accepted=True, duplicate=duplicate, order_id=order_id, workflow_id=workflow_id
    )


def _shipment(engine: Engine, carrier: str, tracking_number: str) -> tuple[str, str] | None:
    """(order_id, workflow_id) of the shipment with this carrier and tracking number."""
    query = select(Shipment.order_id, Shipment.workflow_id).where(
        Shipment.tracking_number == tracking_number, Shipment.carrier == carrier
    )
    with reading(engine) as connection:
        row = connection.execute(query).first()
    return (row[0], row[1]) if row else None


async def _already_signalled(client: Client, handle: WorkflowHandle, event_id: str) -> bool | None:
    """Whether a `carrier_event` with this event_id is in the history; None: can't tell.

    Two copies racing may both answer False; the workflow still applies the event once.
    """
    seen = 0
    try:
        async for event in handle.fetch_history_events():
            seen += 1
            if seen > HISTORY_SCAN_LIMIT:
                return None
            if not event.HasField("workflow_execution_signaled_event_attributes"):
                continue
            attributes = event.workflow_execution_signaled_event_attributes
            if attributes.signal_name != "carrier_event":
                continue
            try:
                (earlier,) = await client.data_converter.decode(
                    attributes.input.payloads, [CarrierEvent]
                )
            except Exception:  # an event we cannot read is not this one
                continue
            if earlier.event_id == event_id:
                return True
    except RPCError:
        return None
    return False


@router.post(
    "/wms",
    response_model=WmsEventResult,
    responses={
        409: {"model": ErrorBody, "description": "refused by the stock rules"},
        504: {"model": ErrorBody, "description": "no worker finished the event in time"},
        **WEBHOOK_ERRORS,
    },
    openapi_extra=_signed_body(WmsEvent),
    summary="A warehouse event, applied once by event_id (WarehouseEventWorkflow)",
)
async def wms_event(request: Request, gateway: GatewayDep) -> WmsEventResult:
    event = await _verified(request, gateway.gateway.oms_webhook_secret, WmsEvent)
    try:
        await asyncio.to_thread(check_catalog, gateway.engine, event)
    except InvalidInput as error:
        raise field_problem(422, str(error)) from None
    client = await gateway.client()
    try:
        return await asyncio.wait_for(
            apply_event(client, gateway.settings, event), gateway.gateway.oms_gateway_wait_s
        )
    except Refused as refusal:
        raise ApiError(409, str(refusal)) from None
    except TimeoutError:
        raise ApiError(504, f"event {event.event_id}: no worker finished it in time") from None
