"""Customer and ops actions on a live order, each one update of OrderWorkflow.

starter.py return ORDER_ID --line SKU:QTY [--line ...] --reason TEXT
starter.py ops ORDER_ID approve-hold|reject-hold --operator NAME [--note TEXT]
starter.py ops ORDER_ID extend-sla --operator NAME --hours H [--reason TEXT]
starter.py ops ORDER_ID retry-step --operator NAME --step STEP
starter.py ops ORDER_ID change-address --operator NAME --file ADDRESS.json
"""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import BaseModel

from cli.documents import parse, read_json
from cli.orders import send_update
from cli.output import InvalidInput, emit
from models.backorder import DecisionResult
from models.messages import (
    ChangeAddressInput,
    ExtendSlaInput,
    ExtendSlaResult,
    HoldReviewInput,
    OpsResult,
    RetryStepInput,
)
from models.returns import ReturnRequestInput, ReturnResult
from workers.client import connect
from workers.settings import load_settings

ACTIONS = ("approve-hold", "reject-hold", "extend-sla", "retry-step", "change-address")


def _line(text: str) -> dict[str, Any]:
    sku, _, quantity = text.rpartition(":")
    if not sku or not quantity.isdigit():
        raise InvalidInput(f"line: {text!r} is not SKU:QUANTITY")
    return {"sku": sku, "quantity": int(quantity)}


async def request_return(args: argparse.Namespace) -> int:
    request = parse(
        ReturnRequestInput, {"lines": [_line(t) for t in args.line], "reason": args.reason}
    )
    client = await connect(load_settings())
    answer = await send_update(client, args.order_id, "request_return", request, ReturnResult)
    emit(answer, args.json, lambda a: f"return {a['rma_id']} accepted: {a['message']}")
    return 0


def _ops_request(args: argparse.Namespace) -> tuple[str, BaseModel, type[BaseModel]]:
    who = {"operator": args.operator}
    if args.action in ("approve-hold", "reject-hold"):
        name = args.action.replace("-", "_")
        return name, parse(HoldReviewInput, who | {"note": args.note or ""}), DecisionResult
    if args.action == "extend-sla":
        if args.hours is None:
            raise InvalidInput("hours: --hours is required to extend the SLA")
        data = who | {"hours": args.hours, "reason": args.reason or ""}
        return "extend_sla", parse(ExtendSlaInput, data), ExtendSlaResult
    if args.action == "retry-step":
        if not args.step:
            raise InvalidInput("step: --step is required (the failed step, see `status`)")
        return "retry_step", parse(RetryStepInput, who | {"step": args.step}), OpsResult
    if not args.file:
        raise InvalidInput("file: --file ADDRESS.json is required to change the address")
    data = who | {"shipping_address": read_json(args.file)}
    return "change_address", parse(ChangeAddressInput, data), OpsResult


async def ops(args: argparse.Namespace) -> int:
    name, request, result_type = _ops_request(args)
    client = await connect(load_settings())
    answer = await send_update(client, args.order_id, name, request, result_type)
    emit(answer, args.json, lambda a: f"{args.action}: {a.get('message', a)}")
    return 0


def add_commands(command: Any) -> None:
    """Register `return` and `ops` on starter.py's parser (`command` makes a subparser)."""
    ret = command("return", request_return, "request a return (the request_return update)")
    ret.add_argument("order_id", metavar="ORDER_ID")
    ret.add_argument("--line", action="append", required=True, metavar="SKU:QTY")
    ret.add_argument("--reason", required=True)
    act = command("ops", ops, "an ops action on an order (an update, audited)")
    act.add_argument("order_id", metavar="ORDER_ID")
    act.add_argument("action", choices=ACTIONS)
    act.add_argument("--operator", required=True, help="who acts: kept in the audit trail")
    act.add_argument("--note")
    act.add_argument("--hours", type=float)
    act.add_argument("--reason")
    act.add_argument("--step")
    act.add_argument("--file", metavar="ADDRESS.json")
