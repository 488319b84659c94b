"""DispatchPlanWorkflow on the time-skipping server, with fakes under the activity names."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.dispatch import Delivery, WarehouseFleet, build_request
from models.dispatch_io import (
    DispatchDay,
    DispatchDayQuery,
    DispatchPlanInput,
    DispatchSummary,
    PlanRoutesInput,
    StorePlanInput,
    StorePlanResult,
)
from models.replenishment_io import OpsAlert, OpsAlertsInput, OpsAlertsResult
from models.routing import plan_dispatch
from models.routing_plan import DispatchPlan
from models.routing_request import Depot, DispatchRequest
from workflows.dispatch import DispatchPlanWorkflow

DAY = date(2026, 12, 3)
SH = Depot(warehouse_id="WH-SH", lat=31.2304, lon=121.4737)
BJ = Depot(warehouse_id="WH-BJ", lat=39.9042, lon=116.4074)


def day_of(depot: Depot, vans: int, *kgs: float) -> DispatchRequest:
    deliveries = [
        Delivery(
            order_id=f"SO-{depot.warehouse_id}-{i}",
            lat=depot.lat + 0.02 * i,
            lon=depot.lon,
            weight_kg=kg,
        )
        for i, kg in enumerate(kgs, start=1)
    ]
    return build_request(depot, WarehouseFleet(vans=vans, capacity_kg=100), deliveries)


class FakeDispatch:
    """Hands out each warehouse's day; plans for real (pure); records what is written."""

    def __init__(self, *requests: DispatchRequest, store_failures: int = 0) -> None:
        self.requests = list(requests)
        self.queries: list[DispatchDayQuery] = []
        self.plans: dict[tuple[str, date], DispatchPlan] = {}
        self.store_calls = 0
        self.store_failures = store_failures  # transient faults before stores succeed
        self.alerts: list[OpsAlert] = []

    def activities(self) -> list[object]:
        fake = self

        @activity.defn(name="load_dispatch_day")
        async def load_dispatch_day(req: DispatchDayQuery) -> DispatchDay:
            fake.queries.append(req)
            return DispatchDay(day=req.day, requests=fake.requests)

        @activity.defn(name="plan_dispatch_routes")
        async def plan_dispatch_routes(req: PlanRoutesInput) -> DispatchPlan:
            return plan_dispatch(req.request)

        @activity.defn(name="store_dispatch_plan")
        async def store_dispatch_plan(req: StorePlanInput) -> StorePlanResult:
            fake.store_calls += 1
            if fake.store_failures > 0:
                fake.store_failures -= 1
                raise RuntimeError("database is restarting")
            key = (req.plan.warehouse_id, req.day)
            replaced = key in fake.plans
            fake.plans[key] = req.plan
            return StorePlanResult(replaced=replaced)

        @activity.defn(name="send_ops_alerts")
        async def send_ops_alerts(req: OpsAlertsInput) -> OpsAlertsResult:
            fake.alerts.extend(req.alerts)
            return OpsAlertsResult(written=len(req.alerts))

        return [load_dispatch_day, plan_dispatch_routes, store_dispatch_plan, send_ops_alerts]


async def _run(
    env: WorkflowEnvironment, fake: FakeDispatch, request: DispatchPlanInput
) -> DispatchSummary:
    queue = f"test-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[DispatchPlanWorkflow],
        activities=fake.activities(),  # type: ignore[arg-type]
        workflow_failure_exception_types=[Exception],
    ):
        return await env.client.execute_workflow(
            DispatchPlanWorkflow.run, request, id=f"dispatch-{uuid.uuid4()}", task_queue=queue
        )


async def test_each_warehouse_gets_its_plan_stored_and_no_alert_when_all_fit(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeDispatch(day_of(SH, 2, 30, 40, 50), day_of(BJ, 1, 20))
    summary = await _run(env, fake, DispatchPlanInput(day=DAY, warehouse_ids=["WH-SH", "WH-BJ"]))
    assert fake.queries == [DispatchDayQuery(day=DAY, warehouse_ids=["WH-SH", "WH-BJ"])]
    assert sorted(fake.plans) == [("WH-BJ", DAY), ("WH-SH", DAY)]
    assert fake.plans[("WH-SH", DAY)].served == 3
    assert [(w.warehouse_id, w.served, w.unserved) for w in summary.warehouses] == [
        ("WH-SH", 3, []),
        ("WH-BJ", 1, []),
    ]
    assert summary.day == DAY and summary.alerts == [] and fake.alerts == []


async def test_deliveries_no_van_can_take_alert_ops(env: WorkflowEnvironment) -> None:
    fake = FakeDispatch(day_of(SH, 1, 60, 70))  # one 100 kg van for 130 kg
    summary = await _run(env, fake, DispatchPlanInput(day=DAY))
    [alert] = fake.alerts
    assert alert.event == "DISPATCH_UNPLANNED" and alert.idempotency_key.startswith(
        "dispatch:2026-12-03:WH-SH:"
    )
    assert summary.alerts == [alert.body]
    assert summary.warehouses[0].served == 1 and len(summary.warehouses[0].unserved) == 1


async def test_without_a_day_the_plan_is_for_today_on_the_workflow_clock(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeDispatch()  # no warehouse has vans or deliveries
    today = (await env.get_current_time()).date()
    summary = await _run(env, fake, DispatchPlanInput())
    assert fake.queries[0].day == summary.day
    assert summary.day in (today, today + timedelta(days=1))  # the run may straddle midnight
    assert summary.warehouses == [] and fake.plans == {} and fake.store_calls == 0


async def test_a_store_that_fails_transiently_is_retried_and_stored_once(
    env: WorkflowEnvironment,
) -> None:
    fake = FakeDispatch(day_of(SH, 2, 30), store_failures=2)
    summary = await _run(env, fake, DispatchPlanInput(day=DAY))
    assert fake.store_calls == 3 and list(fake.plans) == [("WH-SH", DAY)]
    assert summary.warehouses[0].served == 1
