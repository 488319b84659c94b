"""Small waits and message builders for workflow tests (every wait is bounded)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from temporalio.client import WorkflowHandle

from models.messages import CarrierEvent
from models.status import OrderStatus
from models.view import OrderView
from workflows.order import OrderWorkflow


async def view_of(handle: WorkflowHandle[Any, Any]) -> OrderView:
    return await handle.query(OrderWorkflow.status)


async def wait_until(
    handle: WorkflowHandle[Any, Any], ready: Callable[[OrderView], bool], timeout: float = 15
) -> OrderView:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view = await view_of(handle)
        if ready(view):
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up waiting; order is {view.status}: {view.timeline}")
        await asyncio.sleep(0.05)


async def wait_for_status(
    handle: WorkflowHandle[Any, Any], status: OrderStatus, timeout: float = 15
) -> OrderView:
    return await wait_until(handle, lambda v: v.status == status, timeout)


def tracking(
    view: OrderView, status: str, *, index: int = 0, event_id: str | None = None
) -> CarrierEvent:
    shipment = view.shipments[index]
    return CarrierEvent(
        event_id=event_id or f"{shipment.shipment_id}:{status}",
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=status,
        at=datetime.now(UTC),
        location="Shanghai hub",
    )


async def deliver(handle: WorkflowHandle[Any, Any], view: OrderView) -> None:
    """Send the whole tracking story for every parcel of the order."""
    for index in range(len(view.shipments)):
        for status in ("PICKED_UP", "IN_TRANSIT", "DELIVERED"):
            await handle.signal(OrderWorkflow.carrier_event, tracking(view, status, index=index))
