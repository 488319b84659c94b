"""Activities of replenishment and reconciliation: demand, positions, orders, alerts, drift.

Demand comes from the stock ledger's `reserve` rows, net of what their reservation later
released, dated on the day of the reservation. The ledger is the one place with SKU,
warehouse, quantity and time for every accepted order line, written in the same
transaction as the counters and unique per step, so a retried step is never counted
twice. (The audit trail in `order_events` has no SKU or quantity; `ship` rows lag the
demand by the fulfilment time and miss orders still in flight.) Unmet demand of
backordered orders never reaches the ledger, so a stock-out reads as low demand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine, and_, func, select, update
from temporalio import activity

from activities import purchasing
from activities.db import insert_ignore, reading
from activities.ledger import stock_drift
from activities.sqltypes import utcnow
from activities.tables import Notification, Product, Stock, StockLedger
from models.replenishment_io import (
    DemandHistory,
    DemandHistoryInput,
    DemandSeries,
    DriftQuery,
    DriftReport,
    DriftRow,
    OpsAlert,
    OpsAlertsInput,
    OpsAlertsResult,
    RecordPurchaseOrdersInput,
    RecordPurchaseOrdersResult,
    SafetyStockLevel,
    SetSafetyStockInput,
    SetSafetyStockResult,
    StockPosition,
    StockPositions,
    StockPositionsInput,
    SupplierList,
    SuppliersInput,
)

log = structlog.get_logger(__name__)
LEDGER, STOCK, PRODUCTS, OUTBOX = (
    StockLedger.__table__,
    Stock.__table__,
    Product.__table__,
    Notification.__table__,
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def net_reservations() -> tuple[Any, Any]:
    """Reservation ledger rows joined with what was released of them, and the net units
    (reserved less released) as a column: demand that a cancel took back is no demand."""
    released = (
        select(LEDGER.c.reservation_key, LEDGER.c.sku, LEDGER.c.warehouse_id)
        .add_columns(func.sum(LEDGER.c.quantity).label("quantity"))
        .where(LEDGER.c.kind == "release")
        .group_by(LEDGER.c.reservation_key, LEDGER.c.sku, LEDGER.c.warehouse_id)
        .subquery()
    )
    matches = and_(
        released.c.reservation_key == LEDGER.c.reservation_key,
        released.c.sku == LEDGER.c.sku,
        released.c.warehouse_id == LEDGER.c.warehouse_id,
    )
    net = LEDGER.c.quantity - func.coalesce(released.c.quantity, 0)
    return LEDGER.outerjoin(released, matches), net


def demand_history(engine: Engine, *, as_of: date, days: int) -> list[DemandSeries]:
    """Daily net reserved units per SKU and warehouse over the `days` whole days before
    `as_of`, each series starting on the pair's first ledger day (a new pair is short)."""
    start = as_of - timedelta(days=days)
    rows, net = net_reservations()
    reserved = (
        select(LEDGER.c.sku, LEDGER.c.warehouse_id, LEDGER.c.at, net)
        .select_from(rows)
        .where(LEDGER.c.kind == "reserve")
        .where(LEDGER.c.at >= _midnight(start), LEDGER.c.at < _midnight(as_of))
    )
    first_seen = select(LEDGER.c.sku, LEDGER.c.warehouse_id, func.min(LEDGER.c.at)).group_by(
        LEDGER.c.sku, LEDGER.c.warehouse_id
    )
    by_day: dict[tuple[str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    with reading(engine) as connection:
        for sku, warehouse_id, at, quantity in connection.execute(reserved):
            by_day[(sku, warehouse_id)][at.date()] += max(0, int(quantity))
        firsts = {(s, w): at.date() for s, w, at in connection.execute(first_seen)}
    series = []
    for (sku, warehouse_id), first in sorted(firsts.items()):
        begin, counts = max(start, first), by_day.get((sku, warehouse_id), {})
        daily = [counts.get(begin + timedelta(days=i), 0) for i in range((as_of - begin).days)]
        series.append(DemandSeries(sku=sku, warehouse_id=warehouse_id, daily=daily))
    return series


def stock_positions(engine: Engine, *, sku: str | None = None) -> list[StockPosition]:
    query = (
        select(STOCK, PRODUCTS.c.price)
        .select_from(STOCK.outerjoin(PRODUCTS, PRODUCTS.c.sku == STOCK.c.sku))
        .order_by(STOCK.c.sku, STOCK.c.warehouse_id)
    )
    if sku is not None:
        query = query.where(STOCK.c.sku == sku)
    with reading(engine) as connection:
        rows = connection.execute(query).mappings().all()
    ordered = purchasing.on_order(engine, sku=sku)
    return [
        StockPosition(
            **{k: row[k] for k in ("sku", "warehouse_id", "on_hand", "reserved", "safety_stock")},
            on_order=ordered.get((row["sku"], row["warehouse_id"]), 0),
            list_price=row["price"] if row["price"] is not None else 0,
        )
        for row in rows
    ]


def set_safety_stock(engine: Engine, *, levels: Sequence[SafetyStockLevel]) -> int:
    """One conditional UPDATE per row (no read first); the number of rows that changed."""
    changed = 0
    with engine.begin() as connection:
        for level in levels:
            changed += connection.execute(
                update(STOCK)
                .where(STOCK.c.sku == level.sku, STOCK.c.warehouse_id == level.warehouse_id)
                .where(STOCK.c.safety_stock != level.safety_stock)
                .values(safety_stock=level.safety_stock)
            ).rowcount
    return changed


def write_ops_alerts(engine: Engine, *, alerts: Sequence[OpsAlert], recipient: str) -> int:
    """Outbox rows on the ops channel, one per alert key; the number newly written."""
    written = 0
    with engine.begin() as connection:
        for alert in alerts:
            row = {
                "order_id": "",  # about stock, not about one order
                "channel": "ops",
                "recipient": recipient,
                "event": alert.event,
                "body": alert.body,
                "created_at": utcnow(),
                "idempotency_key": alert.idempotency_key,
            }
            written += insert_ignore(connection, OUTBOX, row, key=("idempotency_key",))
    return written


class ReplenishmentActivities:
    def __init__(self, engine: Engine, *, ops_recipient: str = "ops") -> None:
        self._engine = engine
        self._ops_recipient = ops_recipient

    @activity.defn(name="load_demand_history")
    def load_demand_history(self, data: DemandHistoryInput) -> DemandHistory:
        series = demand_history(self._engine, as_of=data.as_of, days=data.days)
        log.info("load_demand_history", as_of=str(data.as_of), pairs=len(series))
        return DemandHistory(series=series)

    @activity.defn(name="load_stock_positions")
    def load_stock_positions(self, data: StockPositionsInput) -> StockPositions:
        positions = stock_positions(self._engine, sku=data.sku)
        log.info("load_stock_positions", rows=len(positions))
        return StockPositions(positions=positions)

    @activity.defn(name="list_suppliers")
    def list_suppliers(self, data: SuppliersInput) -> SupplierList:
        offers = purchasing.supplier_offers(self._engine, categories=data.categories)
        log.info("list_suppliers", offers=len(offers))
        return SupplierList(offers=offers)

    @activity.defn(name="record_purchase_orders")
    def record_purchase_orders(self, data: RecordPurchaseOrdersInput) -> RecordPurchaseOrdersResult:
        created, existing = purchasing.record_purchase_orders(self._engine, orders=data.orders)
        log.info("record_purchase_orders", created=len(created), existing=len(existing))
        return RecordPurchaseOrdersResult(created=created, existing=existing)

    @activity.defn(name="set_safety_stock")
    def set_safety_stock(self, data: SetSafetyStockInput) -> SetSafetyStockResult:
        changed = set_safety_stock(self._engine, levels=data.levels)
        log.info("set_safety_stock", rows=len(data.levels), changed=changed)
        return SetSafetyStockResult(changed=changed)

    @activity.defn(name="send_ops_alerts")
    def send_ops_alerts(self, data: OpsAlertsInput) -> OpsAlertsResult:
        written = write_ops_alerts(self._engine, alerts=data.alerts, recipient=self._ops_recipient)
        log.info("send_ops_alerts", alerts=len(data.alerts), written=written)
        return OpsAlertsResult(written=written)

    @activity.defn(name="find_stock_drift")
    def find_stock_drift(self, data: DriftQuery) -> DriftReport:
        rows = [DriftRow.model_validate(row) for row in stock_drift(self._engine, sku=data.sku)]
        log.info("find_stock_drift", drifting=len(rows), outcome="drift" if rows else "clean")
        return DriftReport(rows=rows)
