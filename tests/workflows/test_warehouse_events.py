"""A warehouse receipt wakes the backordered orders it can cover, highest priority first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from temporalio import activity
from temporalio.worker import Worker

from models.messages import CancelInput
from models.status import OrderStatus as S
from models.wms import WaitingOrder, WaitingOrders, WaitingQuery, WmsEvent, WmsEventResult
from tests.workflows.conftest import make_order
from tests.workflows.helpers import wait_for_status
from workflows.order import OrderWorkflow
from workflows.shipment import ShipmentWorkflow
from workflows.warehouse_events import WarehouseEventWorkflow, workflow_id_for_event


async def test_a_receipt_wakes_the_waiting_order_it_covers(env, shop):
    shop.stock = {("WH-SH", "TEA-001"): 0}
    vip, big = (
        make_order(),
        make_order(lines=[{"sku": "TEA-001", "quantity": 9, "unit_price": "1"}]),
    )
    applied: list[str] = []

    @activity.defn(name="apply_wms_event")
    async def apply_wms_event(event: WmsEvent) -> WmsEventResult:
        applied.append(event.event_id)
        shop.stock[(event.warehouse_id, event.sku)] += event.quantity or 0
        return WmsEventResult(event_id=event.event_id, applied=True, on_hand=5, available=5)

    @activity.defn(name="find_backordered_orders")
    async def find_backordered_orders(query: WaitingQuery) -> WaitingOrders:
        now = datetime.now(UTC)
        return WaitingOrders(
            orders=[
                WaitingOrder(order_id=big.order_id, priority=90, quantity=9, since=now),
                WaitingOrder(order_id=vip.order_id, priority=70, quantity=2, since=now),
                WaitingOrder(order_id="SO-GONE", priority=60, quantity=1, since=now),
            ]
        )

    queue = f"test-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[OrderWorkflow, ShipmentWorkflow, WarehouseEventWorkflow],
        activities=[*shop.activities(), apply_wms_event, find_backordered_orders],
        workflow_failure_exception_types=[Exception],
    ):
        handles = {}
        for order in (vip, big):
            handles[order.order_id] = await env.client.start_workflow(
                OrderWorkflow.run, order, id=order.workflow_id, task_queue=queue
            )
            await wait_for_status(handles[order.order_id], S.BACKORDERED)
        event = WmsEvent(
            event_id="rcv-9", type="inbound", warehouse_id="WH-SH", sku="TEA-001", quantity=5
        )
        result = await env.client.execute_workflow(
            WarehouseEventWorkflow.run, event, id=workflow_id_for_event("rcv-9"), task_queue=queue
        )
        woken = await wait_for_status(handles[vip.order_id], S.ALLOCATED)
        waiting = await wait_for_status(handles[big.order_id], S.BACKORDERED)
        for handle in handles.values():
            await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    assert applied == ["rcv-9"]
    assert result.woken_orders == [vip.order_id]  # the big one does not fit; SO-GONE is gone
    assert woken.allocations[0].quantity == 2
    assert "RESTOCK" not in [e.event for e in waiting.timeline]
