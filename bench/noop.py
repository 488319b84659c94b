"""The naive ceiling: a workflow of five no-op activities, and a worker for it.

`python -m bench.noop` runs the worker against TEMPORAL_ADDRESS on BENCH_TASK_QUEUE,
in its own process like the real worker, until SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

STEPS = 5


@activity.defn(name="bench_noop")
async def noop(step: int) -> int:
    return step


@workflow.defn(name="BenchNoopWorkflow")
class NoopWorkflow:
    @workflow.run
    async def run(self) -> int:
        for step in range(STEPS):
            await workflow.execute_activity(
                noop, step, start_to_close_timeout=timedelta(seconds=30)
            )
        return STEPS


async def _serve() -> None:
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Worker(
        client,
        task_queue=os.environ["BENCH_TASK_QUEUE"],
        workflows=[NoopWorkflow],
        activities=[noop],
    ):
        await stop.wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve())
