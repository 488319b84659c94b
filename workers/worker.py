"""The composition root: builds the activity objects and runs one worker process.

Everything the activities need (database engine, sandbox gateway, simulated carrier)
is created here and injected; the carrier simulator runs beside the worker and
signals tracking events to the shipment workflows, as a carrier's webhook would, and
the warehouse packer scans the parcels waiting to be packed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import Worker

from activities.analytics import AnalyticsActivities
from activities.carrier import CarrierActivities
from activities.carrier_sim import SimulatedCarrier
from activities.catalog import CatalogActivities
from activities.customer_risk import BlockList, CustomerRiskActivities
from activities.db import create_schema, make_engine
from activities.dispatch import DispatchActivities
from activities.finance import FinanceActivities
from activities.notify_providers import SmtpConfig, standard_providers
from activities.notify_sender import NotificationSender, prepare_outbox
from activities.parcels import ParcelActivities, create_parcel_table
from activities.payment import PaymentActivities
from activities.payment_gateway import SandboxGateway
from activities.records import OrderRecordActivities
from activities.replenishment import ReplenishmentActivities
from activities.restock import RestockActivities
from activities.simulator import CarrierSimulator, WarehousePacker
from activities.stock import StockActivities
from activities.warehouse_events import WarehouseEventActivities
from models.messages import CarrierEvent, ScanItemInput, ScanResult
from models.shipment import PACKING
from models.sourcing_profile import SourcingProfile
from models.view import LineView, ShipmentView
from workers.client import connect
from workers.metrics import worker_runtime
from workers.settings import Settings
from workflows.dispatch import DispatchPlanWorkflow
from workflows.monitors import RiskMonitorWorkflow
from workflows.order import OrderWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.replenishment import ReplenishmentWorkflow
from workflows.shipment import ShipmentWorkflow
from workflows.warehouse_events import WarehouseEventWorkflow

log = structlog.get_logger(__name__)
# Every workflow type this worker runs; the Replayer uses the same list.
WORKFLOWS = [
    OrderWorkflow,
    ShipmentWorkflow,
    ReplenishmentWorkflow,
    ReconciliationWorkflow,
    WarehouseEventWorkflow,
    RiskMonitorWorkflow,
    DispatchPlanWorkflow,
]
ACTIVITY_THREADS = 32  # sync activities wait on the database, not the CPU


def load_sourcing_profile(settings: Settings) -> SourcingProfile | None:
    """The versioned sourcing rules; without the file, sourcing uses its built-in default."""
    path = Path(settings.oms_sourcing_profile)
    return SourcingProfile.model_validate_json(path.read_text()) if path.exists() else None


def build_activities(engine: Engine, settings: Settings) -> list[Callable[..., Any]]:
    catalog = CatalogActivities(engine, sourcing_profile=load_sourcing_profile(settings))
    stock = StockActivities(engine)
    payment = PaymentActivities(SandboxGateway(engine))
    carrier = CarrierActivities(SimulatedCarrier(engine, pace=settings.oms_sim_pace))
    records = OrderRecordActivities(engine)
    replenishment = ReplenishmentActivities(engine)
    warehouse_events = WarehouseEventActivities(engine)
    restock = RestockActivities(engine)
    parcels = ParcelActivities(engine, pace=settings.oms_sim_pace)
    finance = FinanceActivities(engine)
    analytics = AnalyticsActivities(engine)
    customer_risk = CustomerRiskActivities(
        engine, BlockList.load(Path(settings.oms_risk_blocklist))
    )
    dispatch = DispatchActivities(engine)  # vans from data/fleet.json
    return [
        finance.post_voucher,
        customer_risk.customer_history,
        catalog.validate_order,
        catalog.get_stock_levels,
        stock.reserve_stock,
        stock.release_stock,
        stock.ship_stock,
        stock.restock_return,
        payment.authorize_payment,
        payment.capture_payment,
        payment.void_payment,
        payment.refund_payment,
        carrier.book_shipment,
        carrier.cancel_shipment,
        carrier.redirect_shipment,
        records.record_status,
        replenishment.load_demand_history,
        replenishment.load_stock_positions,
        replenishment.list_suppliers,
        replenishment.record_purchase_orders,
        replenishment.set_safety_stock,
        replenishment.send_ops_alerts,
        replenishment.find_stock_drift,
        warehouse_events.apply_wms_event,
        warehouse_events.find_backordered_orders,
        restock.estimate_restock,
        parcels.register_parcel,
        analytics.analytics_snapshot,
        dispatch.register_delivery,
        dispatch.load_dispatch_day,
        dispatch.plan_dispatch_routes,
        dispatch.store_dispatch_plan,
    ]


def build_worker(
    client: Client, settings: Settings, engine: Engine, executor: ThreadPoolExecutor
) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=build_activities(engine, settings),
        activity_executor=executor,
        max_concurrent_activities=ACTIVITY_THREADS,
    )


def signaller(client: Client) -> Callable[[str, CarrierEvent], Any]:
    async def send(workflow_id: str, event: CarrierEvent) -> None:
        await client.get_workflow_handle(workflow_id).signal("carrier_event", event)

    return send


class ScannerDesk:
    """The packer's handheld scanner: the shipment's `status` query and `scan_item` update."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def to_scan(self, workflow_id: str) -> list[LineView] | None:
        handle = self._client.get_workflow_handle(workflow_id)
        parcel = await handle.query("status", result_type=ShipmentView)
        if parcel.status != PACKING:
            return None
        done = {line.sku: line.quantity for line in parcel.scanned}
        left = [
            LineView(sku=line.sku, quantity=line.quantity - done.get(line.sku, 0))
            for line in parcel.lines
        ]
        return [line for line in left if line.quantity > 0]

    async def scan(self, workflow_id: str, scan: ScanItemInput) -> ScanResult:
        handle = self._client.get_workflow_handle(workflow_id)
        return await handle.execute_update("scan_item", scan, result_type=ScanResult)


def build_sender(engine: Engine, settings: Settings, runtime: Runtime | None) -> NotificationSender:
    """The outbox sender: email and ops alerts over SMTP, simulated SMS and push."""
    smtp = SmtpConfig(settings.oms_smtp_host, settings.oms_smtp_port, settings.oms_mail_from)
    providers = standard_providers(engine, smtp=smtp, ops_address=settings.oms_ops_email)
    return NotificationSender(engine, providers, meter=runtime.metric_meter if runtime else None)


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run one worker (and the carrier simulator) until `stop` is set."""
    stop = stop or asyncio.Event()
    engine = make_engine(settings.oms_database_url)
    create_schema(engine)
    create_parcel_table(engine)
    prepare_outbox(engine)
    runtime = worker_runtime(settings)  # serves /metrics; None when off or the port is taken
    client = await connect(settings, runtime=runtime)
    simulator = CarrierSimulator(engine, pace=settings.oms_sim_pace)
    packer = WarehousePacker(engine)
    with ThreadPoolExecutor(max_workers=ACTIVITY_THREADS) as executor:
        worker = build_worker(client, settings, engine, executor)
        tasks = [asyncio.create_task(worker.run())]
        if settings.oms_run_simulators:
            tasks.append(asyncio.create_task(simulator.run(signaller(client), stop=stop)))
            tasks.append(asyncio.create_task(packer.run(ScannerDesk(client), stop=stop)))
        if settings.oms_run_notifier:
            sender = build_sender(engine, settings, runtime)
            tasks.append(asyncio.create_task(sender.run(stop=stop)))
        log.info(
            "worker_started", task_queue=settings.task_queue, address=settings.temporal_address
        )
        await stop.wait()
        await worker.shutdown()
        await asyncio.gather(*tasks, return_exceptions=True)
    engine.dispose()
    log.info("worker_stopped")
