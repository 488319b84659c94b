"""Inventory as the ledger tells it: receipts, cycle counts, listings, reconciliation.

The counters in `stock` must always equal the sums of the append-only ledger:
    on_hand  = inbound + adjust - ship
    reserved = reserve - release - ship
Every step that moves a counter is ONE transaction: a conditional counter update plus
its ledger row(s) under the step's idempotency key (unique per SKU and warehouse). A
retried step finds its rows, changes nothing and answers what the first attempt did.
A refused step (StockRefused) writes nothing, so retrying it decides afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)

from activities.db import insert_ignore, insert_ignore_many, reading
from activities.sqltypes import utcnow
from activities.tables import Stock, StockLedger

LEDGER = StockLedger.__table__
STOCK = Stock.__table__
LEDGER_KEY = ("idempotency_key", "sku", "warehouse_id")
Held = Mapping[tuple[str, str], int]  # (sku, warehouse_id) -> quantity


class StockRefused(ValueError):
    """The step would break an invariant (on_hand below reserved); nothing was written."""


@dataclass(frozen=True)
class LedgerEntry:
    """One recorded ledger row: what a step did, the same on every retry of it."""

    kind: str
    sku: str
    warehouse_id: str
    quantity: int
    idempotency_key: str


class _Replayed(Exception):
    """A concurrent attempt under the same key committed first: roll back, answer as it did."""


# ---- building blocks shared with activities.stock (each runs in the caller's transaction)


def step_rows(connection: Connection, idempotency_key: str) -> list[Row[Any]]:
    """The ledger rows a step wrote, in the order it wrote them; empty if it never ran."""
    return list(
        connection.execute(
            select(LEDGER.c.kind, LEDGER.c.sku, LEDGER.c.warehouse_id, LEDGER.c.quantity)
            .where(LEDGER.c.idempotency_key == idempotency_key)
            .order_by(LEDGER.c.id)
        )
    )


def append_step(
    connection: Connection,
    kind: str,
    rows: Held,
    *,
    idempotency_key: str,
    order_id: str | None = None,
    reservation_key: str | None = None,
) -> bool:
    """Append a step's ledger rows unless they are there already; True when all were new.

    On PostgreSQL an insert that collides with an uncommitted row under the same key waits
    for that transaction, so of two concurrent attempts exactly one appends.
    """
    if not rows:
        return True
    at = utcnow()
    values = [
        {
            "kind": kind,
            "sku": sku,
            "warehouse_id": warehouse_id,
            "quantity": quantity,
            "order_id": order_id,
            "idempotency_key": idempotency_key,
            "reservation_key": reservation_key,
            "at": at,
        }
        for (sku, warehouse_id), quantity in rows.items()
    ]
    return insert_ignore_many(connection, LEDGER, values, key=LEDGER_KEY) == len(values)


def _where(sku: str, warehouse_id: str) -> Any:
    return and_(STOCK.c.sku == sku, STOCK.c.warehouse_id == warehouse_id)


def _ensure_stock_row(connection: Connection, sku: str, warehouse_id: str) -> None:
    insert_ignore(
        connection, STOCK, {"sku": sku, "warehouse_id": warehouse_id}, key=("sku", "warehouse_id")
    )


def _entry(rows: list[Row[Any]], kind: str, key: str) -> LedgerEntry | None:
    """The entry a single-row step recorded, or None when it never ran."""
    if not rows:
        return None
    if len(rows) != 1 or rows[0].kind != kind:
        raise ValueError(f"idempotency key {key!r} was already used for another step")
    row = rows[0]
    return LedgerEntry(kind, row.sku, row.warehouse_id, row.quantity, key)


# ---- receipts (inbound)


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
    """`receive` inside the caller's transaction; creates the stock row when missing."""
    if quantity < 0:
        raise ValueError("inbound quantity cannot be negative")
    _ensure_stock_row(connection, sku, warehouse_id)
    if not append_step(
        connection, "inbound", {(sku, warehouse_id): quantity}, idempotency_key=idempotency_key
    ):
        return False
    connection.execute(
        update(STOCK).where(_where(sku, warehouse_id)).values(on_hand=STOCK.c.on_hand + quantity)
    )
    return True


def inbound(
    engine: Engine, *, sku: str, warehouse_id: str, quantity: int, idempotency_key: str
) -> LedgerEntry:
    """A receipt: on_hand += quantity (the stock row is created if missing).

    A retry under the same key changes nothing and returns the recorded entry.
    """
    with engine.begin() as connection:
        if done := _entry(step_rows(connection, idempotency_key), "inbound", idempotency_key):
            return done
        receive_in(
            connection,
            sku=sku,
            warehouse_id=warehouse_id,
            quantity=quantity,
            idempotency_key=idempotency_key,
        )
        entry = _entry(step_rows(connection, idempotency_key), "inbound", idempotency_key)
    assert entry is not None
    return entry


# ---- cycle counts (adjust)


def adjust(
    engine: Engine,
    *,
    sku: str,
    warehouse_id: str,
    idempotency_key: str,
    counted: int | None = None,
    delta: int | None = None,
) -> LedgerEntry:
    """A cycle count: set on_hand to `counted`, or move it by `delta` (either sign).

    on_hand never goes below reserved: such a count is refused with StockRefused and
    nothing is written. The ledger row holds the change (new on_hand - old on_hand). A
    retry under the same key changes nothing and returns the recorded entry, even when
    the stock has moved since.
    """
    if (counted is None) == (delta is None):
        raise ValueError("adjust takes exactly one of counted= or delta=")
    if counted is not None and counted < 0:
        raise ValueError("a counted quantity cannot be negative")
    try:
        with engine.begin() as connection:
            if done := _entry(step_rows(connection, idempotency_key), "adjust", idempotency_key):
                return done
            _ensure_stock_row(connection, sku, warehouse_id)  # a count may find new stock
            if delta is not None:
                return _adjust_by(connection, sku, warehouse_id, delta, idempotency_key)
            assert counted is not None
            return _adjust_to(connection, sku, warehouse_id, counted, idempotency_key)
    except _Replayed:
        with reading(engine) as connection:
            done = _entry(step_rows(connection, idempotency_key), "adjust", idempotency_key)
        assert done is not None
        return done


def _refuse(connection: Connection, sku: str, warehouse_id: str, new: str) -> StockRefused:
    on_hand, reserved = connection.execute(
        select(STOCK.c.on_hand, STOCK.c.reserved).where(_where(sku, warehouse_id))
    ).one()
    return StockRefused(
        f"cannot adjust {sku}@{warehouse_id}: on_hand would be {new}, "
        f"below the {reserved} reserved (on_hand is {on_hand})"
    )


def _adjust_by(
    connection: Connection, sku: str, warehouse_id: str, delta: int, key: str
) -> LedgerEntry:
    # The key first: a concurrent duplicate waits on it, then finds it taken.
    if not append_step(connection, "adjust", {(sku, warehouse_id): delta}, idempotency_key=key):
        raise _Replayed
    changed = connection.execute(
        update(STOCK)
        .where(_where(sku, warehouse_id), STOCK.c.on_hand + delta >= STOCK.c.reserved)
        .values(on_hand=STOCK.c.on_hand + delta)
    ).rowcount
    if changed != 1:
        raise _refuse(connection, sku, warehouse_id, f"on_hand {delta:+d}")
    return LedgerEntry("adjust", sku, warehouse_id, delta, key)


def _adjust_to(
    connection: Connection, sku: str, warehouse_id: str, counted: int, key: str
) -> LedgerEntry:
    # The ledger needs the change, so read on_hand under a row lock (SQLite's BEGIN
    # IMMEDIATE already serialises writers) and write only if it is still what was read.
    seen = connection.execute(
        select(STOCK.c.on_hand).where(_where(sku, warehouse_id)).with_for_update()
    ).scalar_one()
    # A concurrent duplicate held the lock until it committed: look again.
    if done := _entry(step_rows(connection, key), "adjust", key):
        return done
    changed = connection.execute(
        update(STOCK)
        .where(_where(sku, warehouse_id), STOCK.c.on_hand == seen, STOCK.c.reserved <= counted)
        .values(on_hand=counted)
    ).rowcount
    if changed != 1:
        raise _refuse(connection, sku, warehouse_id, str(counted))
    if not append_step(
        connection, "adjust", {(sku, warehouse_id): counted - seen}, idempotency_key=key
    ):
        raise _Replayed
    return LedgerEntry("adjust", sku, warehouse_id, counted - seen, key)


# ---- listings and reconciliation


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


def _sum_of(*kinds: str, minus: tuple[str, ...] = ()) -> Any:
    plus = case((LEDGER.c.kind.in_(kinds), LEDGER.c.quantity), else_=0)
    less = case((LEDGER.c.kind.in_(minus), LEDGER.c.quantity), else_=0) if minus else 0
    return func.coalesce(func.sum(plus - less), 0)


def _totals_query(sku: Any) -> Any:
    query = select(
        LEDGER.c.sku,
        LEDGER.c.warehouse_id,
        _sum_of("inbound", "adjust", minus=("ship",)).label("on_hand"),
        _sum_of("reserve", minus=("release", "ship")).label("reserved"),
    ).group_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
    return query if sku is None else query.where(LEDGER.c.sku == sku)


def ledger_totals(engine: Engine, *, sku: str | None = None) -> dict[tuple[str, str], dict]:
    """(sku, warehouse_id) -> {"on_hand", "reserved"} as rebuilt from the ledger alone."""
    with reading(engine) as connection:
        rows = connection.execute(_totals_query(sku)).all()
    return {(s, w): {"on_hand": int(h), "reserved": int(r)} for s, w, h, r in rows}


@cache
def _drift_query(by_sku: bool) -> Any:
    """Counters against the ledger in ONE statement, so one snapshot on either database.

    Built once (per shape); the SKU, when there is one, is the bound parameter "sku".
    """
    totals = _totals_query(bindparam("sku") if by_sku else None).cte("totals")
    want_on_hand = func.coalesce(totals.c.on_hand, 0)
    want_reserved = func.coalesce(totals.c.reserved, 0)
    counted = (
        select(
            STOCK.c.sku,
            STOCK.c.warehouse_id,
            STOCK.c.on_hand,
            STOCK.c.reserved,
            STOCK.c.safety_stock,
            want_on_hand.label("ledger_on_hand"),
            want_reserved.label("ledger_reserved"),
            literal(True).label("has_row"),
        )
        .select_from(
            STOCK.outerjoin(
                totals,
                and_(totals.c.sku == STOCK.c.sku, totals.c.warehouse_id == STOCK.c.warehouse_id),
            )
        )
        .where(or_(STOCK.c.on_hand != want_on_hand, STOCK.c.reserved != want_reserved))
    )
    if by_sku:
        counted = counted.where(STOCK.c.sku == bindparam("sku"))
    orphans = select(  # ledger rows without a stock row
        totals.c.sku,
        totals.c.warehouse_id,
        null(),
        null(),
        null(),
        totals.c.on_hand,
        totals.c.reserved,
        literal(False),
    ).where(
        ~exists().where(STOCK.c.sku == totals.c.sku, STOCK.c.warehouse_id == totals.c.warehouse_id)
    )
    return union_all(counted, orphans)


def _drift(connection: Connection, sku: str | None) -> list[dict[str, object]]:
    params = {} if sku is None else {"sku": sku}
    rows = connection.execute(_drift_query(sku is not None), params).all()
    drift: list[dict[str, object]] = []
    for row in sorted(rows, key=lambda r: (r.sku, r.warehouse_id)):
        entry: dict[str, object] = {
            "sku": row.sku,
            "warehouse_id": row.warehouse_id,
            "on_hand": row.on_hand,
            "reserved": row.reserved,
        }
        if row.has_row:
            entry["available"] = row.on_hand - row.reserved
            entry["safety_stock"] = row.safety_stock
        entry["ledger_on_hand"] = int(row.ledger_on_hand)
        entry["ledger_reserved"] = int(row.ledger_reserved)
        drift.append(entry)
    return drift


def stock_drift(engine: Engine, *, sku: str | None = None) -> list[dict[str, object]]:
    """Stock rows whose counters differ from the ledger; empty when all is well.

    Safe while other steps run: counters and ledger are read in one consistent snapshot.
    """
    with reading(engine) as connection:
        return _drift(connection, sku)


def rebuild_counters(engine: Engine, *, sku: str | None = None) -> list[dict[str, object]]:
    """Set every counter to what the ledger says; returns the drift it repaired.

    The stock rows are locked first, so every step that moved them has committed its
    ledger rows (and any step still running adds its change on top afterwards).
    """
    with engine.begin() as connection:
        lock = select(STOCK.c.sku).order_by(STOCK.c.sku, STOCK.c.warehouse_id).with_for_update()
        connection.execute(lock if sku is None else lock.where(STOCK.c.sku == sku)).all()
        drift = _drift(connection, sku)
        for row in drift:
            s, w = str(row["sku"]), str(row["warehouse_id"])
            if row["on_hand"] is None:  # ledger rows whose stock row is gone
                _ensure_stock_row(connection, s, w)
            connection.execute(
                update(STOCK)
                .where(_where(s, w))
                .values(on_hand=row["ledger_on_hand"], reserved=row["ledger_reserved"])
            )
    return drift
