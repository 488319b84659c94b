"""Cancelling: the `cancel` signal from the Temporal CLI, and refusals after shipment."""

from __future__ import annotations

import json

import pytest
from temporalio.client import Client

from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration


def reserved(system: System, sku: str) -> int:
    return sum(int(row["reserved"]) for row in system.inventory(sku))  # type: ignore[call-overload]


async def test_a_cancel_signal_from_the_temporal_cli_releases_the_stock(
    system: System, client: Client
) -> None:
    before = reserved(system, "IT-CANCEL")
    # A declined card keeps the reservation for the re-payment window: a stable moment.
    data = order_data("IT-CANCEL", quantity=3, token="tok_decline")
    assert system.starter("place", "--file", str(system.write_order(data))).returncode == 0
    await wait_for_status(client, data["order_id"], {"AWAITING_PAYMENT"})
    assert reserved(system, "IT-CANCEL") == before + 3

    sent = system.temporal(
        "workflow",
        "signal",
        "--workflow-id",
        f"order-{data['order_id']}",
        "--name",
        "cancel",
        "--input",
        json.dumps({"reason": "changed my mind"}),
    )
    assert sent.returncode == 0, sent.stderr
    view = await wait_for_status(client, data["order_id"], {"CANCELLED"})
    assert view.cancel_reason
    assert reserved(system, "IT-CANCEL") == before


async def test_cancel_after_shipment_is_refused_with_exit_3(system: System, client: Client) -> None:
    data = order_data("IT-REFUSE")
    assert system.starter("place", "--file", str(system.write_order(data))).returncode == 0
    await wait_for_status(client, data["order_id"], {"SHIPPED", "DELIVERED"})
    done = system.starter("cancel", data["order_id"], "--reason", "too late", "--json")
    assert done.returncode == 3, done.stderr
    answer = json.loads(done.stdout)
    assert answer["accepted"] is False
    assert answer["status"] in {"SHIPPED", "DELIVERED"}
    assert answer["message"]
