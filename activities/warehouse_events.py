"""Warehouse (WMS) events applied to the stock ledger, and the orders waiting for stock.

Each event is one ledger step keyed `wms:{event_id}`, so a repeated event changes
nothing: inbound is a receipt, outbound a negative adjustment, a cycle count an
adjustment to the counted quantity (refused if it would go below what is reserved).
"""

from __future__ import annotations

import json

import structlog
from sqlalchemy import Engine, select, update
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import reading
from activities.ledger import STOCK, StockRefused, adjust, inbound, step_rows
from activities.purchasing_tables import PurchaseOrder
from activities.sqltypes import utcnow
from activities.tables import Order
from models.wms import WaitingOrder, WaitingOrders, WaitingQuery, WmsEvent, WmsEventResult

log = structlog.get_logger(__name__)
ORDERS = Order.__table__
PURCHASE_ORDERS = PurchaseOrder.__table__
STOCK_REFUSED = "StockRefused"


def apply_event(engine: Engine, *, event: WmsEvent) -> WmsEventResult:
    key = f"wms:{event.event_id}"
    with reading(engine) as connection:
        duplicate = bool(step_rows(connection, key))
    where = {"sku": event.sku, "warehouse_id": event.warehouse_id}
    if event.type == "inbound":
        assert event.quantity is not None
        inbound(engine, **where, quantity=event.quantity, idempotency_key=key)
        if event.reference:
            close_purchase_order(engine, po_id=event.reference, **where)
    elif event.type == "outbound":
        assert event.quantity is not None
        adjust(engine, **where, delta=-event.quantity, idempotency_key=key)
    else:
        adjust(engine, **where, counted=event.counted, idempotency_key=key)
    with reading(engine) as connection:
        on_hand, reserved = connection.execute(
            select(STOCK.c.on_hand, STOCK.c.reserved).where(
                STOCK.c.sku == event.sku, STOCK.c.warehouse_id == event.warehouse_id
            )
        ).one()
    return WmsEventResult(
        event_id=event.event_id,
        applied=not duplicate,
        on_hand=on_hand,
        available=on_hand - reserved,
    )


def close_purchase_order(engine: Engine, *, po_id: str, sku: str, warehouse_id: str) -> bool:
    """A receipt that names an open purchase order for this SKU and warehouse closes it,
    so replenishment stops counting it as on order. The stock itself came in above."""
    with engine.begin() as connection:
        closed = connection.execute(
            update(PURCHASE_ORDERS)
            .where(
                PURCHASE_ORDERS.c.po_id == po_id,
                PURCHASE_ORDERS.c.sku == sku,
                PURCHASE_ORDERS.c.warehouse_id == warehouse_id,
                PURCHASE_ORDERS.c.status == "OPEN",
            )
            .values(status="RECEIVED", received_at=utcnow())
        ).rowcount
    return closed == 1


def backordered_orders(engine: Engine, *, sku: str) -> list[WaitingOrder]:
    query = select(ORDERS.c.order_id, ORDERS.c.priority, ORDERS.c.view_json, ORDERS.c.created_at)
    with reading(engine) as connection:
        rows = connection.execute(query.where(ORDERS.c.status == "BACKORDERED")).all()
    waiting = []
    for order_id, priority, view_json, created_at in rows:
        lines = json.loads(view_json).get("lines", [])
        quantity = sum(line["quantity"] for line in lines if line["sku"] == sku)
        if quantity:
            waiting.append(
                WaitingOrder(
                    order_id=order_id, priority=priority, quantity=quantity, since=created_at
                )
            )
    return waiting


class WarehouseEventActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="apply_wms_event")
    def apply_wms_event(self, event: WmsEvent) -> WmsEventResult:
        try:
            result = apply_event(self._engine, event=event)
        except StockRefused as refused:
            log.info("apply_wms_event", event_id=event.event_id, outcome="refused")
            raise ApplicationError(str(refused), type=STOCK_REFUSED, non_retryable=True) from None
        outcome = "applied" if result.applied else "duplicate"
        log.info("apply_wms_event", event_id=event.event_id, kind=event.type, outcome=outcome)
        return result

    @activity.defn(name="find_backordered_orders")
    def find_backordered_orders(self, query: WaitingQuery) -> WaitingOrders:
        return WaitingOrders(orders=backordered_orders(self._engine, sku=query.sku))
