"""Reservations, releases and shipments: conditional updates plus ledger rows, one transaction.

Never read-then-write: a reservation is `UPDATE ... WHERE on_hand - reserved >= q`, and
the rowcount says whether it fit. Every step writes ledger rows under its idempotency
key (unique per SKU and warehouse), so a retried step finds its rows, does nothing and
answers as the first attempt did. Stock rows are always locked in (sku, warehouse) order,
so two steps on PostgreSQL never deadlock. Receipts and cycle counts are in ledger.py.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, Row, case, func, select, update
from temporalio import activity

from activities.db import reading
from activities.ledger import Held, append_step, receive_in, step_rows
from activities.tables import Stock, StockLedger
from models.activity_io import (
    ReleaseInput,
    ReserveInput,
    ReserveResult,
    RestockReturnInput,
    ShipStockInput,
)
from models.view import Allocation

log = structlog.get_logger(__name__)
LEDGER = StockLedger.__table__
STOCK = Stock.__table__


class _Refused(Exception):
    """Roll the transaction back and answer with this result."""

    def __init__(self, result: ReserveResult) -> None:
        self.result = result


class _Replayed(Exception):
    """The key was taken by another attempt: roll back and answer as it did."""


def _allocations(held: Held) -> list[Allocation]:
    return [Allocation(sku=s, warehouse_id=w, quantity=q) for (s, w), q in held.items()]


def _as_allocations(rows: list[Row[Any]]) -> list[Allocation]:
    return [Allocation(sku=r.sku, warehouse_id=r.warehouse_id, quantity=r.quantity) for r in rows]


def _recorded(engine: Engine, key: str) -> list[Allocation]:
    with reading(engine) as connection:
        return _as_allocations(step_rows(connection, key))


def reserve(
    engine: Engine, *, order_id: str, idempotency_key: str, allocations: list[Allocation]
) -> ReserveResult:
    """All allocations or none. A retry under the same key returns the first success.

    A short reservation writes nothing, so a retry of it looks at the stock again.
    """
    wanted: dict[tuple[str, str], int] = defaultdict(int)
    for a in allocations:
        wanted[(a.sku, a.warehouse_id)] += a.quantity
    wanted = {k: q for k, q in wanted.items() if q > 0}
    try:
        with engine.begin() as connection:
            if done := step_rows(connection, idempotency_key):
                return ReserveResult(reserved=True, allocations=_as_allocations(done))
            # The key first: a concurrent attempt under it waits here until this one ends.
            if not append_step(
                connection,
                "reserve",
                wanted,
                order_id=order_id,
                idempotency_key=idempotency_key,
                reservation_key=idempotency_key,
            ):
                raise _Replayed
            short: list[str] = []
            for (sku, warehouse_id), quantity in sorted(wanted.items()):
                fits = connection.execute(
                    update(STOCK)
                    .where(STOCK.c.sku == sku, STOCK.c.warehouse_id == warehouse_id)
                    .where(STOCK.c.on_hand - STOCK.c.reserved >= quantity)
                    .values(reserved=STOCK.c.reserved + quantity)
                ).rowcount
                if fits != 1 and sku not in short:
                    short.append(sku)
            if short:  # undo the lines that did fit, and the ledger rows
                raise _Refused(ReserveResult(reserved=False, short_skus=short))
    except _Refused as refused:
        return refused.result
    except _Replayed:
        return ReserveResult(reserved=True, allocations=_recorded(engine, idempotency_key))
    return ReserveResult(reserved=True, allocations=_allocations(wanted))


def _outstanding(connection: Connection, reservation_key: str, warehouse_id: str | None) -> Held:
    """What the reservation still holds: reserved minus released minus shipped."""
    signed = case((LEDGER.c.kind == "reserve", LEDGER.c.quantity), else_=-LEDGER.c.quantity)
    query = (
        select(LEDGER.c.sku, LEDGER.c.warehouse_id, func.sum(signed))
        .where(LEDGER.c.reservation_key == reservation_key)
        .where(LEDGER.c.kind.in_(("reserve", "release", "ship")))
        .group_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
        .order_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
    )
    if warehouse_id is not None:
        query = query.where(LEDGER.c.warehouse_id == warehouse_id)
    return {(s, w): int(q) for s, w, q in connection.execute(query) if q and q > 0}


def take_out(
    engine: Engine,
    *,
    kind: str,
    order_id: str,
    idempotency_key: str,
    reservation_key: str,
    warehouse_id: str | None = None,
) -> list[Allocation]:
    """Release (kind="release") or ship (kind="ship") what a reservation still holds.

    Shipping also takes the units out of on_hand. Only `warehouse_id`'s lines when given.
    A retry under the same key returns what the first attempt took out.
    """
    if kind not in ("release", "ship"):
        raise ValueError(f"kind must be release or ship, not {kind!r}")
    try:
        with engine.begin() as connection:
            # Lock the reservation's rows first (PostgreSQL; SQLite already holds the write
            # lock) so steps on one reservation run one at a time, each seeing the last.
            connection.execute(
                select(LEDGER.c.id)
                .where(LEDGER.c.idempotency_key == reservation_key, LEDGER.c.kind == "reserve")
                .with_for_update()
            ).all()
            if done := step_rows(connection, idempotency_key):
                return _as_allocations(done)
            held = _outstanding(connection, reservation_key, warehouse_id)
            for (sku, wh), quantity in held.items():  # in (sku, warehouse) order
                changes = {"reserved": STOCK.c.reserved - quantity}
                if kind == "ship":
                    changes["on_hand"] = STOCK.c.on_hand - quantity
                changed = connection.execute(
                    update(STOCK)
                    .where(STOCK.c.sku == sku, STOCK.c.warehouse_id == wh)
                    .where(STOCK.c.reserved >= quantity, STOCK.c.on_hand >= quantity)
                    .values(**changes)
                ).rowcount
                if changed != 1:  # the counters disagree with the ledger: never go negative
                    raise RuntimeError(f"stock {sku}@{wh} cannot {kind} {quantity}")
            if not append_step(
                connection,
                kind,
                held,
                order_id=order_id,
                idempotency_key=idempotency_key,
                reservation_key=reservation_key,
            ):
                raise _Replayed
            return _allocations(held)
    except _Replayed:
        return _recorded(engine, idempotency_key)


def release(
    engine: Engine, *, order_id: str, idempotency_key: str, reservation_key: str
) -> list[Allocation]:
    """Give back everything the reservation still holds; returns what was released."""
    return take_out(
        engine,
        kind="release",
        order_id=order_id,
        idempotency_key=idempotency_key,
        reservation_key=reservation_key,
    )


def ship(
    engine: Engine, *, order_id: str, idempotency_key: str, reservation_key: str, warehouse_id: str
) -> list[Allocation]:
    """Take one warehouse's parcel out of stock (reserved and on_hand); returns what left."""
    return take_out(
        engine,
        kind="ship",
        order_id=order_id,
        idempotency_key=idempotency_key,
        reservation_key=reservation_key,
        warehouse_id=warehouse_id,
    )


class StockActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="reserve_stock")
    def reserve_stock(self, data: ReserveInput) -> ReserveResult:
        result = reserve(
            self._engine,
            order_id=data.order_id,
            idempotency_key=data.idempotency_key,
            allocations=data.allocations,
        )
        outcome = "reserved" if result.reserved else "short"
        log.info(
            "reserve_stock", order_id=data.order_id, outcome=outcome, short_skus=result.short_skus
        )
        return result

    @activity.defn(name="release_stock")
    def release_stock(self, data: ReleaseInput) -> None:
        released = release(
            self._engine,
            order_id=data.order_id,
            idempotency_key=data.idempotency_key,
            reservation_key=data.reservation_key,
        )
        log.info(
            "release_stock",
            order_id=data.order_id,
            outcome="released" if released else "nothing_held",
        )

    @activity.defn(name="restock_return")
    def restock_return(self, data: RestockReturnInput) -> None:
        with self._engine.begin() as connection:
            added = [
                receive_in(
                    connection,
                    sku=line.sku,
                    warehouse_id=data.warehouse_id,
                    quantity=line.quantity,
                    idempotency_key=f"{data.idempotency_key}:{line.sku}",
                )
                for line in data.lines
            ]
        log.info(
            "restock_return",
            order_id=data.order_id,
            warehouse_id=data.warehouse_id,
            outcome="restocked" if any(added) else "already_restocked",
        )

    @activity.defn(name="ship_stock")
    def ship_stock(self, data: ShipStockInput) -> None:
        shipped = ship(
            self._engine,
            order_id=data.order_id,
            idempotency_key=data.idempotency_key,
            reservation_key=data.reservation_key,
            warehouse_id=data.warehouse_id,
        )
        log.info(
            "ship_stock",
            order_id=data.order_id,
            warehouse_id=data.warehouse_id,
            outcome="shipped" if shipped else "nothing_held",
        )
