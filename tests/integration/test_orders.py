"""Placing orders through `starter.py` against a real dev server and worker."""

from __future__ import annotations

import asyncio
import json

import pytest
from temporalio.client import Client

from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration

VIEW_KEYS = {
    "order_id",
    "status",
    "priority",
    "risk_level",
    "lines",
    "allocations",
    "shipments",
    "payment",
    "sla",
    "timeline",
}
INVENTORY_KEYS = {"sku", "warehouse_id", "on_hand", "reserved", "available", "safety_stock"}


async def count_runs(client: Client, workflow_id: str, expected: int = 1) -> int:
    # Visibility trails the start a little: poll briefly for the expected count.
    runs = 0
    for _ in range(25):
        runs = len([w async for w in client.list_workflows(f'WorkflowId = "{workflow_id}"')])
        if runs >= expected:
            break
        await asyncio.sleep(0.2)
    return runs


async def test_a_placed_order_is_delivered(system: System, client: Client) -> None:
    data = order_data("IT-ORDER")
    done = system.starter("place", "--file", str(system.write_order(data)), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["order_id"] == data["order_id"]
    assert answer["workflow_id"] == f"order-{data['order_id']}"
    assert answer["status"] in {"RECEIVED", "RESERVED", "ALLOCATED", "SHIPPED"}
    view = await wait_for_status(client, data["order_id"], {"DELIVERED", "COMPLETED"})
    assert view.shipments and all(s.status == "DELIVERED" for s in view.shipments)


async def test_placing_the_same_order_twice_starts_one_workflow(
    system: System, client: Client
) -> None:
    path = system.write_order(order_data("IT-ORDER"))
    first = system.starter("place", "--file", str(path), "--json")
    second = system.starter("place", "--file", str(path), "--json")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert (a["order_id"], a["workflow_id"]) == (b["order_id"], b["workflow_id"])
    assert await count_runs(client, a["workflow_id"]) == 1


async def test_placing_again_after_the_workflow_closed_starts_nothing(
    system: System, client: Client
) -> None:
    data = order_data("IT-ORDER")
    path = system.write_order(data)
    assert system.starter("place", "--file", str(path)).returncode == 0
    handle = client.get_workflow_handle(f"order-{data['order_id']}")
    await handle.terminate(reason="integration test: close it")
    again = system.starter("place", "--file", str(path), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["workflow_id"] == handle.id
    assert await count_runs(client, handle.id) == 1


async def test_status_json_has_the_contract_view(system: System, client: Client) -> None:
    data = order_data("IT-ORDER")
    assert system.starter("place", "--file", str(system.write_order(data))).returncode == 0
    await wait_for_status(client, data["order_id"], {"ALLOCATED", "SHIPPED", "DELIVERED"})
    done = system.starter("status", data["order_id"], "--json")
    assert done.returncode == 0, done.stderr
    view = json.loads(done.stdout)
    assert view.keys() >= VIEW_KEYS
    assert view["lines"] == [{"sku": "IT-ORDER", "quantity": 1}]
    assert {"sku", "warehouse_id", "quantity"} <= view["allocations"][0].keys()
    assert {"shipment_id", "warehouse_id", "carrier", "tracking_number", "status"} <= view[
        "shipments"
    ][0].keys()
    assert {"status", "amount"} <= view["payment"].keys()
    assert {"ship_by", "breached"} <= view["sla"].keys()
    assert {"at", "event", "detail"} <= view["timeline"][0].keys()


def test_status_of_an_unknown_order_is_invalid_input(system: System) -> None:
    done = system.starter("status", "NO-SUCH-ORDER", "--json")
    assert done.returncode == 2
    assert "order_id" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_inventory_json_lists_stock_rows(system: System) -> None:
    done = system.starter("inventory", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and all(set(row) == INVENTORY_KEYS for row in rows)
    assert all(row["available"] == row["on_hand"] - row["reserved"] for row in rows)
    one = json.loads(system.starter("inventory", "--sku", "IT-ORDER", "--json").stdout)
    assert [row["sku"] for row in one] == ["IT-ORDER"]
