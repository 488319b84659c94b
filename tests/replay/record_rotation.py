"""Record the key-rotation reference history: `python -m tests.replay.record_rotation`.

One order, cancelled right away, recorded by a worker and client whose keyring holds only
ROTATED_OUT, a test-only key: the history stands for everything written before a key
rotation. test_key_rotation replays and decodes it with a new key first and this one
second. Re-record only on purpose (a new history under the same test key is as good).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client

from activities.catalog import seed_catalog
from activities.db import create_schema, make_engine
from cli.documents import load_catalog
from cli.generate import make_order, wait_until
from cli.orders import start_order
from cli.up import start_worker, stop_process
from models.messages import CancelInput
from models.status import OrderStatus
from workers.converter import data_converter
from workers.devserver import free_port, start_dev_server
from workers.settings import PROJECT_ROOT, Settings, load_settings

# Test-only: it protects nothing but this recorded history's made-up customer.
ROTATED_OUT = "test-rotated-out:b4cTqtAqe+FodPIp9DM8uyfw2EqahDULqezBoSEizIM="
HISTORY = Path(__file__).parent / "histories" / "rotation" / "cancelled_old_key.json"


async def record(settings: Settings) -> Path:
    # Not workers.client.connect: that converter holds the keyring this process loaded.
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )
    order = make_order(f"ROT-{uuid.uuid4().hex[:6]}", [("SNK-001", 1, Decimal("39.90"))], n=0)
    handle = await start_order(client, settings, order)
    await handle.execute_update("request_cancel", CancelInput(reason="recorded cancel"))
    done = frozenset({OrderStatus.CANCELLED})
    settled = await wait_until(handle, done, since_wall=0, timeout=90)
    if settled.timed_out:
        raise RuntimeError(f"never cancelled (last: {settled.view})")
    await asyncio.sleep(1)  # let the activity that follows the status change land
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text((await handle.fetch_history()).to_json() + "\n")
    return HISTORY


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="oms-record-rotation-"))
    server = start_dev_server(port=free_port(), in_memory=True, headless=True)
    worker = None
    try:
        settings = load_settings(
            temporal_address=server.address,
            oms_database_url=f"sqlite:///{workdir / 'oms.db'}",
            oms_task_queue="record-rotation",
            oms_sim_pace=0.05,
            oms_codec_keys=ROTATED_OUT,  # the worker gets it too (cli.up passes it on)
        )
        engine = make_engine(settings.oms_database_url)
        create_schema(engine)
        seed_catalog(engine, doc=load_catalog(str(PROJECT_ROOT / "data/catalog.json")))
        worker = start_worker(settings, workdir / "worker.log")
        path = asyncio.run(record(settings))
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
