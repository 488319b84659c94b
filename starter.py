"""The command line for storefront integrators and ops (CONTRACT.md).

    python starter.py up [--demo]          dev server + worker, kept running until Ctrl-C
    python starter.py seed --file CATALOG.json
    python starter.py place --file ORDER.json
    python starter.py status ORDER_ID
    python starter.py cancel ORDER_ID --reason TEXT
    python starter.py inventory [--sku SKU]
    python starter.py replay (--file H.json | --workflow-id ID | --query Q)
    python starter.py load --orders N --concurrency C
    python starter.py demo
    python starter.py wms-event --file EVENT.json
    python starter.py report [--from DATE] [--to DATE] [--html FILE]
    python starter.py dispatch-plan [--warehouse W] [--date D]
    python starter.py return ORDER_ID --line SKU:QTY --reason TEXT
    python starter.py ops ORDER_ID ACTION --operator NAME [...]   (cli/ops.py)

Every command takes --json. Exit codes: 0 success, 2 invalid input (one line on stderr
naming the field), 3 refused by business rules, 1 anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from cli import commands
from cli.dispatch import add_arguments as add_dispatch_arguments
from cli.ops import add_commands as add_ops_commands
from cli.output import CommandError, Refused, emit
from cli.report import add_parser as add_report_arguments
from cli.wms import wms_event
from workers.logging import configure_logging
from workers.process import exit_now
from workers.settings import load_settings


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser = argparse.ArgumentParser(
        prog="starter.py", description="Order management on Temporal: start, place, inspect."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: object, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(run=run)
        return p

    up = command("up", commands.up, "start dev server and worker; serve until Ctrl-C")
    up.add_argument("--port", type=int, help="dev server gRPC port (default from yaml, 7233)")
    up.add_argument("--ui-port", type=int, help="Web UI port (default from yaml, 8233)")
    up.add_argument(
        "--http-port",
        type=int,
        default=int(os.environ.get("OMS_HTTP_PORT", "8000")),
        help="port for the HTTP gateway (default 8000 or OMS_HTTP_PORT)",
    )
    up.add_argument("--no-server", action="store_true", help="use TEMPORAL_ADDRESS instead")
    up.add_argument("--demo", action="store_true", help="run the mixed demo once up")

    seed = command("seed", commands.seed, "load a catalog (idempotent)")
    seed.add_argument("--file", required=True, metavar="CATALOG.json")

    place = command("place", commands.place, "place an order (idempotent by order_id)")
    place.add_argument("--file", required=True, metavar="ORDER.json")

    status = command("status", commands.status, "the order view (the status query)")
    status.add_argument("order_id", metavar="ORDER_ID")

    cancel = command("cancel", commands.cancel, "cancel an order (the request_cancel update)")
    cancel.add_argument("order_id", metavar="ORDER_ID")
    cancel.add_argument("--reason", required=True)

    inventory = command("inventory", commands.inventory, "stock by SKU and warehouse")
    inventory.add_argument("--sku")

    replay = command("replay", commands.replay, "replay histories against the current code")
    source = replay.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", action="append", metavar="H.json", help="repeatable")
    source.add_argument("--workflow-id", metavar="ID")
    source.add_argument("--query", metavar="Q", help='a visibility query, e.g. "WorkflowType=..."')

    load = command("load", commands.load, "load generator: throughput and latency")
    load.add_argument("--orders", type=int, default=100)
    load.add_argument("--concurrency", type=int, default=10)
    load.add_argument("--timeout", type=float, default=120.0, help="seconds per order")

    command("demo", commands.demo, "the mixed demo of storefront orders")

    wms = command("wms-event", wms_event, "apply a warehouse event (inbound, outbound, count)")
    wms.add_argument("--file", required=True, metavar="EVENT.json")
    add_ops_commands(command)
    report = command("report", commands.report, "what the orders say: metrics, charts, advice")
    add_report_arguments(report)
    plan = command("dispatch-plan", commands.dispatch_plan, "the own vans' stored route plans")
    add_dispatch_arguments(plan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        # Library logs go to stderr, warnings only: stdout stays the command's answer.
        configure_logging(load_settings(), level=logging.WARNING)
        code = asyncio.run(args.run(args)) or 0
    except Refused as refusal:
        if refusal.answer is not None:
            emit(refusal.answer, args.json)
        print(f"{args.command}: {refusal}", file=sys.stderr)
        code = refusal.exit_code
    except CommandError as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        code = error.exit_code
    except KeyboardInterrupt:
        code = 130
    except Exception as error:  # anything unexpected: one line, exit 1
        print(f"{args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    exit_now(main())
