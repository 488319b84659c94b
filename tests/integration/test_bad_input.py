"""Bad order documents: exit 2, one stderr line naming the field, nothing started or held."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.service import RPCError

from tests.integration.conftest import System, order_data

pytestmark = pytest.mark.integration


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DROP:
            del target[last]
        else:
            target[last] = value

    return change


_DROP = object()

CASES = {
    "unknown sku": (_set("lines.0.sku", "NO-SUCH-SKU"), "lines[0].sku"),
    "zero quantity": (_set("lines.0.quantity", 0), "lines[0].quantity"),
    "negative quantity": (_set("lines.0.quantity", -2), "lines[0].quantity"),
    "missing address field": (_set("shipping_address.city", _DROP), "shipping_address.city"),
    "non-decimal price": (_set("lines.0.unit_price", "ten"), "lines[0].unit_price"),
    "float price": (_set("lines.0.unit_price", 10.5), "lines[0].unit_price"),
}


async def _assert_nothing_started(system: System, client: Client, order_id: str) -> None:
    with pytest.raises(RPCError):
        await client.get_workflow_handle(f"order-{order_id}").describe()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_bad_order_exits_2_naming_the_field(
    system: System, client: Client, case: str
) -> None:
    change, field = CASES[case]
    data = order_data("IT-BAD")
    change(data)
    stock_before = system.inventory("IT-BAD")
    done = system.starter("place", "--file", str(system.write_order(data)), "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], done.stderr
    assert done.stdout == ""
    await _assert_nothing_started(system, client, data["order_id"])
    assert system.inventory("IT-BAD") == stock_before


async def test_malformed_json_exits_2_naming_the_file(system: System, client: Client) -> None:
    data = order_data("IT-BAD")
    path = system.write_order(json.dumps(data)[:-20])
    done = system.starter("place", "--file", str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and "line" in lines[0], done.stderr
    await _assert_nothing_started(system, client, data["order_id"])
