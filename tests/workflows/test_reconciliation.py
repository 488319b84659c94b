"""ReconciliationWorkflow on the time-skipping server, with fakes under the activity names."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.replenishment_io import (
    DriftQuery,
    DriftReport,
    DriftRow,
    OpsAlert,
    OpsAlertsInput,
    OpsAlertsResult,
    ReconciliationInput,
    ReconciliationSummary,
)
from workflows.reconciliation import ReconciliationWorkflow


class FakeLedger:
    def __init__(self, drift: list[DriftRow]) -> None:
        self.drift = drift
        self.queries: list[DriftQuery] = []
        self.alerts: list[OpsAlert] = []

    def activities(self) -> list[object]:
        fake = self

        @activity.defn(name="find_stock_drift")
        async def find_stock_drift(req: DriftQuery) -> DriftReport:
            fake.queries.append(req)
            return DriftReport(rows=[r for r in fake.drift if req.sku in (None, r.sku)])

        @activity.defn(name="send_ops_alerts")
        async def send_ops_alerts(req: OpsAlertsInput) -> OpsAlertsResult:
            fake.alerts += req.alerts
            return OpsAlertsResult(written=len(req.alerts))

        return [find_stock_drift, send_ops_alerts]


async def reconcile(
    env: WorkflowEnvironment, fake: FakeLedger, request: ReconciliationInput | None = None
) -> tuple[str, ReconciliationSummary]:
    queue, workflow_id = f"test-{uuid.uuid4()}", f"oms-reconciliation-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[ReconciliationWorkflow],
        activities=fake.activities(),  # type: ignore[arg-type]
        workflow_failure_exception_types=[Exception],
    ):
        summary = await asyncio.wait_for(
            env.client.execute_workflow(
                ReconciliationWorkflow.run,
                request or ReconciliationInput(),
                id=workflow_id,
                task_queue=queue,
            ),
            timeout=30,
        )
    return workflow_id, summary


MUG_DRIFT = DriftRow(
    sku="MUG", warehouse_id="WH-A", on_hand=4, reserved=0, ledger_on_hand=3, ledger_reserved=0
)


async def test_injected_drift_is_returned_and_alerted_to_ops(env: WorkflowEnvironment) -> None:
    fake = FakeLedger([MUG_DRIFT])

    workflow_id, summary = await reconcile(env, fake)

    assert summary.drift == [MUG_DRIFT] and summary.alerted
    (alert,) = fake.alerts
    assert alert.event == "STOCK_DRIFT"
    assert alert.idempotency_key.startswith(f"{workflow_id}:") and alert.idempotency_key.endswith(
        ":drift"
    )
    assert "MUG@WH-A: counters on_hand 4 reserved 0, ledger on_hand 3 reserved 0" in alert.body


async def test_counters_that_match_the_ledger_raise_no_alert(env: WorkflowEnvironment) -> None:
    fake = FakeLedger([])

    _, summary = await reconcile(env, fake)

    assert summary == ReconciliationSummary(drift=[], alerted=False)
    assert fake.alerts == [] and len(fake.queries) == 1


async def test_a_check_of_one_sku_looks_at_that_sku_only(env: WorkflowEnvironment) -> None:
    fake = FakeLedger([MUG_DRIFT])

    _, summary = await reconcile(env, fake, ReconciliationInput(sku="TEA"))

    assert fake.queries == [DriftQuery(sku="TEA")]
    assert not summary.alerted and fake.alerts == []
