"""The Temporal Schedules, on a real dev server (the time-skipping server has no schedules).

The workflows run on a worker with the fake activities of the workflow tests, so the
test checks the schedules themselves: created once, updated (not duplicated) on the
next start-up, a paused schedule stays paused, and a triggered run of each completes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.client import Client, ScheduleHandle
from temporalio.worker import Worker

from tests.workflows.test_dispatch import SH, FakeDispatch, day_of
from tests.workflows.test_reconciliation import MUG_DRIFT, FakeLedger
from tests.workflows.test_replenishment import FakePurchasing, tea
from workers.converter import DATA_CONVERTER
from workers.devserver import free_port, start_dev_server
from workflows.dispatch import DispatchPlanWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.replenishment import ReplenishmentWorkflow
from workflows.schedules import (
    DISPATCH_SCHEDULE_ID,
    RECONCILIATION_SCHEDULE_ID,
    REPLENISHMENT_SCHEDULE_ID,
    RISK_MONITORS_SCHEDULE_ID,
    ensure_schedules,
)

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def client() -> AsyncIterator[Client]:
    server = await asyncio.to_thread(
        start_dev_server, in_memory=True, headless=True, port=free_port()
    )
    try:
        yield await Client.connect(server.address, data_converter=DATA_CONVERTER)
    finally:
        await asyncio.to_thread(server.stop)


async def triggered_run(handle: ScheduleHandle) -> str:
    """Trigger the schedule now; the id of the workflow it started."""
    await handle.trigger()
    for _ in range(100):
        actions = (await handle.describe()).info.recent_actions
        if actions:
            return actions[-1].action.workflow_id  # type: ignore[attr-defined, no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"schedule {handle.id} started nothing")


async def test_schedules_are_created_once_updated_after_and_each_runs_its_workflow(
    client: Client,
) -> None:
    queue = f"test-{uuid.uuid4()}"
    purchasing, ledger = FakePurchasing(tea(on_hand=30)), FakeLedger([MUG_DRIFT])
    vans = FakeDispatch(day_of(SH, 1, 20))

    assert await ensure_schedules(client, queue) == {
        REPLENISHMENT_SCHEDULE_ID: "created",
        RECONCILIATION_SCHEDULE_ID: "created",
        RISK_MONITORS_SCHEDULE_ID: "created",
        DISPATCH_SCHEDULE_ID: "created",
    }
    reconciliation = client.get_schedule_handle(RECONCILIATION_SCHEDULE_ID)
    await reconciliation.pause(note="ops are repairing stock")
    assert set((await ensure_schedules(client, queue)).values()) == {"updated"}
    assert (await reconciliation.describe()).schedule.state.paused  # ops' pause survives
    await reconciliation.unpause()

    async with Worker(
        client,
        task_queue=queue,
        workflows=[ReplenishmentWorkflow, ReconciliationWorkflow, DispatchPlanWorkflow],
        # One send_ops_alerts for all: the replenishment fake's.
        activities=purchasing.activities() + ledger.activities()[:1] + vans.activities()[:3],  # type: ignore[arg-type]
        workflow_failure_exception_types=[Exception],
    ):
        replenished = await triggered_run(client.get_schedule_handle(REPLENISHMENT_SCHEDULE_ID))
        reconciled = await triggered_run(reconciliation)
        summary = await asyncio.wait_for(client.get_workflow_handle(replenished).result(), 30)
        drift = await asyncio.wait_for(client.get_workflow_handle(reconciled).result(), 30)
        dispatched = await triggered_run(client.get_schedule_handle(DISPATCH_SCHEDULE_ID))
        routes = await asyncio.wait_for(client.get_workflow_handle(dispatched).result(), 30)

    assert replenished.startswith(f"{REPLENISHMENT_SCHEDULE_ID}-")
    assert reconciled.startswith(f"{RECONCILIATION_SCHEDULE_ID}-")
    assert summary["purchase_orders_created"] == 1 and len(purchasing.orders) == 1
    assert drift["alerted"] and [a.event for a in purchasing.alerts] == ["STOCK_DRIFT"]
    assert dispatched.startswith(f"{DISPATCH_SCHEDULE_ID}-")
    assert routes["warehouses"][0]["served"] == 1 and len(vans.plans) == 1
