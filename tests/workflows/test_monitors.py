"""RiskMonitorWorkflow on the time-skipping server, with fakes under the activity names."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.analytics_stock import Cover
from models.monitor_snapshot import MonitorSnapshot, RiskWindow, SnapshotInput, TransitWindow
from models.monitors import RiskMonitorInput, RiskMonitorSummary
from models.replenishment_io import OpsAlert, OpsAlertsInput, OpsAlertsResult
from workflows.monitors import RiskMonitorWorkflow

LATE_CARRIER = TransitWindow(
    carrier="SLOW", recent_n=5, recent_median_h=60, baseline_n=20, baseline_median_h=24
)
SHORT_TEA = Cover(
    sku="TEA",
    warehouse_id="WH-A",
    available=4,
    on_order=0,
    daily_demand=2,
    days_of_cover=2,
    lead_time_days=5,
)
RISKY = RiskWindow(recent_orders=10, recent_held=5)


class FakeAnalytics:
    def __init__(self, **snapshot: object) -> None:
        self.snapshot = snapshot
        self.requests: list[SnapshotInput] = []
        self.alerts: list[OpsAlert] = []
        self.already_sent = False  # the outbox holds every key already

    def activities(self) -> list[object]:
        fake = self

        @activity.defn(name="analytics_snapshot")
        async def analytics_snapshot(req: SnapshotInput) -> MonitorSnapshot:
            fake.requests.append(req)
            return MonitorSnapshot.model_validate(
                {
                    "as_of": req.as_of,
                    "recent_hours": req.recent_hours,
                    "baseline_days": req.baseline_days,
                    **fake.snapshot,
                }
            )

        @activity.defn(name="send_ops_alerts")
        async def send_ops_alerts(req: OpsAlertsInput) -> OpsAlertsResult:
            if fake.already_sent:
                return OpsAlertsResult(written=0)
            fake.alerts += req.alerts
            return OpsAlertsResult(written=len(req.alerts))

        return [analytics_snapshot, send_ops_alerts]


async def monitor(
    env: WorkflowEnvironment, fake: FakeAnalytics, request: RiskMonitorInput | None = None
) -> RiskMonitorSummary:
    queue = f"test-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[RiskMonitorWorkflow],
        activities=fake.activities(),  # type: ignore[arg-type]
        workflow_failure_exception_types=[Exception],
    ):
        return await asyncio.wait_for(
            env.client.execute_workflow(
                RiskMonitorWorkflow.run,
                request or RiskMonitorInput(),
                id=f"oms-risk-monitors-{uuid.uuid4()}",
                task_queue=queue,
            ),
            timeout=30,
        )


async def test_every_monitor_checks_the_snapshot_and_alerts_ops_with_evidence(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeAnalytics(transit=[LATE_CARRIER], covers=[SHORT_TEA], risk=RISKY)

    summary = await monitor(env, fake)

    assert summary.checked == ["logistics_delay", "overstock", "stockout_risk", "fraud_pattern"]
    assert [a.event for a in summary.alerts] == [
        "LOGISTICS_DELAY",
        "STOCKOUT_RISK",
        "FRAUD_PATTERN",
    ]
    assert summary.written == 3
    (request,) = fake.requests
    assert request.as_of == summary.as_of and request.baseline_days == 14
    day = summary.as_of.date().isoformat()
    assert [a.idempotency_key for a in fake.alerts] == [
        f"monitor:logistics_delay:SLOW:{day}",
        f"monitor:stockout_risk:TEA@WH-A:{day}",
        f"monitor:fraud_pattern:orders:{day}",
    ]
    assert "SLOW: median transit 60.0 h" in fake.alerts[0].body


async def test_a_quiet_snapshot_sends_no_alert(env: WorkflowEnvironment) -> None:
    fake = FakeAnalytics()

    summary = await monitor(env, fake)

    assert summary.alerts == [] and summary.written == 0 and fake.alerts == []


async def test_only_the_monitors_asked_for_run(env: WorkflowEnvironment) -> None:
    fake = FakeAnalytics(transit=[LATE_CARRIER], covers=[SHORT_TEA], risk=RISKY)

    summary = await monitor(
        env, fake, RiskMonitorInput(monitors=["fraud_pattern"], recent_hours=6, baseline_days=3)
    )

    assert [a.monitor for a in summary.alerts] == ["fraud_pattern"]
    assert (fake.requests[0].recent_hours, fake.requests[0].baseline_days) == (6, 3)
    assert [a.event for a in fake.alerts] == ["FRAUD_PATTERN"]


async def test_alerts_the_outbox_already_holds_count_as_found_but_not_written(
    env: WorkflowEnvironment,
) -> None:
    # The key is monitor, subject and day (unit-tested): a second run the same day sends the
    # same key and the outbox skips it. The fake outbox here already holds every key.
    fake = FakeAnalytics(covers=[SHORT_TEA])
    fake.already_sent = True

    summary = await monitor(env, fake, RiskMonitorInput(monitors=["stockout_risk"]))

    assert [a.subject for a in summary.alerts] == ["TEA@WH-A"] and summary.written == 0


async def test_an_unknown_monitor_fails_the_run_before_any_check(env: WorkflowEnvironment) -> None:
    fake = FakeAnalytics(covers=[SHORT_TEA])

    with pytest.raises(WorkflowFailureError) as failure:
        await monitor(env, fake, RiskMonitorInput(monitors=["weather"]))

    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "InvalidMonitor"
    assert "unknown weather" in cause.message
    assert fake.requests == [] and fake.alerts == []
