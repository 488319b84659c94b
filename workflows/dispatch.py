"""DispatchPlanWorkflow: the day's routes for each warehouse's own same-city vans.

Scheduled daily (workflows/schedules.py) at models.dispatch.PLAN_HOUR_UTC. Loads each
warehouse's deliveries and vans for the day, plans the routes in an activity (the
heuristic is CPU-bound, which a workflow task must not be), stores each plan (one per
warehouse and day: running again replaces it) and alerts ops about deliveries no van
can take. The alerts are keyed by day, warehouse and stops, so a re-run with the same
outcome does not alert twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import dispatch
    from models.dispatch_io import (
        DispatchDay,
        DispatchDayQuery,
        DispatchPlanInput,
        DispatchSummary,
        PlanRoutesInput,
        StorePlanInput,
        StorePlanResult,
    )
    from models.replenishment_io import OpsAlertsInput, OpsAlertsResult
    from models.routing_plan import DispatchPlan
    from workflows.activity_calls import call


PLANNING_TIMEOUT = timedelta(minutes=5)


@workflow.defn(name="DispatchPlanWorkflow")
class DispatchPlanWorkflow:
    @workflow.run
    async def run(self, request: DispatchPlanInput) -> DispatchSummary:
        day = request.day or workflow.now().date()
        info = workflow.info()
        run_key = f"{info.workflow_id}:{info.run_id}"
        loaded = await call(
            "load_dispatch_day",
            DispatchDayQuery(day=day, warehouse_ids=request.warehouse_ids),
            result_type=DispatchDay,
            summary=f"deliveries and vans for {day}",
        )
        plans: list[DispatchPlan] = []
        # One warehouse at a time: planning is CPU-bound, and parallel plans on one
        # worker would only slow each other towards the activity timeout.
        for r in loaded.requests:
            plan = await call(
                "plan_dispatch_routes",
                PlanRoutesInput(request=r),
                result_type=DispatchPlan,
                summary=f"routes of {r.depot.warehouse_id}: {len(r.stops)} stops",
                timeout=PLANNING_TIMEOUT,  # a big day's search takes minutes, not seconds
            )
            await call(
                "store_dispatch_plan",
                StorePlanInput(day=day, plan=plan, run_key=run_key),
                result_type=StorePlanResult,
                summary=f"plan of {plan.warehouse_id} for {day}",
            )
            plans.append(plan)
        alerts = dispatch.unplanned_alerts(day, plans)
        if alerts:
            await call(
                "send_ops_alerts",
                OpsAlertsInput(alerts=alerts),
                result_type=OpsAlertsResult,
                summary=f"{len(alerts)} ops alerts",
            )
        summary = dispatch.summarise(day, plans, alerts)
        workflow.logger.info(
            "dispatch %s: %d warehouses, %d alerts", day, len(plans), len(summary.alerts)
        )
        return summary
