"""Stock steps racing on real threads and connections: no oversell, no double apply, no drift.

Runs on SQLite (BEGIN IMMEDIATE serialises writers) and, when OMS_TEST_POSTGRES_URL is
set, on PostgreSQL (row locks and READ COMMITTED re-checks of the conditional updates).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from activities.ledger import (
    LedgerEntry,
    StockRefused,
    adjust,
    inbound,
    ledger_totals,
    list_inventory,
    stock_drift,
)
from activities.stock import release, reserve, ship
from activities.tables import StockLedger
from models.activity_io import ReserveResult
from models.view import Allocation


def _together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) on `count` threads released at the same instant."""
    start = threading.Barrier(count)

    def run(n: int) -> Any:
        start.wait()
        return work(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _counters(engine: Engine) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (str(r["sku"]), str(r["warehouse_id"])): (int(str(r["on_hand"])), int(str(r["reserved"])))
        for r in list_inventory(engine)
    }


def _ledger_rows(engine: Engine, **where: str) -> int:
    query = select(func.count()).select_from(StockLedger)
    for column, value in where.items():
        query = query.where(getattr(StockLedger, column) == value)
    with engine.connect() as connection:
        return int(connection.scalar(query) or 0)


def test_two_hundred_concurrent_reservations_of_fifty_units_reserve_exactly_fifty(
    engine: Engine,
) -> None:
    inbound(engine, sku="FLASH", warehouse_id="WH-A", quantity=50, idempotency_key="asn-1")
    line = [Allocation(sku="FLASH", warehouse_id="WH-A", quantity=1)]

    def buy(n: int) -> tuple[ReserveResult, ReserveResult]:
        key = f"SO-{n}:reserve:1"
        first = reserve(engine, order_id=f"SO-{n}", idempotency_key=key, allocations=line)
        return first, reserve(engine, order_id=f"SO-{n}", idempotency_key=key, allocations=line)

    began = time.perf_counter()
    results = _together(200, buy)
    elapsed = time.perf_counter() - began

    assert sum(first.reserved for first, _ in results) == 50
    assert all(first == again for first, again in results)  # a retry answers the same
    assert _counters(engine) == {("FLASH", "WH-A"): (50, 50)}
    assert _ledger_rows(engine, kind="reserve") == 50
    assert ledger_totals(engine) == {("FLASH", "WH-A"): {"on_hand": 50, "reserved": 50}}
    assert stock_drift(engine) == []
    assert elapsed < 60, f"200 reservations took {elapsed:.1f}s"


def _reserved(engine: Engine, key: str = "R") -> None:
    allocations = [Allocation(sku="TEA", warehouse_id=w, quantity=3) for w in ("WH-A", "WH-B")]
    assert reserve(engine, order_id="SO-1", idempotency_key=key, allocations=allocations).reserved


STEPS: dict[str, Callable[[Engine], Any]] = {
    "reserve": lambda e: reserve(
        e,
        order_id="SO-2",
        idempotency_key="K",
        allocations=[Allocation(sku="TEA", warehouse_id="WH-A", quantity=5)],
    ),
    "release": lambda e: release(e, order_id="SO-1", idempotency_key="K", reservation_key="R"),
    "ship": lambda e: ship(
        e, order_id="SO-1", idempotency_key="K", reservation_key="R", warehouse_id="WH-B"
    ),
    "inbound": lambda e: inbound(
        e, sku="TEA", warehouse_id="WH-A", quantity=4, idempotency_key="K"
    ),
    "adjust by": lambda e: adjust(e, sku="TEA", warehouse_id="WH-A", delta=-4, idempotency_key="K"),
    "adjust to": lambda e: adjust(
        e, sku="TEA", warehouse_id="WH-A", counted=5, idempotency_key="K"
    ),
}
AFTER_ONE = {  # (on_hand, reserved) of TEA at WH-A and WH-B after the step applied once
    "reserve": {("TEA", "WH-A"): (8, 8), ("TEA", "WH-B"): (8, 3)},
    "release": {("TEA", "WH-A"): (8, 0), ("TEA", "WH-B"): (8, 0)},
    "ship": {("TEA", "WH-A"): (8, 3), ("TEA", "WH-B"): (5, 0)},
    "inbound": {("TEA", "WH-A"): (12, 3), ("TEA", "WH-B"): (8, 3)},
    "adjust by": {("TEA", "WH-A"): (4, 3), ("TEA", "WH-B"): (8, 3)},
    "adjust to": {("TEA", "WH-A"): (5, 3), ("TEA", "WH-B"): (8, 3)},
}


@pytest.mark.parametrize("step", list(STEPS))
def test_the_same_step_sent_sixteen_times_at_once_applies_once(engine: Engine, step: str) -> None:
    for warehouse_id in ("WH-A", "WH-B"):
        inbound(
            engine, sku="TEA", warehouse_id=warehouse_id, quantity=8, idempotency_key=warehouse_id
        )
    _reserved(engine)

    answers = _together(16, lambda _: STEPS[step](engine))

    assert all(answer == answers[0] for answer in answers)
    assert answers[0] not in ([], None) and getattr(answers[0], "reserved", True)
    assert _counters(engine) == AFTER_ONE[step]
    assert stock_drift(engine) == []


def test_mixed_steps_racing_keep_counters_equal_to_the_ledger_at_every_moment(
    engine: Engine,
) -> None:
    cells = [(s, w) for s in ("S1", "S2") for w in ("W1", "W2")]
    for sku, warehouse_id in cells:
        inbound(
            engine,
            sku=sku,
            warehouse_id=warehouse_id,
            quantity=20,
            idempotency_key=sku + warehouse_id,
        )
    done = threading.Event()
    checks: list[list[dict[str, object]]] = []

    def reconcile() -> None:  # a reconciler reading while the steps run: never any drift
        while not done.is_set():
            checks.append(stock_drift(engine))

    def shopper(n: int) -> Counter[str]:
        rng, moved = random.Random(n), Counter[str]()
        mine: list[str] = []
        for i in range(25):
            key, op = (
                f"T{n}-{i}",
                rng.choice(["reserve", "reserve", "release", "ship", "inbound", "adjust"]),
            )
            sku, warehouse_id = rng.choice(cells)
            if op == "reserve":
                lines = [
                    Allocation(sku=s, warehouse_id=w, quantity=rng.randint(1, 3))
                    for s, w in rng.sample(cells, rng.randint(1, 2))
                ]
                result = reserve(engine, order_id=key, idempotency_key=key, allocations=lines)
                if result.reserved:
                    mine.append(key)
                    moved["reserved"] += sum(a.quantity for a in result.allocations)
                    assert (
                        reserve(engine, order_id=key, idempotency_key=key, allocations=lines)
                        == result
                    )
            elif op in ("release", "ship") and mine:
                held = mine.pop(rng.randrange(len(mine)))
                if op == "release":
                    taken = release(
                        engine, order_id=held, idempotency_key=key, reservation_key=held
                    )
                else:
                    taken = ship(
                        engine,
                        order_id=held,
                        idempotency_key=key,
                        reservation_key=held,
                        warehouse_id=warehouse_id,
                    )
                    mine.append(held)  # whatever is left at the other warehouse stays held
                moved[op] += sum(a.quantity for a in taken)
            elif op == "inbound":
                entry = inbound(
                    engine,
                    sku=sku,
                    warehouse_id=warehouse_id,
                    quantity=rng.randint(1, 5),
                    idempotency_key=key,
                )
                moved["inbound"] += entry.quantity
            elif op == "adjust":
                try:
                    entry = adjust(
                        engine,
                        sku=sku,
                        warehouse_id=warehouse_id,
                        delta=rng.randint(-6, 3),
                        idempotency_key=key,
                    )
                except StockRefused:
                    continue
                assert isinstance(entry, LedgerEntry)
                moved["adjust"] += entry.quantity
        return moved

    reconciler = threading.Thread(target=reconcile)
    reconciler.start()
    try:
        totals = Counter[str]()
        for moved in _together(16, shopper):
            totals.update(moved)  # update, not +: adjustments may sum to less than zero
    finally:
        done.set()
        reconciler.join()

    counters = _counters(engine)
    assert all(reserved >= 0 and on_hand >= reserved for on_hand, reserved in counters.values())
    on_hand = sum(h for h, _ in counters.values())
    reserved = sum(r for _, r in counters.values())
    assert on_hand == 80 + totals["inbound"] + totals["adjust"] - totals["ship"]
    assert reserved == totals["reserved"] - totals["release"] - totals["ship"]
    assert stock_drift(engine) == []
    assert checks and all(check == [] for check in checks)
    assert totals["reserved"] and totals["release"] and totals["ship"]  # the race was real


def test_releases_and_shipments_of_one_reservation_racing_take_it_out_once(
    engine: Engine,
) -> None:
    for warehouse_id in ("WH-A", "WH-B"):
        inbound(
            engine, sku="TEA", warehouse_id=warehouse_id, quantity=8, idempotency_key=warehouse_id
        )
    _reserved(engine)

    def take_out(n: int) -> list[Allocation]:
        if n % 2:
            return release(engine, order_id="SO-1", idempotency_key=f"rel-{n}", reservation_key="R")
        warehouse_id = "WH-A" if n % 4 else "WH-B"
        return ship(
            engine,
            order_id="SO-1",
            idempotency_key=f"ship-{n}",
            reservation_key="R",
            warehouse_id=warehouse_id,
        )

    taken = [a for answer in _together(16, take_out) for a in answer]

    assert sorted((a.warehouse_id, a.quantity) for a in taken) == [("WH-A", 3), ("WH-B", 3)]
    assert all(reserved == 0 for _, reserved in _counters(engine).values())
    assert stock_drift(engine) == []
