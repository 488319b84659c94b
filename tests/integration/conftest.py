"""One real dev server and one worker process for the whole integration session.

The server is in memory on free ports; the worker runs `python -m workers` against a
SQLite file in a tmp dir seeded with data/catalog.json plus a few test-only SKUs, so a
test that counts stock owns its SKU. Commands run as `python starter.py` subprocesses,
exactly as an integrator would run them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError

from activities.catalog import seed_catalog
from activities.db import create_schema, make_engine
from activities.ledger import list_inventory
from api.routes_codec import ui_endpoint
from cli.documents import load_catalog
from cli.generate import make_order
from cli.up import start_gateway, start_worker, stop_process, wait_for_gateway
from models.catalog import CatalogDocument
from models.order import workflow_id_for
from models.view import OrderView
from workers.client import connect
from workers.devserver import DevServer, free_port, log_tail, start_dev_server
from workers.settings import PROJECT_ROOT, Settings, load_settings
from workers.smtp_sink import SmtpSink

STARTER = PROJECT_ROOT / "starter.py"
# Test-only SKUs: no other test orders them, so their counters are the test's own.
TEST_SKUS = ["IT-ORDER", "IT-CANCEL", "IT-REFUSE", "IT-BAD", "IT-RET-A", "IT-RET-B"]
TEST_STOCK = CatalogDocument.model_validate(
    {
        "warehouses": [{"warehouse_id": "IT-WH", "name": "Test DC", "lat": 31.2, "lon": 121.5}],
        "products": [{"sku": s, "name": s, "price": "10.00"} for s in TEST_SKUS],
        "stock": [{"warehouse_id": "IT-WH", "sku": s, "on_hand": 50} for s in TEST_SKUS],
    }
)


@dataclass
class System:
    server: DevServer
    settings: Settings
    env: dict[str, str]
    workdir: Path
    worker_log: Path
    mail: SmtpSink | None = None  # the SMTP server the worker mails to
    metrics_port: int = 0  # the worker's Prometheus endpoint
    codec_port: int = 0  # the Web UI's codec server (the `codec_server` fixture)

    def starter(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(STARTER), *args],
            env=self.env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def temporal(self, *args: str) -> subprocess.CompletedProcess[str]:
        cli = Path(sys.executable).parent / "temporal"
        return subprocess.run(
            [str(cli), *args, "--address", self.server.address],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def write_order(self, data: dict[str, Any] | str) -> Path:
        path = self.workdir / f"order-{uuid.uuid4().hex[:8]}.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    def inventory(self, sku: str) -> list[dict[str, object]]:
        return list_inventory(make_engine(self.settings.oms_database_url), sku=sku)


def order_data(sku: str = "IT-CANCEL", quantity: int = 1, **options: Any) -> dict[str, Any]:
    """A valid order document (as JSON data) with a fresh order id."""
    order_id = f"IT-{uuid.uuid4().hex[:10]}"
    order = make_order(order_id, [(sku, quantity, Decimal("10.00"))], **options)
    return json.loads(order.model_dump_json())


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    workdir = tmp_path_factory.mktemp("oms")
    # The Web UI decodes through the gateway's codec server: its port is chosen now, and
    # `codec_server` starts the gateway there for the tests that need it.
    codec_port = free_port()
    token = load_settings().oms_codec_token
    server = start_dev_server(
        port=free_port(),
        in_memory=True,
        ui_port=free_port(),
        codec_endpoint=ui_endpoint(f"http://127.0.0.1:{codec_port}", token),
        log_path=workdir / "temporal.log",
    )
    try:
        settings = load_settings(
            temporal_address=server.address,
            oms_database_url=f"sqlite:///{workdir / 'oms.db'}",
            oms_task_queue=f"it-{uuid.uuid4().hex[:6]}",
            oms_sim_pace=0.05,  # the simulated carrier moves twenty times faster
        )
        engine = make_engine(settings.oms_database_url)
        create_schema(engine)
        seed_catalog(engine, doc=load_catalog(str(PROJECT_ROOT / "data" / "catalog.json")))
        seed_catalog(engine, doc=TEST_STOCK)
        worker_log = workdir / "worker.log"
        mail = SmtpSink(workdir / "mail", port=free_port()).start()
        metrics_port = free_port()
        worker = start_worker(
            settings,
            worker_log,
            OMS_SMTP_HOST="127.0.0.1",
            OMS_SMTP_PORT=str(mail.port),
            OMS_METRICS_PORT=str(metrics_port),
        )
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "OMS_TASK_QUEUE": settings.task_queue,
            "OMS_DATABASE_URL": settings.oms_database_url,
        }
        try:
            time.sleep(0.5)
            if worker.poll() is not None:
                raise RuntimeError(f"worker died at start:\n{log_tail(worker_log)}")
            yield System(server, settings, env, workdir, worker_log, mail, metrics_port, codec_port)
        finally:
            stop_process(worker)
            mail.stop()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def codec_server(system: System) -> Iterator[str]:
    """The gateway on the port the Web UI decodes through; its URL (`.../codec` below it)."""
    log = system.workdir / "codec-gateway.log"
    origin = system.server.ui_origin or ""
    process = start_gateway(system.settings, system.codec_port, log, OMS_CODEC_ORIGINS=origin)
    url = f"http://127.0.0.1:{system.codec_port}"
    try:
        wait_for_gateway(process, url, log)
        yield url
    finally:
        stop_process(process)


@pytest_asyncio.fixture(scope="session")
async def client(system: System) -> AsyncIterator[Client]:
    yield await connect(system.settings)


async def wait_for_status(
    client: Client, order_id: str, wanted: set[str], timeout: float = 60
) -> OrderView:
    """Poll the status query until the order is in `wanted` (bounded)."""
    handle = client.get_workflow_handle(workflow_id_for(order_id))
    deadline, view = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        with contextlib.suppress(RPCError):
            view = await handle.query("status", result_type=OrderView)
            if view.status.value in wanted:
                return view
        await asyncio.sleep(0.2)
    seen = view.status.value if view else "no answer"
    raise AssertionError(f"{order_id} not in {sorted(wanted)} after {timeout}s (last: {seen})")
