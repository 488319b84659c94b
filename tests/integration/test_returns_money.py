"""Many orders with cancellations, partial refunds and returns, on a real dev server.

The journal must balance, no captured amount may be refunded twice, and returned goods
must be back on the shelf.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from temporalio.client import Client

from activities.db import make_engine, reading
from activities.finance import money_drift, order_balance, trial_balance
from activities.finance_tables import Voucher
from cli.generate import make_order
from models.order import workflow_id_for
from models.view import OrderView
from tests.integration.conftest import System, wait_for_status

pytestmark = pytest.mark.integration
PRICE = Decimal("10.00")


def two_line_order(n: int) -> dict[str, object]:
    lines = [("IT-RET-A", 2, PRICE), ("IT-RET-B", 1, PRICE)]
    order = make_order(f"IT-R{n}-{uuid.uuid4().hex[:6]}", lines, n=1000 + n)
    return json.loads(order.model_dump_json())


def on_hand(system: System, sku: str) -> int:
    return sum(int(row["on_hand"]) for row in system.inventory(sku))  # type: ignore[call-overload]


async def returned(client: Client, order_id: str, rmas: int) -> OrderView:
    handle = client.get_workflow_handle(workflow_id_for(order_id))
    for _ in range(300):
        view = await handle.query("status", result_type=OrderView)
        if len(view.returns) == rmas and all(r.status == "REFUNDED" for r in view.returns):
            return view
        await asyncio.sleep(0.2)
    raise AssertionError(f"{order_id}: returns not refunded: {view.returns}")


async def test_cancels_partial_returns_and_full_returns_keep_the_journal_true(
    system: System, client: Client
) -> None:
    shelf = {sku: on_hand(system, sku) for sku in ("IT-RET-A", "IT-RET-B")}
    orders = [two_line_order(n) for n in range(10)]
    for data in orders:
        placed = system.starter("place", "--file", str(system.write_order(data)), "--json")
        assert placed.returncode == 0, placed.stderr
    ids = [str(o["order_id"]) for o in orders]
    cancelled, partial, full, kept = ids[:2], ids[2:6], ids[6:8], ids[8:]
    for order_id in cancelled:
        answer = system.starter("cancel", order_id, "--reason", "changed my mind", "--json")
        assert answer.returncode in (0, 3), answer.stderr  # 3: it shipped first
    for order_id in partial + full + kept:
        await wait_for_status(client, order_id, {"DELIVERED"}, timeout=120)
    shipped_anyway = 0  # a cancel that lost the race against the pickup
    for order_id in cancelled:
        end = await wait_for_status(client, order_id, {"CANCELLED", "DELIVERED"}, timeout=120)
        shipped_anyway += end.status.value == "DELIVERED"

    for order_id in partial:
        asked = system.starter("return", order_id, "--line", "IT-RET-A:1", "--reason", "too many")
        assert asked.returncode == 0, asked.stderr
    for order_id in full:
        lines = ["--line", "IT-RET-A:2", "--line", "IT-RET-B:1"]
        asked = system.starter("return", order_id, *lines, "--reason", "not as described")
        assert asked.returncode == 0, asked.stderr
        again = system.starter("return", order_id, "--line", "IT-RET-B:1", "--reason", "twice")
        assert again.returncode == 3 and "only 0 x IT-RET-B" in again.stderr

    for order_id in partial:
        view = await returned(client, order_id, 1)
        assert view.returns[0].amount == PRICE and view.payment.status == "PARTIALLY_REFUNDED"
    for order_id in full:
        view = await returned(client, order_id, 1)
        assert view.returns[0].amount == 3 * PRICE and view.payment.status == "REFUNDED"

    engine = make_engine(system.settings.oms_database_url)
    assert sum(trial_balance(engine).values()) == 0
    assert money_drift(engine) == []
    for order_id in ids:
        clearing = order_balance(engine, order_id).get("psp_clearing", Decimal(0))
        assert clearing >= 0, f"{order_id} refunded more than it captured"
    for order_id in partial:
        assert order_balance(engine, order_id)["psp_clearing"] == 2 * PRICE
    for order_id in full:
        assert order_balance(engine, order_id).get("psp_clearing", Decimal(0)) == 0
    vouchers = Voucher.__table__.c
    refunds = (
        select(vouchers.order_id, func.count())
        .where(vouchers.kind == "refund", vouchers.order_id.in_(partial + full))
        .group_by(vouchers.order_id)
    )
    with reading(engine) as connection:
        assert dict(connection.execute(refunds).all()) == {o: 1 for o in partial + full}
    # The shelf: what left with the delivered orders, plus what came back.
    sent = len(ids) - len(cancelled) + shipped_anyway
    assert on_hand(system, "IT-RET-A") == shelf["IT-RET-A"] - 2 * sent + len(partial) + 2 * len(
        full
    )
    assert on_hand(system, "IT-RET-B") == shelf["IT-RET-B"] - sent + len(full)
