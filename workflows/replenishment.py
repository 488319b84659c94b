"""ReplenishmentWorkflow: one replenishment pass over every SKU and warehouse.

Scheduled daily (workflows/schedules.py). Load demand history, stock positions (with
open purchase orders) and supplier offers; decide in models.replenishment; record the
purchase orders, move the safety stocks, alert ops; return a summary. Every write is
keyed by this run (workflow id and run id) plus SKU and warehouse, so a retried
activity never orders twice, and the open orders it finds keep a later run from
ordering the same units again.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import replenishment, replenishment_records
    from models.replenishment_io import (
        DemandHistory,
        DemandHistoryInput,
        OpsAlertsInput,
        OpsAlertsResult,
        RecordPurchaseOrdersInput,
        RecordPurchaseOrdersResult,
        ReplenishmentInput,
        ReplenishmentSummary,
        SetSafetyStockInput,
        SetSafetyStockResult,
        StockPositions,
        StockPositionsInput,
        SupplierList,
        SuppliersInput,
    )
    from workflows.activity_calls import call


@workflow.defn(name="ReplenishmentWorkflow")
class ReplenishmentWorkflow:
    @workflow.run
    async def run(self, request: ReplenishmentInput) -> ReplenishmentSummary:
        today = workflow.now().date()
        info = workflow.info()
        run_key = f"{info.workflow_id}:{info.run_id}"
        history, stock, suppliers = await asyncio.gather(
            call(
                "load_demand_history",
                DemandHistoryInput(as_of=today, days=request.history_days),
                result_type=DemandHistory,
                summary=f"daily demand, {request.history_days} days before {today}",
            ),
            call(
                "load_stock_positions",
                StockPositionsInput(),
                result_type=StockPositions,
                summary="stock and open purchase orders",
            ),
            call("list_suppliers", SuppliersInput(), result_type=SupplierList, summary="offers"),
        )
        policy = replenishment.Policy(
            service_level=request.service_level, review_days=request.review_days
        )
        decisions = replenishment.plan(stock.positions, history.series, suppliers.offers, policy)
        summary = ReplenishmentSummary(
            as_of=today,
            evaluated=len(decisions),
            reorders=replenishment_records.reorder_lines(decisions),
        )
        if orders := replenishment_records.purchase_orders(decisions, run_key, today):
            recorded = await call(
                "record_purchase_orders",
                RecordPurchaseOrdersInput(orders=orders),
                result_type=RecordPurchaseOrdersResult,
                summary=f"{len(orders)} purchase orders",
            )
            summary.purchase_orders_created = len(recorded.created)
        if levels := replenishment_records.safety_stock_changes(stock.positions, decisions):
            changed = await call(
                "set_safety_stock",
                SetSafetyStockInput(levels=levels),
                result_type=SetSafetyStockResult,
                summary=f"safety stock of {len(levels)} rows",
            )
            summary.safety_stock_changed = changed.changed
        if alerts := replenishment_records.alerts(decisions, run_key):
            await call(
                "send_ops_alerts",
                OpsAlertsInput(alerts=alerts),
                result_type=OpsAlertsResult,
                summary=f"{len(alerts)} ops alerts",
            )
            summary.alerts = [alert.body for alert in alerts]
        workflow.logger.info(
            "replenishment: %d pairs, %d reorders, %d alerts",
            summary.evaluated,
            len(summary.reorders),
            len(summary.alerts),
        )
        return summary
