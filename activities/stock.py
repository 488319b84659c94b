"""Reservations, releases and shipments: conditional updates plus ledger rows, one transaction.

Never read-then-write: a reservation is `UPDATE ... WHERE on_hand - reserved >= q`, and
the rowcount says whether it fit. Every step writes ledger rows under its idempotency
key (unique per SKU and warehouse), so a retried step finds its rows and does nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import structlog
from sqlalchemy import Connection, Engine, case, func, select, update
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from activities.db import reading
from activities.sqltypes import utcnow
from activities.tables import Stock, StockLedger
from models.activity_io import ReleaseInput, ReserveInput, ReserveResult, ShipStockInput
from models.view import Allocation

log = structlog.get_logger(__name__)
LEDGER = StockLedger.__table__
STOCK = Stock.__table__
Held = dict[tuple[str, str], int]  # (sku, warehouse_id) -> quantity


def _allocations(held: Held) -> list[Allocation]:
    return [Allocation(sku=s, warehouse_id=w, quantity=q) for (s, w), q in held.items()]


def _rows_under(connection: Connection, key: str) -> list[Allocation]:
    rows = connection.execute(
        select(LEDGER.c.sku, LEDGER.c.warehouse_id, LEDGER.c.quantity)
        .where(LEDGER.c.idempotency_key == key)
        .order_by(LEDGER.c.id)
    )
    return [Allocation(sku=s, warehouse_id=w, quantity=q) for s, w, q in rows]


def _write_ledger(connection: Connection, kind: str, held: Held, **keys: Any) -> None:
    at = utcnow()
    connection.execute(
        LEDGER.insert(),
        [
            {"kind": kind, "sku": s, "warehouse_id": w, "quantity": q, "at": at, **keys}
            for (s, w), q in held.items()
        ],
    )


def reserve(
    engine: Engine, *, order_id: str, idempotency_key: str, allocations: list[Allocation]
) -> ReserveResult:
    """All allocations or none. A retry under the same key returns the first success."""
    wanted: Held = defaultdict(int)
    for a in allocations:
        wanted[(a.sku, a.warehouse_id)] += a.quantity
    wanted = {k: q for k, q in wanted.items() if q > 0}
    try:
        with engine.begin() as connection:
            if done := _rows_under(connection, idempotency_key):
                return ReserveResult(reserved=True, allocations=done)
            short: list[str] = []
            # A fixed order: two orders locking the same rows on PostgreSQL never deadlock.
            for (sku, warehouse_id), quantity in sorted(wanted.items()):
                fits = connection.execute(
                    update(STOCK)
                    .where(STOCK.c.sku == sku, STOCK.c.warehouse_id == warehouse_id)
                    .where(STOCK.c.on_hand - STOCK.c.reserved >= quantity)
                    .values(reserved=STOCK.c.reserved + quantity)
                ).rowcount
                if fits != 1 and sku not in short:
                    short.append(sku)
            if short:
                connection.rollback()  # undo the lines that did fit
                return ReserveResult(reserved=False, short_skus=short)
            _write_ledger(
                connection,
                "reserve",
                wanted,
                order_id=order_id,
                idempotency_key=idempotency_key,
                reservation_key=idempotency_key,
            )
    except IntegrityError:
        # A concurrent attempt under the same key committed first: its result stands.
        with reading(engine) as connection:
            return ReserveResult(
                reserved=True, allocations=_rows_under(connection, idempotency_key)
            )
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
    """Release (kind="release") or ship (kind="ship") what a reservation still holds."""
    if kind not in ("release", "ship"):
        raise ValueError(f"kind must be release or ship, not {kind!r}")
    try:
        with engine.begin() as connection:
            # Lock the reservation's rows first (PostgreSQL; SQLite already holds the write
            # lock) so two steps on the same reservation cannot both count what it holds.
            connection.execute(
                select(LEDGER.c.id)
                .where(LEDGER.c.idempotency_key == reservation_key, LEDGER.c.kind == "reserve")
                .with_for_update()
            ).all()
            if done := _rows_under(connection, idempotency_key):
                return done
            held = _outstanding(connection, reservation_key, warehouse_id)
            for (sku, wh), quantity in held.items():
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
            if held:
                _write_ledger(
                    connection,
                    kind,
                    held,
                    order_id=order_id,
                    idempotency_key=idempotency_key,
                    reservation_key=reservation_key,
                )
            return _allocations(held)
    except IntegrityError:
        with reading(engine) as connection:
            return _rows_under(connection, idempotency_key)


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
        released = take_out(
            self._engine,
            kind="release",
            order_id=data.order_id,
            idempotency_key=data.idempotency_key,
            reservation_key=data.reservation_key,
        )
        log.info(
            "release_stock",
            order_id=data.order_id,
            outcome="released" if released else "nothing_held",
        )

    @activity.defn(name="ship_stock")
    def ship_stock(self, data: ShipStockInput) -> None:
        shipped = take_out(
            self._engine,
            kind="ship",
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
