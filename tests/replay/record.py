"""Record reference histories: `python -m tests.replay.record` (or `make record-histories`).

Starts its own in-memory dev server and a worker with a fast simulated pace, runs one
order per path worth guarding (delivered, cancelled, card declined, backordered,
substituted, returned, held and approved, delayed by the carrier) and one run of every
other workflow type, and writes each history to tests/replay/histories/RECORDING/NAME.json
(plus the delivered order's ShipmentWorkflow). Each recording is a new folder and the
old folders stay: they are what proves that runs started under older code still replay
after a workflow change. Set RECORDING for a new release; never overwrite an old one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client, WorkflowHandle

from activities.carrier_sim import DELAYED_POSTAL_CODE
from cli.documents import load_catalog
from cli.generate import make_order, wait_until
from cli.local_system import local_system
from cli.orders import start_order
from models.backorder import BackorderDecisionInput, DecisionResult
from models.dispatch_io import DispatchPlanInput
from models.messages import CancelInput, HoldReviewInput
from models.monitors import MonitorPolicy, RiskMonitorInput
from models.replenishment_io import ReconciliationInput, ReplenishmentInput
from models.returns import ReturnRequestInput, ReturnResult
from models.status import OrderStatus
from models.view import LineView, OrderView
from models.wms import WmsEvent
from workers.client import connect
from workers.process import exit_now
from workers.settings import PROJECT_ROOT, Settings
from workflows.dispatch import DispatchPlanWorkflow
from workflows.monitors import RiskMonitorWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.replenishment import ReplenishmentWorkflow
from workflows.warehouse_events import WarehouseEventWorkflow

HISTORIES = Path(__file__).parent / "histories"
RECORDING = HISTORIES / "2026-12-03-second-landing"  # encrypted payloads, returns, zones
S = OrderStatus
# name -> (sku, quantity, payment token, the status to wait for, cancel right away)
CASES = {
    "delivered": ("TEA-001", 2, "tok_ok", {S.DELIVERED}, False),
    "cancelled": ("SNK-001", 1, "tok_ok", {S.CANCELLED}, True),
    "declined": ("HOM-003", 1, "tok_decline", {S.AWAITING_PAYMENT}, False),
    "backordered": ("HOM-007", 1, "tok_ok", {S.BACKORDERED}, False),
    "substituted": ("HOM-007", 1, "tok_ok", {S.ALLOCATED}, False),
    "returned": ("TEA-002", 2, "tok_ok", {S.DELIVERED}, False),
    "held_approved": ("SNK-002", 1, "tok_ok", {S.ON_HOLD}, False),
    "carrier_delay": ("SNK-003", 1, "tok_ok", {S.DELIVERED}, False),
}
OPTIONS: dict[str, dict[str, str]] = {
    "held_approved": {"customer_id": "C-FRAUD-1"},  # on the block list
    "carrier_delay": {"postal_code": DELAYED_POSTAL_CODE},  # the carrier reports a delay
}
# The backordered customer who takes the similar item offered.
SUBSTITUTE = BackorderDecisionInput(choice="substitute", substitute_sku="HOM-003")
APPROVAL = HoldReviewInput(operator="ops-record", note="recorded approval")
ONE_BACK = ReturnRequestInput(lines=[LineView(sku="TEA-002", quantity=1)], reason="recorded")


async def _until(handle: WorkflowHandle, ready: Callable[[OrderView], bool]) -> None:
    for _ in range(300):
        if ready(await handle.query("status", result_type=OrderView)):
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{handle.id}: the return was never refunded")


async def record_scheduled(client: Client, settings: Settings) -> list[Path]:
    """One run of each workflow that is not an order: the schedules' and a WMS receipt."""
    runs = {
        "replenishment": (ReplenishmentWorkflow.run, ReplenishmentInput()),
        "reconciliation": (ReconciliationWorkflow.run, ReconciliationInput()),
        # Overstock from one day of cover: the recorded orders' stock alerts, so the
        # history holds the alert step too.
        "risk_monitors": (
            RiskMonitorWorkflow.run,
            RiskMonitorInput(policy=MonitorPolicy(overstock_days=1)),
        ),
        "dispatch": (DispatchPlanWorkflow.run, DispatchPlanInput()),
        "wms_receipt": (
            WarehouseEventWorkflow.run,
            WmsEvent(
                event_id=f"REC-{uuid.uuid4().hex[:6]}",
                type="inbound",
                warehouse_id="WH-SH",
                sku="HOM-007",
                quantity=1,
            ),
        ),
    }
    paths = []
    for name, (run, arg) in runs.items():
        handle = await client.start_workflow(
            run, arg, id=f"REC-{name}-{uuid.uuid4().hex[:6]}", task_queue=settings.task_queue
        )
        await asyncio.wait_for(handle.result(), 60)
        paths.append(RECORDING / f"{name}.json")
        paths[-1].write_text((await handle.fetch_history()).to_json() + "\n")
    return paths


async def record(settings: Settings) -> list[Path]:
    client = await connect(settings)
    prices = {
        p.sku: p.price for p in load_catalog(str(PROJECT_ROOT / "data/catalog.json")).products
    }

    async def one(name: str) -> list[Path]:
        sku, quantity, token, wanted, cancel = CASES[name]
        order_id = f"REC-{name}-{uuid.uuid4().hex[:6]}"
        lines = [(sku, quantity, Decimal(prices[sku]))]
        order = make_order(order_id, lines, n=0, token=token, **OPTIONS.get(name, {}))
        handle = await start_order(client, settings, order)
        if cancel:
            await handle.execute_update("request_cancel", CancelInput(reason="recorded cancel"))
        if name == "substituted":
            await wait_until(handle, frozenset({S.BACKORDERED}), since_wall=0, timeout=60)
            await handle.execute_update("backorder_decision", SUBSTITUTE)
        settled = await wait_until(handle, frozenset(wanted), since_wall=0, timeout=90)
        if settled.timed_out:
            seen = settled.view.status if settled.view else "no answer"
            raise RuntimeError(f"{name}: never reached {wanted} (last: {seen})")
        if name == "held_approved":
            await handle.execute_update("approve_hold", APPROVAL, result_type=DecisionResult)
            await wait_until(handle, frozenset({S.DELIVERED}), since_wall=0, timeout=90)
        if name == "returned":
            await handle.execute_update("request_return", ONE_BACK, result_type=ReturnResult)
            await _until(handle, lambda v: bool(v.returns) and v.returns[0].status == "REFUNDED")
        await asyncio.sleep(1)  # let the activity that follows the status change land
        path = RECORDING / f"{name}.json"
        path.write_text((await handle.fetch_history()).to_json() + "\n")
        if name == "delivered" and settled.view is not None:
            # The parcel's own history: packed by the simulated packer, tracked, delivered.
            child = client.get_workflow_handle(settled.view.shipments[0].workflow_id)
            await asyncio.wait_for(child.result(), 60)
            parcel = RECORDING / "shipment_delivered.json"
            parcel.write_text((await child.fetch_history()).to_json() + "\n")
            return [path, parcel]
        return [path]

    orders = [p for paths in await asyncio.gather(*(one(name) for name in CASES)) for p in paths]
    return orders + await record_scheduled(client, settings)


def main() -> int:
    with local_system("record-histories", suppliers=True) as system:
        RECORDING.mkdir(parents=True, exist_ok=True)
        for path in asyncio.run(record(system.settings)):
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    exit_now(main())
