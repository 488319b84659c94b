"""`starter.py wms-event --file EVENT.json`: a warehouse event, applied once by event id.

`check_catalog` and `apply_event` are shared with the HTTP gateway's `POST /webhooks/wms`.
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine, select
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.db import reading
from activities.tables import Product, Warehouse
from cli import store
from cli.commands import client_for
from cli.documents import parse, read_json
from cli.output import InvalidInput, Refused, emit
from models.wms import WmsEvent, WmsEventResult
from workers.settings import Settings, load_settings
from workflows.warehouse_events import WarehouseEventWorkflow, workflow_id_for_event


def check_catalog(engine: Engine, event: WmsEvent) -> None:
    """InvalidInput naming `warehouse_id` or `sku` when the event names an unknown one."""
    with reading(engine) as connection:
        known_sku = connection.execute(select(Product.sku).where(Product.sku == event.sku)).first()
        known_wh = connection.execute(
            select(Warehouse.warehouse_id).where(Warehouse.warehouse_id == event.warehouse_id)
        ).first()
    if known_wh is None:
        raise InvalidInput(f"warehouse_id: unknown warehouse {event.warehouse_id}")
    if known_sku is None:
        raise InvalidInput(f"sku: unknown SKU {event.sku}")


async def apply_event(client: Client, settings: Settings, event: WmsEvent) -> WmsEventResult:
    """Run WarehouseEventWorkflow `wms-{event_id}` (or join the earlier run) for its result.

    A business refusal (e.g. more goods leaving than on hand) raises Refused.
    """
    workflow_id = workflow_id_for_event(event.event_id)
    try:
        handle = await client.start_workflow(
            WarehouseEventWorkflow.run,
            event,
            id=workflow_id,
            task_queue=settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:  # the same event id was handled before
        handle = client.get_workflow_handle_for(WarehouseEventWorkflow.run, workflow_id)
    try:
        return await handle.result()
    except WorkflowFailureError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) or isinstance(cause.__cause__, ApplicationError):
            raise Refused(str(cause.__cause__ or cause)) from None
        raise


async def wms_event(args: argparse.Namespace) -> int:
    event = parse(WmsEvent, read_json(args.file))
    settings = load_settings()
    check_catalog(store.engine_for(settings), event)
    result = await apply_event(await client_for(settings), settings, event)
    emit(result.model_dump(mode="json"), args.json, _human)
    return 0


def _human(r: dict[str, object]) -> str:
    state = "applied" if r["applied"] else "already applied (duplicate event id)"
    woken = ", ".join(r["woken_orders"]) or "none"  # type: ignore[arg-type]
    stock = f"on hand {r['on_hand']}, available {r['available']}"
    return f"event {r['event_id']}: {state}; {stock}; woke: {woken}"
