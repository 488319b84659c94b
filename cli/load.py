"""`starter.py load`: place N generated orders, C at a time; throughput and latency.

Latency is placed -> booked: from just before the start call to the last parcel booked
of the order's timeline (the workflow's clock), read from the read model.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import time
from decimal import Decimal
from typing import Any

from temporalio.client import Client

from cli import orders, store
from cli.generate import BOOKED, CLOSED, WAITING, make_order, run_stamp
from cli.output import CommandError, ProgressBar
from cli.watch import ReadModelWatch
from workers.settings import Settings


def plan_lines(
    count: int, inventory: list[dict[str, Any]], prices: dict[str, Decimal]
) -> list[list[tuple[str, int, Decimal]]]:
    """One unit of a SKU per order, spread over the SKUs with stock above safety stock."""
    spare: dict[str, int] = {}
    for row in inventory:
        free = int(row["available"]) - int(row["safety_stock"])
        if free > 0 and row["sku"] in prices:
            spare[str(row["sku"])] = spare.get(str(row["sku"]), 0) + free
    if sum(spare.values()) < count:
        raise CommandError(
            f"not enough stock for {count} orders ({sum(spare.values())} spare units): "
            "seed more stock or lower --orders"
        )
    # Always the SKU with the most spare units: plentiful stock carries the load and
    # scarce SKUs stay untouched (the demo's backorder needs them scarce, not gone).
    heap = [(-units, sku) for sku, units in spare.items()]
    heapq.heapify(heap)
    plans: list[list[tuple[str, int, Decimal]]] = []
    for _ in range(count):
        units, sku = heapq.heappop(heap)
        plans.append([(sku, 1, prices[sku])])
        heapq.heappush(heap, (units + 1, sku))
    return plans


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


async def run_load(
    client: Client, settings: Settings, count: int, concurrency: int, timeout: float
) -> dict[str, Any]:
    plans = plan_lines(count, store.inventory(settings), store.prices(settings))
    stamp, gate, bar = run_stamp(), asyncio.Semaphore(concurrency), ProgressBar(count, "orders")
    latencies: list[float] = []
    missed: dict[str, str] = {}

    prefix = f"LOAD-{stamp}-"
    watch = ReadModelWatch(settings, prefix, BOOKED | CLOSED | WAITING)

    async def one(index: int, lines: list[tuple[str, int, Decimal]]) -> None:
        async with gate:  # at most `concurrency` orders in flight
            order = make_order(f"{prefix}{index:05d}", lines, n=index)
            placed = time.time()
            await orders.start_order(client, settings, order)
            settled = await watch.wait(order.order_id, placed, timeout)
        if settled.view is not None and settled.view.status in BOOKED:
            latencies.append(settled.seconds)
        else:
            seen = watch.last_status.get(order.order_id, "not in the read model")
            missed[order.order_id] = f"timed out at {seen}" if settled.timed_out else seen
        bar.advance()

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch.run(stop))
    started = time.monotonic()
    try:
        await asyncio.gather(*(one(i, lines) for i, lines in enumerate(plans)))
    finally:
        stop.set()
        await watcher
    elapsed = time.monotonic() - started
    bar.finish()
    return {
        "orders": count,
        "concurrency": concurrency,
        "allocated": len(latencies),
        "elapsed_s": round(elapsed, 3),
        "throughput_per_s": round(len(latencies) / elapsed, 3) if elapsed else 0.0,
        "latency_s": {
            "p50": round(percentile(latencies, 50), 3),
            "p95": round(percentile(latencies, 95), 3),
            "p99": round(percentile(latencies, 99), 3),
            "max": round(max(latencies, default=0.0), 3),
        },
        "not_allocated": missed,
    }
