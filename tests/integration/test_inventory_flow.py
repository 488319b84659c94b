"""Stock under pressure on a real dev server: a flash sale, and warehouse receipts."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import select

from activities.catalog import seed_catalog
from activities.db import make_engine, reading
from activities.ledger import stock_drift
from activities.records import notifications
from activities.tables import Order
from cli.generate import make_order
from cli.orders import place
from models.catalog import CatalogDocument
from tests.integration.conftest import order_data, wait_for_status

pytestmark = pytest.mark.integration
FLASH_ORDERS, FLASH_STOCK = 300, 100
RESERVED_OR_BEYOND = {"RESERVED", "ALLOCATED", "SHIPPED", "DELIVERED", "COMPLETED"}


@pytest.fixture(scope="module")
def engine(system):
    engine = make_engine(system.settings.oms_database_url)
    seed_catalog(
        engine,
        doc=CatalogDocument.model_validate(
            {
                "products": [
                    {"sku": "IT-FLASH", "name": "Flash sale kettle", "price": "99.00"},
                    {"sku": "IT-WMS", "name": "Restocked mug", "price": "10.00"},
                ],
                "stock": [
                    {"warehouse_id": "IT-WH", "sku": "IT-FLASH", "on_hand": FLASH_STOCK},
                    {"warehouse_id": "IT-WH", "sku": "IT-WMS", "on_hand": 0},
                ],
            }
        ),
    )
    return engine


def _statuses(engine, prefix: str) -> Counter[str]:
    with reading(engine) as connection:
        rows = connection.execute(
            select(Order.status).where(Order.order_id.like(f"{prefix}%"))
        ).all()
    return Counter(status for (status,) in rows)


async def test_a_flash_sale_never_sells_more_than_the_stock(system, client, engine):
    orders = [
        make_order(f"FLASH-{i:03d}", [("IT-FLASH", 1, Decimal("99.00"))])
        for i in range(FLASH_ORDERS)
    ]
    gate = asyncio.Semaphore(30)

    async def one(order):
        async with gate:
            await place(client, system.settings, order)

    await asyncio.gather(*(one(order) for order in orders))
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        counts = _statuses(engine, "FLASH-")
        settled = sum(counts[s] for s in RESERVED_OR_BEYOND | {"BACKORDERED", "CANCELLED"})
        if settled == FLASH_ORDERS and counts["RESERVED"] == 0:
            break
        await asyncio.sleep(1)
    counts = _statuses(engine, "FLASH-")
    sold = sum(counts[s] for s in RESERVED_OR_BEYOND)
    assert sold == FLASH_STOCK, counts
    assert counts["BACKORDERED"] + counts["CANCELLED"] == FLASH_ORDERS - FLASH_STOCK, counts
    assert stock_drift(engine, sku="IT-FLASH") == []
    (row,) = system.inventory("IT-FLASH")
    assert row["available"] == 0 and row["reserved"] + (FLASH_STOCK - row["on_hand"]) == FLASH_STOCK
    short = [o for o in orders if _statuses(engine, o.order_id)["BACKORDERED"]]
    for order in short[:20]:  # each was told, by email, SMS and app push
        told = notifications(engine, order_id=order.order_id)
        assert {n["channel"] for n in told if n["event"] == "BACKORDERED"} == {
            "email",
            "sms",
            "push",
        }


async def test_a_warehouse_receipt_wakes_a_backordered_order(system, client, engine):
    path = system.write_order(order_data(sku="IT-WMS", quantity=2))
    placed = system.starter("place", "--file", str(path), "--json")
    assert placed.returncode == 0, placed.stderr
    order_id = json.loads(placed.stdout)["order_id"]
    await wait_for_status(client, order_id, {"BACKORDERED"})

    receipt = system.workdir / "receipt.json"
    receipt.write_text(
        json.dumps(
            {
                "event_id": f"rcv-{order_id}",
                "type": "inbound",
                "warehouse_id": "IT-WH",
                "sku": "IT-WMS",
                "quantity": 5,
                "reference": "PO-1",
            }
        )
    )
    first = system.starter("wms-event", "--file", str(receipt), "--json")
    again = system.starter("wms-event", "--file", str(receipt), "--json")

    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["woken_orders"] == [order_id]
    assert json.loads(again.stdout)["applied"] is True  # the same run's answer, not re-applied
    # Delivered: its stock has left the warehouse, so no later test sees the counters move
    # (packing puts a few seconds between ALLOCATED and the shipment).
    await wait_for_status(client, order_id, {"DELIVERED", "COMPLETED"})
    (row,) = system.inventory("IT-WMS")
    # 5 received once (not twice), 2 of them held or shipped for the order.
    assert row["available"] == 3 and stock_drift(engine, sku="IT-WMS") == []


def test_bad_warehouse_events_exit_2_and_touch_nothing(system, engine):
    before = system.inventory("IT-WMS")
    for document, field in [
        (
            {
                "event_id": "x1",
                "type": "inbound",
                "warehouse_id": "IT-WH",
                "sku": "NOPE",
                "quantity": 1,
            },
            "sku",
        ),
        (
            {"event_id": "x2", "type": "inbound", "warehouse_id": "IT-WH", "sku": "IT-WMS"},
            "quantity",
        ),
        (
            {
                "event_id": "x3",
                "type": "inbound",
                "warehouse_id": "NOWH",
                "sku": "IT-WMS",
                "quantity": 1,
            },
            "warehouse_id",
        ),
    ]:
        path = system.workdir / f"{document['event_id']}.json"
        path.write_text(json.dumps(document))
        result = system.starter("wms-event", "--file", str(path))
        assert result.returncode == 2, result.stderr
        assert field in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert system.inventory("IT-WMS") == before
