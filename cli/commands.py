"""One coroutine per starter.py command: read the arguments, call, print."""

from __future__ import annotations

import argparse
from typing import Any

from temporalio.client import Client

from cli import orders, store
from cli.documents import load_catalog, load_order
from cli.output import CommandError, InvalidInput, emit, table
from workers.client import connect
from workers.settings import Settings, load_settings


async def client_for(settings: Settings) -> Client:
    try:
        return await connect(settings)
    except Exception as error:  # the SDK raises RuntimeError with the gRPC details
        raise CommandError(
            f"cannot reach Temporal at {settings.temporal_address} "
            f"(start it with `python starter.py up`): {error}"
        ) from None


async def up(args: argparse.Namespace) -> int:
    from cli.up import serve

    return await serve(args, load_settings())


async def seed(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.file)
    counts = store.seed(load_settings(), catalog)

    def human(c: dict[str, Any]) -> str:
        return "seeded: " + ", ".join(f"{v} {k}" for k, v in c.items())

    emit(counts, args.json, human)
    return 0


async def place(args: argparse.Namespace) -> int:
    # Everything that can be wrong with the input is found before anything starts.
    order = load_order(args.file)
    settings = load_settings()
    store.check_order(settings, order)
    answer = await orders.place(await client_for(settings), settings, order)
    emit(answer, args.json, lambda a: f"order {a['order_id']}: {a['status']} ({a['workflow_id']})")
    return 0


async def status(args: argparse.Namespace) -> int:
    view = await orders.status(await client_for(load_settings()), args.order_id)
    emit(view.model_dump(mode="json"), args.json, lambda _: orders.describe_view(view))
    return 0


async def cancel(args: argparse.Namespace) -> int:
    answer = await orders.cancel(await client_for(load_settings()), args.order_id, args.reason)
    emit(answer, args.json, lambda a: f"cancelled: {a['status']} ({a['message']})")
    return 0


async def inventory(args: argparse.Namespace) -> int:
    rows = store.inventory(load_settings(), args.sku)
    columns = ["sku", "warehouse_id", "on_hand", "reserved", "available", "safety_stock"]
    emit(rows, args.json, lambda r: table(r, columns) if r else "no stock rows")
    return 0


async def replay(args: argparse.Namespace) -> int:
    from cli.replay import replay as run_replay

    settings = load_settings()
    needs_client = args.workflow_id is not None or args.query is not None
    client = await client_for(settings) if needs_client else None
    return await run_replay(args, client)


async def load(args: argparse.Namespace) -> int:
    from cli.load import run_load

    settings = load_settings()
    if args.orders < 1 or args.concurrency < 1:
        raise InvalidInput("orders/concurrency: must be at least 1")
    report = await run_load(
        await client_for(settings), settings, args.orders, args.concurrency, args.timeout
    )
    emit(report, args.json, _describe_load)
    return 0 if report["allocated"] == report["orders"] else 1


def _describe_load(r: dict[str, Any]) -> str:
    lat = r["latency_s"]
    return (
        f"{r['allocated']}/{r['orders']} orders reached ALLOCATED in {r['elapsed_s']:.1f}s "
        f"(concurrency {r['concurrency']}): {r['throughput_per_s']:.2f} orders/s\n"
        f"placed -> ALLOCATED latency: p50 {lat['p50']:.2f}s  p95 {lat['p95']:.2f}s  "
        f"p99 {lat['p99']:.2f}s  max {lat['max']:.2f}s"
        + (f"\nnot allocated: {r['not_allocated']}" if r["not_allocated"] else "")
    )


async def demo(args: argparse.Namespace) -> int:
    from cli.demo import describe_demo, run_demo

    settings = load_settings()
    report = await run_demo(await client_for(settings), settings)
    emit(report, args.json, describe_demo)
    return 0


async def dispatch_plan(args: argparse.Namespace) -> int:
    from cli.dispatch import dispatch_plan as show_plans

    return await show_plans(args)


async def report(args: argparse.Namespace) -> int:
    from cli.report import report as build_report

    return await build_report(args)
