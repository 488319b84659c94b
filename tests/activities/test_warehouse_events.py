from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError

from activities.ledger import stock_drift
from activities.purchasing import open_purchase_orders, record_purchase_orders
from activities.records import OrderRecordActivities
from activities.warehouse_events import WarehouseEventActivities, apply_event, backordered_orders
from models.activity_io import RecordStatusInput
from models.replenishment_io import PurchaseOrderLine
from models.status import OrderStatus
from models.view import LineView, OrderView, PaymentView
from models.wms import WaitingQuery, WmsEvent
from tests.activities.conftest import CUSTOMER


def _event(event_id: str, kind: str, **amount: int) -> WmsEvent:
    return WmsEvent(event_id=event_id, type=kind, warehouse_id="WH-A", sku="TEA", **amount)


def test_an_inbound_receipt_adds_stock_once_per_event_id(seeded: Engine) -> None:
    first = apply_event(seeded, event=_event("rcv-1", "inbound", quantity=7))
    again = apply_event(seeded, event=_event("rcv-1", "inbound", quantity=7))

    assert (first.applied, first.on_hand, first.available) == (True, 17, 17)
    assert (again.applied, again.on_hand) == (False, 17)
    assert stock_drift(seeded) == []


def test_an_outbound_and_a_cycle_count_move_on_hand(seeded: Engine) -> None:
    out = apply_event(seeded, event=_event("out-1", "outbound", quantity=4))
    counted = apply_event(seeded, event=_event("cnt-1", "adjustment", counted=9))

    assert out.on_hand == 6 and counted.on_hand == 9
    assert stock_drift(seeded) == []


def test_an_outbound_beyond_the_stock_is_refused_and_writes_nothing(seeded: Engine) -> None:
    with pytest.raises(ApplicationError) as refused:
        WarehouseEventActivities(seeded).apply_wms_event(_event("out-2", "outbound", quantity=11))

    assert refused.value.non_retryable and refused.value.type == "StockRefused"
    assert apply_event(seeded, event=_event("cnt-2", "adjustment", counted=10)).on_hand == 10


def _backordered(engine: Engine, order_id: str, priority: int, quantity: int) -> None:
    view = OrderView(
        order_id=order_id,
        status=OrderStatus.BACKORDERED,
        priority=priority,
        lines=[LineView(sku="TEA", quantity=quantity), LineView(sku="MUG", quantity=1)],
        payment=PaymentView(amount=Decimal("1.00")),
    )
    OrderRecordActivities(engine).record_status(
        RecordStatusInput(
            idempotency_key=f"{order_id}:record:1",
            event="BACKORDERED",
            view=view,
            customer=CUSTOMER,
        )
    )


def test_backordered_orders_for_a_sku_come_from_the_read_model(seeded: Engine) -> None:
    _backordered(seeded, "SO-LOW", 40, 2)
    _backordered(seeded, "SO-VIP", 90, 3)

    waiting = WarehouseEventActivities(seeded).find_backordered_orders(WaitingQuery(sku="TEA"))

    assert sorted((o.order_id, o.priority, o.quantity) for o in waiting.orders) == [
        ("SO-LOW", 40, 2),
        ("SO-VIP", 90, 3),
    ]
    assert backordered_orders(seeded, sku="HOT") == []


def test_a_receipt_naming_an_open_purchase_order_closes_it(seeded: Engine) -> None:
    line = PurchaseOrderLine(
        idempotency_key="run-1:TEA:WH-A",
        sku="TEA",
        warehouse_id="WH-A",
        supplier_id="SUP-TEA",
        quantity=6,
        unit_cost=Decimal("20.00"),
        expected_on=date(2026, 12, 24),
    )
    (po_id,), _ = record_purchase_orders(seeded, orders=[line])

    received = apply_event(
        seeded,
        event=WmsEvent(
            event_id="rcv-po",
            type="inbound",
            warehouse_id="WH-A",
            sku="TEA",
            quantity=6,
            reference=po_id,
        ),
    )

    assert received.on_hand == 16
    assert open_purchase_orders(seeded, sku="TEA") == []
