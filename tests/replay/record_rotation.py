"""Record the key-rotation reference history: `python -m tests.replay.record_rotation`.

One order, cancelled right away, recorded by a worker and client whose keyring holds only
ROTATED_OUT, a test-only key: the history stands for everything written before a key
rotation. test_key_rotation replays and decodes it with a new key first and this one
second. Re-record only on purpose (a new history under the same test key is as good).
"""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client

from cli.generate import make_order, wait_until
from cli.local_system import local_system
from cli.orders import start_order
from models.messages import CancelInput
from models.status import OrderStatus
from workers.converter import data_converter
from workers.process import exit_now
from workers.settings import PROJECT_ROOT, Settings

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
    # The worker gets the old keyring too (cli.up passes it on).
    with local_system("record-rotation", oms_codec_keys=ROTATED_OUT) as system:
        path = asyncio.run(record(system.settings))
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    exit_now(main())
