"""ReconciliationWorkflow: compare the stock counters with the ledger and alert on drift.

Scheduled hourly (workflows/schedules.py). Counters are a cache of the append-only
ledger, so drift should never be found; when it is, ops get one alert per run listing
the rows, and the run returns them.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.replenishment_io import (
        DriftQuery,
        DriftReport,
        OpsAlertsInput,
        OpsAlertsResult,
        ReconciliationInput,
        ReconciliationSummary,
    )
    from models.replenishment_records import drift_alert
    from workflows.activity_calls import call


@workflow.defn(name="ReconciliationWorkflow")
class ReconciliationWorkflow:
    @workflow.run
    async def run(self, request: ReconciliationInput) -> ReconciliationSummary:
        report = await call(
            "find_stock_drift",
            DriftQuery(sku=request.sku),
            result_type=DriftReport,
            summary="counters vs ledger",
        )
        info = workflow.info()
        alert = drift_alert(report.rows, f"{info.workflow_id}:{info.run_id}")
        if alert is None:
            return ReconciliationSummary()
        workflow.logger.warning("reconciliation: %d stock rows drifted", len(report.rows))
        await call(
            "send_ops_alerts",
            OpsAlertsInput(alerts=[alert]),
            result_type=OpsAlertsResult,
            summary=f"drift in {len(report.rows)} stock rows",
        )
        return ReconciliationSummary(drift=report.rows, alerted=True)
