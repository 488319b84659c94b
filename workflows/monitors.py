"""RiskMonitorWorkflow: load a snapshot, run the pure checks, alert ops with the evidence.

Scheduled hourly (workflows/schedules.py) with every monitor; start it with a list of
monitor names to run only those. Alerts go to the ops outbox through `send_ops_alerts`,
keyed by monitor, subject and day, so a condition that persists alerts once a day and a
retried or re-run check never alerts twice.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.monitor_snapshot import MonitorSnapshot, SnapshotInput, ops_alerts
    from models.monitors import RiskMonitorInput, RiskMonitorSummary, run_checks, unknown_monitors
    from models.replenishment_io import OpsAlertsInput, OpsAlertsResult
    from workflows.activity_calls import call


@workflow.defn(name="RiskMonitorWorkflow")
class RiskMonitorWorkflow:
    @workflow.run
    async def run(self, request: RiskMonitorInput) -> RiskMonitorSummary:
        unknown = unknown_monitors(request.monitors)
        if unknown:  # a bad input fails the run at once, visibly, instead of retrying
            raise ApplicationError(unknown, type="InvalidMonitor", non_retryable=True)
        as_of = workflow.now()
        snapshot = await call(
            "analytics_snapshot",
            SnapshotInput(
                as_of=as_of, recent_hours=request.recent_hours, baseline_days=request.baseline_days
            ),
            result_type=MonitorSnapshot,
            summary=f"snapshot of the last {request.baseline_days} days",
        )
        alerts = run_checks(snapshot, request.monitors, request.policy)
        summary = RiskMonitorSummary(as_of=as_of, checked=request.monitors, alerts=alerts)
        if not alerts:
            return summary
        workflow.logger.warning("risk monitors: %d alerts", len(alerts))
        sent = await call(
            "send_ops_alerts",
            OpsAlertsInput(alerts=ops_alerts(alerts, as_of)),
            result_type=OpsAlertsResult,
            summary=", ".join(sorted({a.event for a in alerts}))[:200],
        )
        summary.written = sent.written
        return summary
