"""Small waits and message builders for workflow tests (every wait is bounded)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from temporalio.client import Client, WorkflowHandle

from models.messages import CarrierEvent, ScanItemInput
from models.status import OrderStatus
from models.view import OrderView, ShipmentView
from workflows.order import OrderWorkflow
from workflows.shipment import ShipmentWorkflow


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


def parcel(client: Client, view: OrderView, index: int = 0) -> WorkflowHandle[Any, Any]:
    """The ShipmentWorkflow of the order's parcel number `index`."""
    return client.get_workflow_handle(view.shipments[index].workflow_id)


async def scan_all(client: Client, handle: WorkflowHandle[Any, Any]) -> OrderView:
    """Scan every line of every parcel, as the packer would: ask what is left, scan it.

    Asking first matters on the time-skipping test server, which now and then answers an
    update to a just-started child without delivering it; a real packer does the same
    (activities/simulator.py), and the validator refuses any unit scanned twice.
    """
    view = await wait_until(handle, lambda v: bool(v.shipments))
    for _ in range(20):
        left = 0
        for index in range(len(view.shipments)):
            child = parcel(client, view, index)
            shipment = await parcel_view(child)
            if shipment.status != "PACKING":
                continue
            done = {line.sku: line.quantity for line in shipment.scanned}
            for line in shipment.lines:
                if line.quantity > done.get(line.sku, 0):
                    left += 1
                    scan = ScanItemInput(
                        sku=line.sku, quantity=line.quantity - done.get(line.sku, 0)
                    )
                    await child.execute_update(ShipmentWorkflow.scan_item, scan)
        if not left:
            return view
        await asyncio.sleep(0.1)
    raise AssertionError("the parcels never took their scans")


async def pack(client: Client, handle: WorkflowHandle[Any, Any]) -> OrderView:
    """Scan every parcel, then wait until every parcel is booked with a carrier."""
    await scan_all(client, handle)
    return await wait_until(
        handle, lambda v: all(s.status == "BOOKED" for s in v.shipments), timeout=15
    )


async def parcel_view(child: WorkflowHandle[Any, Any]) -> ShipmentView:
    return await child.query(ShipmentWorkflow.status)


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
