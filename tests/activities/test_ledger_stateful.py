"""Random sequences of reserve, release, ship, inbound and adjust against a simple model.

After every step: available and reserved are never negative, the counters equal the
ledger and the model, and the ledger holds exactly the rows the model expects, so a
retried step (same key, same arguments) never applies twice and answers as it did.
Runs on SQLite, and on PostgreSQL when OMS_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, delete, func, select

from activities.ledger import LedgerEntry, StockRefused, adjust, inbound, stock_drift
from activities.stock import release, reserve, ship
from activities.tables import Stock, StockLedger
from models.activity_io import ReserveResult
from models.view import Allocation

Cell = tuple[str, str]  # (sku, warehouse_id)
SKUS, WAREHOUSES = ["S1", "S2"], ["W1", "W2"]
CELLS = st.tuples(st.sampled_from(SKUS), st.sampled_from(WAREHOUSES))


class StockMachine(RuleBasedStateMachine):
    reservations = Bundle("reservations")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        with engine.begin() as connection:
            connection.execute(delete(StockLedger))
            connection.execute(delete(Stock))
        self.on_hand: dict[Cell, int] = {}  # the cells that have a stock row
        self.reserved: dict[Cell, int] = defaultdict(int)
        self.holds: dict[str, dict[Cell, int]] = {}  # reservation key -> what it still holds
        self.rows = 0  # ledger rows the model expects
        # Steps that applied, by kind, to retry: (the call, its first answer).
        self.applied: dict[str, list[tuple[Callable[[], object], object]]] = defaultdict(list)
        self.steps = 0

    def _key(self, kind: str) -> str:
        self.steps += 1
        return f"{kind}-{self.steps}"

    def _applied(self, kind: str, call: Callable[[], object], expected: object, rows: int) -> None:
        assert call() == expected
        self.rows += rows
        self.applied[kind].append((call, expected))

    def _available(self, cell: Cell) -> int:
        return self.on_hand.get(cell, 0) - self.reserved[cell]

    # ---- steps

    @initialize(quantities=st.lists(st.integers(0, 12), min_size=4, max_size=4))
    def opening_stock(self, quantities: list[int]) -> None:
        for cell, quantity in zip(
            [(s, w) for s in SKUS for w in WAREHOUSES], quantities, strict=True
        ):
            self._receive(cell, quantity)

    @rule(cell=CELLS, quantity=st.integers(0, 12))
    def receive(self, cell: Cell, quantity: int) -> None:
        self._receive(cell, quantity)

    def _receive(self, cell: Cell, quantity: int) -> None:
        key = self._key("inbound")
        sku, warehouse_id = cell

        def call() -> object:
            return inbound(
                self.engine,
                sku=sku,
                warehouse_id=warehouse_id,
                quantity=quantity,
                idempotency_key=key,
            )

        self._applied(
            "inbound", call, LedgerEntry("inbound", sku, warehouse_id, quantity, key), rows=1
        )
        self.on_hand[cell] = self.on_hand.get(cell, 0) + quantity

    @rule(cell=CELLS, delta=st.integers(-6, 6), counted=st.none() | st.integers(0, 15))
    def count(self, cell: Cell, delta: int, counted: int | None) -> None:
        key = self._key("adjust")
        sku, warehouse_id = cell
        change = {"delta": delta} if counted is None else {"counted": counted}
        new = self.on_hand.get(cell, 0) + delta if counted is None else counted

        def call() -> object:
            return adjust(
                self.engine, sku=sku, warehouse_id=warehouse_id, idempotency_key=key, **change
            )

        if new < self.reserved[cell]:
            with pytest.raises(StockRefused):
                call()
            return
        expected = LedgerEntry("adjust", sku, warehouse_id, new - self.on_hand.get(cell, 0), key)
        self._applied("adjust", call, expected, rows=1)
        self.on_hand[cell] = new

    @rule(
        target=reservations,
        lines=st.lists(st.tuples(CELLS, st.integers(1, 4)), min_size=1, max_size=3),
    )
    def reserve(self, lines: list[tuple[Cell, int]]) -> str:
        key = self._key("reserve")
        wanted: dict[Cell, int] = defaultdict(int)
        for cell, quantity in lines:
            wanted[cell] += quantity
        allocations = [Allocation(sku=s, warehouse_id=w, quantity=q) for (s, w), q in lines]

        def call() -> object:
            return reserve(self.engine, order_id=key, idempotency_key=key, allocations=allocations)

        short: list[str] = []
        for cell in sorted(wanted):
            if (cell not in self.on_hand or self._available(cell) < wanted[cell]) and (
                cell[0] not in short
            ):
                short.append(cell[0])
        self.holds[key] = {}
        if short:  # refused: nothing recorded, a retry would look at the stock again
            assert call() == ReserveResult(reserved=False, short_skus=short)
            return key
        held = [Allocation(sku=s, warehouse_id=w, quantity=q) for (s, w), q in wanted.items()]
        self._applied(
            "reserve", call, ReserveResult(reserved=True, allocations=held), rows=len(wanted)
        )
        for cell, quantity in wanted.items():
            self.reserved[cell] += quantity
        self.holds[key] = dict(wanted)
        return key

    def _take_out(self, reservation: str, warehouse_id: str | None) -> None:
        kind = "release" if warehouse_id is None else "ship"
        key = self._key(kind)
        held = {
            cell: q
            for cell, q in sorted(self.holds[reservation].items())
            if warehouse_id in (None, cell[1])
        }

        def call() -> object:
            if warehouse_id is None:
                return release(
                    self.engine,
                    order_id=reservation,
                    idempotency_key=key,
                    reservation_key=reservation,
                )
            return ship(
                self.engine,
                order_id=reservation,
                idempotency_key=key,
                reservation_key=reservation,
                warehouse_id=warehouse_id,
            )

        expected = [Allocation(sku=s, warehouse_id=w, quantity=q) for (s, w), q in held.items()]
        self._applied(kind, call, expected, rows=len(held))
        for cell, quantity in held.items():
            self.reserved[cell] -= quantity
            if kind == "ship":
                self.on_hand[cell] -= quantity
            del self.holds[reservation][cell]

    @rule(reservation=reservations)
    def give_back(self, reservation: str) -> None:
        self._take_out(reservation, None)

    @rule(reservation=reservations, warehouse_id=st.sampled_from(WAREHOUSES))
    def send(self, reservation: str, warehouse_id: str) -> None:
        self._take_out(reservation, warehouse_id)

    @precondition(lambda self: self.applied)
    @rule(
        kind=st.sampled_from(["reserve", "release", "ship", "inbound", "adjust"]),
        pick=st.integers(0),
    )
    def retry(self, kind: str, pick: int) -> None:
        """The same step again (a lost reply, a redelivered event): same answer, no effect."""
        steps = self.applied.get(kind) or next(iter(self.applied.values()))
        call, expected = steps[pick % len(steps)]
        assert call() == expected  # and the invariants check that nothing moved

    # ---- invariants

    @invariant()
    def counters_match_the_model_and_the_ledger(self) -> None:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Stock.sku, Stock.warehouse_id, Stock.on_hand, Stock.reserved)
            ).all()
            ledger_rows = connection.scalar(select(func.count()).select_from(StockLedger))
        counters = {(s, w): (on_hand, reserved) for s, w, on_hand, reserved in rows}
        assert all(
            reserved >= 0 and on_hand - reserved >= 0 for on_hand, reserved in counters.values()
        )
        assert counters == {cell: (q, self.reserved[cell]) for cell, q in self.on_hand.items()}
        assert ledger_rows == self.rows
        assert stock_drift(self.engine) == []


def test_random_stock_steps_keep_every_invariant(engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: StockMachine(engine),
        settings=settings(max_examples=30, stateful_step_count=30, deadline=None),
    )
