"""The Temporal Schedules of the scheduled workflows, created or updated idempotently.

    oms-replenishment   ReplenishmentWorkflow   daily at 02:00 UTC
    oms-reconciliation  ReconciliationWorkflow  hourly
    oms-risk-monitors   RiskMonitorWorkflow     hourly, at :15 (every monitor)
    oms-dispatch        DispatchPlanWorkflow    daily at 05:00 UTC

Call `ensure_schedules(client, task_queue)` at start-up (`starter.py up`): a missing
schedule is created, an existing one gets the current spec and action but keeps its
state, so a schedule ops paused stays paused. Overlapping runs are skipped, and a
server that was down runs a missed action only within the catch-up window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from models.dispatch import PLAN_HOUR_UTC
from models.dispatch_io import DispatchPlanInput
from models.monitors import RiskMonitorInput
from models.replenishment_io import ReconciliationInput, ReplenishmentInput
from workflows.dispatch import DispatchPlanWorkflow
from workflows.monitors import RiskMonitorWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.replenishment import ReplenishmentWorkflow

REPLENISHMENT_SCHEDULE_ID = "oms-replenishment"
RECONCILIATION_SCHEDULE_ID = "oms-reconciliation"
RISK_MONITORS_SCHEDULE_ID = "oms-risk-monitors"
DISPATCH_SCHEDULE_ID = "oms-dispatch"


@dataclass(frozen=True)
class Plan:
    schedule_id: str
    workflow: Any
    arg: Any
    every: timedelta
    offset: timedelta
    run_timeout: timedelta  # a stuck run must not block every later one (overlap: skip)
    note: str


def planned() -> list[Plan]:
    return [
        Plan(
            REPLENISHMENT_SCHEDULE_ID,
            ReplenishmentWorkflow.run,
            ReplenishmentInput(),
            every=timedelta(days=1),
            offset=timedelta(hours=2),
            run_timeout=timedelta(hours=1),
            note="forecast demand, set safety stock, order from the best supplier",
        ),
        Plan(
            RECONCILIATION_SCHEDULE_ID,
            ReconciliationWorkflow.run,
            ReconciliationInput(),
            every=timedelta(hours=1),
            offset=timedelta(0),
            run_timeout=timedelta(minutes=10),
            note="compare stock counters with the ledger; alert ops on drift",
        ),
        Plan(
            RISK_MONITORS_SCHEDULE_ID,
            RiskMonitorWorkflow.run,
            RiskMonitorInput(),
            every=timedelta(hours=1),
            offset=timedelta(minutes=15),
            run_timeout=timedelta(minutes=10),
            note="logistics delay, overstock, stock-out risk, fraud patterns; alert ops",
        ),
        Plan(
            DISPATCH_SCHEDULE_ID,
            DispatchPlanWorkflow.run,
            DispatchPlanInput(),
            every=timedelta(days=1),
            offset=timedelta(hours=PLAN_HOUR_UTC),
            run_timeout=timedelta(minutes=30),
            note="route the own vans: the day's same-city deliveries per warehouse",
        ),
    ]


def schedule_for(plan: Plan, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            plan.workflow,
            plan.arg,
            id=plan.schedule_id,  # each run's id is this plus the scheduled time
            task_queue=task_queue,
            run_timeout=plan.run_timeout,
            static_summary=plan.note,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=plan.every, offset=plan.offset)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=plan.every),
    )


async def ensure_schedules(client: Client, task_queue: str) -> dict[str, str]:
    """Create or update each schedule: schedule id -> "created" or "updated"."""
    outcome = {}
    for plan in planned():
        schedule = schedule_for(plan, task_queue)
        try:
            await client.create_schedule(plan.schedule_id, schedule)
            outcome[plan.schedule_id] = "created"
        except ScheduleAlreadyRunningError:

            def keep_state(
                current: ScheduleUpdateInput, new: Schedule = schedule
            ) -> ScheduleUpdate:
                new.state = current.description.schedule.state
                return ScheduleUpdate(schedule=new)

            await client.get_schedule_handle(plan.schedule_id).update(keep_state)
            outcome[plan.schedule_id] = "updated"
    return outcome
