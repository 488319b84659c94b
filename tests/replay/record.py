"""Record reference histories: `python -m tests.replay.record` (or `make record-histories`).

Starts its own in-memory dev server and a worker with a fast simulated pace, runs one
order per path worth guarding (delivered, cancelled, card declined, backordered) and
writes each history to tests/replay/histories/NAME.json. Re-record only on purpose:
these files are what proves that old runs still replay after a workflow change.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from activities.catalog import seed_catalog
from activities.db import create_schema, make_engine
from cli.documents import load_catalog
from cli.generate import make_order, wait_until
from cli.orders import start_order
from cli.up import start_worker, stop_process
from models.messages import CancelInput
from models.status import OrderStatus
from workers.client import connect
from workers.devserver import free_port, start_dev_server
from workers.settings import PROJECT_ROOT, Settings, load_settings

HISTORIES = Path(__file__).parent / "histories"
S = OrderStatus
# name -> (sku, quantity, payment token, the status to wait for, cancel right away)
CASES = {
    "delivered": ("TEA-001", 2, "tok_ok", {S.DELIVERED}, False),
    "cancelled": ("SNK-001", 1, "tok_ok", {S.CANCELLED}, True),
    "declined": ("HOM-003", 1, "tok_decline", {S.AWAITING_PAYMENT}, False),
    "backordered": ("HOM-007", 1, "tok_ok", {S.BACKORDERED}, False),
}


async def record(settings: Settings) -> list[Path]:
    client = await connect(settings)
    prices = {
        p.sku: p.price for p in load_catalog(str(PROJECT_ROOT / "data/catalog.json")).products
    }

    async def one(name: str) -> Path:
        sku, quantity, token, wanted, cancel = CASES[name]
        order_id = f"REC-{name}-{uuid.uuid4().hex[:6]}"
        lines = [(sku, quantity, Decimal(prices[sku]))]
        order = make_order(order_id, lines, n=0, token=token)
        handle = await start_order(client, settings, order)
        if cancel:
            await handle.execute_update("request_cancel", CancelInput(reason="recorded cancel"))
        settled = await wait_until(handle, frozenset(wanted), since_wall=0, timeout=90)
        if settled.timed_out:
            seen = settled.view.status if settled.view else "no answer"
            raise RuntimeError(f"{name}: never reached {wanted} (last: {seen})")
        await asyncio.sleep(1)  # let the activity that follows the status change land
        path = HISTORIES / f"{name}.json"
        path.write_text((await handle.fetch_history()).to_json() + "\n")
        return path

    return list(await asyncio.gather(*(one(name) for name in CASES)))


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="oms-record-"))
    server = start_dev_server(port=free_port(), in_memory=True, headless=True)
    worker = None
    try:
        settings = load_settings(
            temporal_address=server.address,
            oms_database_url=f"sqlite:///{workdir / 'oms.db'}",
            oms_task_queue="record-histories",
            oms_sim_pace=0.05,
        )
        engine = make_engine(settings.oms_database_url)
        create_schema(engine)
        seed_catalog(engine, doc=load_catalog(str(PROJECT_ROOT / "data/catalog.json")))
        worker = start_worker(settings, workdir / "worker.log")
        HISTORIES.mkdir(parents=True, exist_ok=True)
        for path in asyncio.run(record(settings)):
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
        return 0
    finally:
        if worker is not None:
            stop_process(worker)
        server.stop()


if __name__ == "__main__":
    code = main()
    # Leave without interpreter teardown: a process that used a Temporal client can
    # abort there with "PyGILState_Release" (temporalio/sdk-python#300).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
