"""Throughput: the naive ceiling against OrderWorkflow, in one run on one dev server.

    python -m bench.throughput [--orders N] [--concurrency C]

(a) BenchNoopWorkflow (five no-op activities), N started C at a time: completed/s.
(b) OrderWorkflow, N generated orders C at a time against a seeded tmp database:
    orders/s from placed to booked (paid, packed, every parcel booked with a carrier),
    with latency percentiles.
Both workers are separate processes, as in production; the ratio b/a says how much of
the ceiling the real order flow (about a dozen activities and a database) keeps.
Writes bench/results/throughput.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import temporalio
from temporalio.client import Client

from bench.common import now, write_json
from bench.noop import NoopWorkflow
from cli.load import run_load
from cli.local_system import local_system
from cli.up import stop_process
from workers.client import connect
from workers.process import exit_now
from workers.settings import PROJECT_ROOT

RESULTS = Path(__file__).parent / "results" / "throughput.json"
NOOP_QUEUE = "bench-noop"


async def naive_rate(client: Client, count: int, concurrency: int) -> dict[str, float]:
    gate, stamp = asyncio.Semaphore(concurrency), time.time_ns()

    async def one(index: int) -> None:
        async with gate:
            await client.execute_workflow(
                NoopWorkflow.run, id=f"bench-noop-{stamp}-{index}", task_queue=NOOP_QUEUE
            )

    await asyncio.gather(*(one(-i - 1) for i in range(5)))  # warm-up, not counted
    started = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.monotonic() - started
    return {"completed": count, "elapsed_s": round(elapsed, 3), "per_s": round(count / elapsed, 2)}


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    model = next(
        (ln.split(":", 1)[1].strip() for ln in text.splitlines() if "model name" in ln), ""
    )
    return {
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "temporalio": temporalio.__version__,
        "server": "temporal server start-dev (in memory), same machine",
    }


async def bench(count: int, concurrency: int) -> dict[str, Any]:
    # The simulated packer and carriers answer almost at once: the figure is the
    # system's throughput, not the simulated warehouse's pace.
    with local_system("bench-orders", pace=0.02) as system:
        settings = system.settings
        env = {**os.environ, "TEMPORAL_ADDRESS": settings.temporal_address}
        with open(system.workdir / "noop-worker.log", "wb") as log:
            noop = subprocess.Popen(
                [sys.executable, "-m", "bench.noop"],
                cwd=PROJECT_ROOT,
                env={**env, "BENCH_TASK_QUEUE": NOOP_QUEUE},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            client = await connect(settings)
            print(f"(a) naive: {count} workflows of five no-op activities ...", file=sys.stderr)
            naive = await naive_rate(client, count, concurrency)
        finally:
            stop_process(noop)  # the order run gets the machine to itself
        print(f"(b) orders: {count} OrderWorkflows to booked ...", file=sys.stderr)
        await run_load(client, settings, 3, 3, 120.0)  # warm-up, not counted
        orders = await run_load(client, settings, count, concurrency, 120.0)
    return {
        "recorded_at": now(),
        "machine": machine(),
        "orders": count,
        "concurrency": concurrency,
        "naive_workflows_per_s": naive["per_s"],
        "orders_allocated_per_s": orders["throughput_per_s"],
        "ratio_orders_to_naive": round(orders["throughput_per_s"] / naive["per_s"], 3),
        "naive": naive,
        "order_flow": orders,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--note", default="", help="e.g. what else ran on the machine")
    args = parser.parse_args()
    result = asyncio.run(bench(args.orders, args.concurrency))
    if args.note:
        result["note"] = args.note
    write_json(result, RESULTS, indent=2)
    print(
        f"naive ceiling: {result['naive_workflows_per_s']:.1f} workflows/s\n"
        f"OrderWorkflow: {result['orders_allocated_per_s']:.1f} orders/s placed -> booked "
        f"(p50 {result['order_flow']['latency_s']['p50']:.2f}s, "
        f"p95 {result['order_flow']['latency_s']['p95']:.2f}s)\n"
        f"ratio: {result['ratio_orders_to_naive']:.3f}\nwritten to {RESULTS}"
    )
    return 0


if __name__ == "__main__":
    exit_now(main())
