"""WarehouseEventWorkflow: one WMS event, id `wms-{event_id}` so a repeat is not re-run.

Applies the event to the ledger; when it made stock available, wakes the backordered
orders for that SKU, highest priority first, as many as the stock covers.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.messages import RestockInput
    from models.order import workflow_id_for
    from models.wms import WaitingOrders, WaitingQuery, WmsEvent, WmsEventResult, orders_to_wake
    from workflows.activity_calls import call


def workflow_id_for_event(event_id: str) -> str:
    return f"wms-{event_id}"


@workflow.defn(name="WarehouseEventWorkflow")
class WarehouseEventWorkflow:
    @workflow.run
    async def run(self, event: WmsEvent) -> WmsEventResult:
        summary = f"{event.type} {event.sku} at {event.warehouse_id}"
        result: WmsEventResult = await call(
            "apply_wms_event", event, result_type=WmsEventResult, summary=summary
        )
        if event.type == "outbound" or result.available <= 0:
            return result
        waiting: WaitingOrders = await call(
            "find_backordered_orders",
            WaitingQuery(sku=event.sku),
            result_type=WaitingOrders,
            summary=f"orders waiting for {event.sku}",
        )
        arrival = RestockInput(
            sku=event.sku, warehouse_id=event.warehouse_id, quantity=result.available
        )
        for order in orders_to_wake(waiting.orders, result.available):
            handle = workflow.get_external_workflow_handle(workflow_id_for(order.order_id))
            try:
                await handle.signal("restock", arrival)
                result.woken_orders.append(order.order_id)
            except Exception:  # the order closed meanwhile: nothing to wake
                workflow.logger.info("order %s no longer waits", order.order_id)
        return result
