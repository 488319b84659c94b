"""ReplenishmentWorkflow on the time-skipping server, with fakes under the activity names."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.replenishment_io import (
    DemandHistory,
    DemandHistoryInput,
    DemandSeries,
    OpsAlert,
    OpsAlertsInput,
    OpsAlertsResult,
    PurchaseOrderLine,
    RecordPurchaseOrdersInput,
    RecordPurchaseOrdersResult,
    ReplenishmentInput,
    ReplenishmentSummary,
    SafetyStockLevel,
    SetSafetyStockInput,
    SetSafetyStockResult,
    StockPosition,
    StockPositions,
    StockPositionsInput,
    SupplierList,
    SuppliersInput,
)
from models.suppliers import SupplierOffer
from workflows.replenishment import ReplenishmentWorkflow

TEA = SupplierOffer(
    supplier_id="SUP-TEA",
    name="Tea Co",
    category="TEA",
    price_ratio=0.5,
    on_time_rate=0.95,
    quality=0.95,
    lead_time_days=5,
)


class FakePurchasing:
    """Stock positions, demand and offers to hand out; records what the workflow writes."""

    def __init__(self, *positions: StockPosition, daily: list[int] | None = None) -> None:
        self.positions = list(positions)
        self.daily = [10] * 28 if daily is None else daily  # ten a day, every day
        self.orders: dict[str, PurchaseOrderLine] = {}
        self.levels: list[SafetyStockLevel] = []
        self.alerts: list[OpsAlert] = []
        self.record_attempts = 0
        self.fail_first_record = False

    def activities(self) -> list[object]:
        fake = self

        @activity.defn(name="load_demand_history")
        async def load_demand_history(req: DemandHistoryInput) -> DemandHistory:
            return DemandHistory(
                series=[
                    DemandSeries(sku=p.sku, warehouse_id=p.warehouse_id, daily=fake.daily)
                    for p in fake.positions
                ]
            )

        @activity.defn(name="load_stock_positions")
        async def load_stock_positions(req: StockPositionsInput) -> StockPositions:
            return StockPositions(positions=fake.positions)

        @activity.defn(name="list_suppliers")
        async def list_suppliers(req: SuppliersInput) -> SupplierList:
            return SupplierList(offers=[TEA])

        @activity.defn(name="record_purchase_orders")
        async def record_purchase_orders(
            req: RecordPurchaseOrdersInput,
        ) -> RecordPurchaseOrdersResult:
            fake.record_attempts += 1
            new = [o for o in req.orders if o.idempotency_key not in fake.orders]
            fake.orders.update({o.idempotency_key: o for o in new})
            if fake.fail_first_record and fake.record_attempts == 1:
                raise RuntimeError("database went away after the commit")
            return RecordPurchaseOrdersResult(created=[o.idempotency_key for o in new])

        @activity.defn(name="set_safety_stock")
        async def set_safety_stock(req: SetSafetyStockInput) -> SetSafetyStockResult:
            fake.levels += req.levels
            return SetSafetyStockResult(changed=len(req.levels))

        @activity.defn(name="send_ops_alerts")
        async def send_ops_alerts(req: OpsAlertsInput) -> OpsAlertsResult:
            fake.alerts += req.alerts
            return OpsAlertsResult(written=len(req.alerts))

        return [
            load_demand_history,
            load_stock_positions,
            list_suppliers,
            record_purchase_orders,
            set_safety_stock,
            send_ops_alerts,
        ]


def tea(**changes: object) -> StockPosition:
    values: dict[str, object] = {
        "sku": "TEA-001",
        "warehouse_id": "WH-SH",
        "on_hand": 30,
        "reserved": 0,
        "safety_stock": 0,
        "list_price": "59.90",
    }
    return StockPosition.model_validate(values | changes)


async def run_pass(
    env: WorkflowEnvironment, fake: FakePurchasing, workflow_id: str | None = None
) -> ReplenishmentSummary:
    queue = f"test-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[ReplenishmentWorkflow],
        activities=fake.activities(),  # type: ignore[arg-type]
        workflow_failure_exception_types=[Exception],
    ):
        return await asyncio.wait_for(
            env.client.execute_workflow(
                ReplenishmentWorkflow.run,
                ReplenishmentInput(),
                id=workflow_id or f"oms-replenishment-{uuid.uuid4()}",
                task_queue=queue,
            ),
            timeout=30,
        )


async def test_a_sku_under_its_reorder_point_gets_a_purchase_order(
    env: WorkflowEnvironment,
) -> None:
    fake = FakePurchasing(tea(on_hand=30))  # 10/day over a 5-day lead time: reorder at 50

    summary = await run_pass(env, fake, workflow_id="oms-replenishment-test-1")

    (order,) = fake.orders.values()
    assert order.idempotency_key.startswith("oms-replenishment-test-1:")
    assert order.idempotency_key.endswith(":TEA-001:WH-SH")
    assert (order.sku, order.supplier_id, order.quantity) == ("TEA-001", "SUP-TEA", 90)
    assert order.expected_on == summary.as_of + timedelta(days=5)
    assert summary.evaluated == 1 and summary.purchase_orders_created == 1
    assert [(r.sku, r.quantity) for r in summary.reorders] == [("TEA-001", 90)]
    assert fake.alerts == [] and summary.alerts == []


async def test_no_reorder_when_stock_on_order_already_covers_the_lead_time(
    env: WorkflowEnvironment,
) -> None:
    fake = FakePurchasing(tea(on_hand=30, on_order=40))

    summary = await run_pass(env, fake)

    assert fake.orders == {} and fake.record_attempts == 0
    assert summary.reorders == [] and summary.purchase_orders_created == 0


async def test_available_stock_under_safety_stock_alerts_ops(env: WorkflowEnvironment) -> None:
    # Three days of history keep the configured safety stock of 15; 12 - 2 is under it.
    fake = FakePurchasing(tea(on_hand=12, reserved=2, safety_stock=15), daily=[1, 1, 1])

    summary = await run_pass(env, fake)

    (alert,) = fake.alerts
    assert alert.event == "BELOW_SAFETY_STOCK"
    assert "TEA-001@WH-SH: available 10 is under safety stock 15" in alert.body
    assert summary.alerts == [alert.body]
    assert fake.levels == []  # nothing to move


async def test_a_retried_purchase_order_step_reuses_its_keys(env: WorkflowEnvironment) -> None:
    fake = FakePurchasing(tea(on_hand=30))
    fake.fail_first_record = True

    summary = await run_pass(env, fake)

    assert fake.record_attempts == 2 and len(fake.orders) == 1
    assert summary.purchase_orders_created == 0  # the first attempt had recorded it


async def test_steady_demand_moves_a_configured_safety_stock_to_what_the_error_needs(
    env: WorkflowEnvironment,
) -> None:
    fake = FakePurchasing(tea(on_hand=500, safety_stock=8))

    summary = await run_pass(env, fake)

    assert fake.levels == [SafetyStockLevel(sku="TEA-001", warehouse_id="WH-SH", safety_stock=0)]
    assert summary.safety_stock_changed == 1 and fake.orders == {}
