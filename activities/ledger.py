"""Inventory as the ledger tells it: inbound stock, listings, and counters reconciled.

The counters in `stock` must always equal the sums of the ledger:
    on_hand  = inbound + adjust - ship
    reserved = reserve - release - ship
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, case, func, select, update

from activities.db import insert_ignore, reading
from activities.sqltypes import utcnow
from activities.tables import Stock, StockLedger

LEDGER = StockLedger.__table__
STOCK = Stock.__table__


def receive(
    engine: Engine, *, sku: str, warehouse_id: str, quantity: int, idempotency_key: str
) -> bool:
    """Inbound stock (a delivery, a restock); False when this key was already applied."""
    with engine.begin() as connection:
        return receive_in(
            connection,
            sku=sku,
            warehouse_id=warehouse_id,
            quantity=quantity,
            idempotency_key=idempotency_key,
        )


def receive_in(
    connection: Connection, *, sku: str, warehouse_id: str, quantity: int, idempotency_key: str
) -> bool:
    """`receive` inside the caller's transaction."""
    if quantity < 0:
        raise ValueError("inbound quantity cannot be negative")
    insert_ignore(
        connection, STOCK, {"sku": sku, "warehouse_id": warehouse_id}, key=("sku", "warehouse_id")
    )
    row = {
        "kind": "inbound",
        "sku": sku,
        "warehouse_id": warehouse_id,
        "quantity": quantity,
        "idempotency_key": idempotency_key,
        "at": utcnow(),
    }
    if not insert_ignore(connection, LEDGER, row, key=("idempotency_key", "sku", "warehouse_id")):
        return False
    connection.execute(
        update(STOCK)
        .where(STOCK.c.sku == sku, STOCK.c.warehouse_id == warehouse_id)
        .values(on_hand=STOCK.c.on_hand + quantity)
    )
    return True


def list_inventory(engine: Engine, *, sku: str | None = None) -> list[dict[str, object]]:
    """Rows for `starter.py inventory`: sku, warehouse_id, on_hand, reserved, available, ..."""
    query = select(STOCK).order_by(STOCK.c.sku, STOCK.c.warehouse_id)
    if sku is not None:
        query = query.where(STOCK.c.sku == sku)
    with reading(engine) as connection:
        rows = connection.execute(query).mappings().all()
    return [
        {
            "sku": row["sku"],
            "warehouse_id": row["warehouse_id"],
            "on_hand": row["on_hand"],
            "reserved": row["reserved"],
            "available": row["on_hand"] - row["reserved"],
            "safety_stock": row["safety_stock"],
        }
        for row in rows
    ]


def _sum_of(*kinds: str, minus: tuple[str, ...] = ()) -> object:
    plus = case((LEDGER.c.kind.in_(kinds), LEDGER.c.quantity), else_=0)
    less = case((LEDGER.c.kind.in_(minus), LEDGER.c.quantity), else_=0) if minus else 0
    return func.coalesce(func.sum(plus - less), 0)


def ledger_totals(engine: Engine, *, sku: str | None = None) -> dict[tuple[str, str], dict]:
    """(sku, warehouse_id) -> {"on_hand", "reserved"} as rebuilt from the ledger alone."""
    query = select(
        LEDGER.c.sku,
        LEDGER.c.warehouse_id,
        _sum_of("inbound", "adjust", minus=("ship",)).label("on_hand"),
        _sum_of("reserve", minus=("release", "ship")).label("reserved"),
    ).group_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
    if sku is not None:
        query = query.where(LEDGER.c.sku == sku)
    with reading(engine) as connection:
        rows = connection.execute(query).all()
    return {(s, w): {"on_hand": int(h), "reserved": int(r)} for s, w, h, r in rows}


def stock_drift(engine: Engine, *, sku: str | None = None) -> list[dict[str, object]]:
    """Stock rows whose counters differ from the ledger; empty when all is well."""
    expected = ledger_totals(engine, sku=sku)
    drift = []
    for row in list_inventory(engine, sku=sku):
        key = (str(row["sku"]), str(row["warehouse_id"]))
        want = expected.pop(key, {"on_hand": 0, "reserved": 0})
        if (row["on_hand"], row["reserved"]) != (want["on_hand"], want["reserved"]):
            drift.append(
                {**row, "ledger_on_hand": want["on_hand"], "ledger_reserved": want["reserved"]}
            )
    for (s, w), want in expected.items():  # ledger rows without a stock row
        drift.append(
            {
                "sku": s,
                "warehouse_id": w,
                "on_hand": None,
                "reserved": None,
                "ledger_on_hand": want["on_hand"],
                "ledger_reserved": want["reserved"],
            }
        )
    return drift
