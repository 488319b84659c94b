from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, delete, func, select, update
from temporalio.testing import ActivityEnvironment

from activities.catalog import CatalogActivities
from activities.ledger import (
    LedgerEntry,
    StockRefused,
    adjust,
    inbound,
    ledger_totals,
    list_inventory,
    rebuild_counters,
    stock_drift,
)
from activities.stock import StockActivities, release, reserve, ship
from activities.tables import Stock, StockLedger
from models.activity_io import ReleaseInput, ReserveInput, ShipStockInput, StockQuery
from models.view import Allocation


def _reserve(key: str, *lines: tuple[str, str, int]) -> ReserveInput:
    allocations = [Allocation(sku=s, warehouse_id=w, quantity=q) for s, w, q in lines]
    return ReserveInput(order_id=key.split(":")[0], idempotency_key=key, allocations=allocations)


def _level(engine: Engine, sku: str, warehouse_id: str) -> dict:
    return next(
        row for row in list_inventory(engine, sku=sku) if row["warehouse_id"] == warehouse_id
    )


def _ledger_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(StockLedger))


def test_a_retried_reservation_returns_the_same_result_without_reserving_again(
    seeded: Engine,
) -> None:
    stock = StockActivities(seeded)
    request = _reserve("SO-1:reserve:1", ("TEA", "WH-A", 3), ("TEA", "WH-B", 2))

    first = stock.reserve_stock(request)
    rows = _ledger_rows(seeded)
    again = stock.reserve_stock(request)

    assert first.reserved and again == first
    assert _ledger_rows(seeded) == rows
    assert _level(seeded, "TEA", "WH-A")["reserved"] == 3
    assert _level(seeded, "TEA", "WH-B")["reserved"] == 2


def test_a_reservation_with_one_short_line_reserves_nothing_at_all(seeded: Engine) -> None:
    stock = StockActivities(seeded)

    result = stock.reserve_stock(
        _reserve("SO-1:reserve:1", ("TEA", "WH-A", 2), ("MUG", "WH-A", 4), ("MUG", "WH-B", 1))
    )

    assert not result.reserved and result.short_skus == ["MUG"]
    assert all(row["reserved"] == 0 for row in list_inventory(seeded))
    assert stock_drift(seeded) == []


def test_lines_for_the_same_sku_and_warehouse_are_reserved_together(seeded: Engine) -> None:
    result = StockActivities(seeded).reserve_stock(
        _reserve("SO-1:reserve:1", ("MUG", "WH-A", 2), ("MUG", "WH-A", 1))
    )

    assert result.allocations == [Allocation(sku="MUG", warehouse_id="WH-A", quantity=3)]
    assert _level(seeded, "MUG", "WH-A")["available"] == 0


def test_release_gives_back_exactly_what_the_reservation_held_once(seeded: Engine) -> None:
    stock = StockActivities(seeded)
    stock.reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 3)))
    stock.reserve_stock(_reserve("SO-2:reserve:1", ("TEA", "WH-A", 4)))
    release = ReleaseInput(
        order_id="SO-1", idempotency_key="SO-1:release", reservation_key="SO-1:reserve:1"
    )

    stock.release_stock(release)
    stock.release_stock(release)
    stock.release_stock(release.model_copy(update={"idempotency_key": "SO-1:release:2"}))

    assert _level(seeded, "TEA", "WH-A")["reserved"] == 4  # SO-2's hold is untouched
    assert stock_drift(seeded) == []


def test_releasing_a_reservation_that_reserved_nothing_is_a_no_op(seeded: Engine) -> None:
    stock = StockActivities(seeded)
    stock.reserve_stock(_reserve("SO-1:reserve:1", ("MUG", "WH-A", 9)))  # short: nothing held

    stock.release_stock(
        ReleaseInput(
            order_id="SO-1", idempotency_key="SO-1:release", reservation_key="SO-1:reserve:1"
        )
    )

    assert all(row["reserved"] == 0 for row in list_inventory(seeded))
    assert _ledger_rows(seeded) == len(list_inventory(seeded))  # only the seed rows


def test_shipping_takes_the_warehouse_parcel_out_of_stock_once(seeded: Engine) -> None:
    stock = StockActivities(seeded)
    stock.reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 3), ("TEA", "WH-B", 2)))
    ship = ShipStockInput(
        order_id="SO-1",
        idempotency_key="SO-1:ship:WH-A",
        warehouse_id="WH-A",
        reservation_key="SO-1:reserve:1",
    )

    stock.ship_stock(ship)
    stock.ship_stock(ship)

    assert _level(seeded, "TEA", "WH-A") | {"safety_stock": 0} == {
        "sku": "TEA",
        "warehouse_id": "WH-A",
        "on_hand": 7,
        "reserved": 0,
        "available": 7,
        "safety_stock": 0,
    }
    assert _level(seeded, "TEA", "WH-B")["reserved"] == 2


def test_releasing_after_one_parcel_shipped_releases_only_the_rest(seeded: Engine) -> None:
    stock = StockActivities(seeded)
    stock.reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 3), ("TEA", "WH-B", 2)))
    stock.ship_stock(
        ShipStockInput(
            order_id="SO-1",
            idempotency_key="SO-1:ship:WH-A",
            warehouse_id="WH-A",
            reservation_key="SO-1:reserve:1",
        )
    )

    stock.release_stock(
        ReleaseInput(
            order_id="SO-1", idempotency_key="SO-1:release", reservation_key="SO-1:reserve:1"
        )
    )

    assert (_level(seeded, "TEA", "WH-A")["on_hand"], _level(seeded, "TEA", "WH-B")["on_hand"]) == (
        7,
        5,
    )
    assert all(row["reserved"] == 0 for row in list_inventory(seeded))
    assert stock_drift(seeded) == []


def test_a_hundred_concurrent_reservations_of_thirty_units_reserve_exactly_thirty(
    seeded: Engine,
) -> None:
    stock = StockActivities(seeded)

    def attempt(n: int) -> bool:
        return stock.reserve_stock(_reserve(f"SO-{n}:reserve:1", ("HOT", "WH-A", 1))).reserved

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(attempt, range(100)))

    assert results.count(True) == 30
    assert _level(seeded, "HOT", "WH-A")["available"] == 0
    assert ledger_totals(seeded, sku="HOT")[("HOT", "WH-A")] == {"on_hand": 30, "reserved": 30}
    assert stock_drift(seeded) == []


def test_stock_levels_list_every_warehouse_with_what_is_available(seeded: Engine) -> None:
    StockActivities(seeded).reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 4)))

    snapshot = CatalogActivities(seeded).get_stock_levels(StockQuery(skus=["TEA", "MUG"]))

    by_id = {w.warehouse_id: w for w in snapshot.warehouses}
    assert by_id["WH-A"].available == {"TEA": 6, "MUG": 3}
    assert by_id["WH-B"].available == {"TEA": 5, "MUG": 0}
    assert (by_id["WH-B"].lat, by_id["WH-B"].lon) == (39.9, 116.4)


def test_reserve_stock_runs_inside_a_temporal_activity_context(seeded: Engine) -> None:
    result = ActivityEnvironment().run(
        StockActivities(seeded).reserve_stock, _reserve("SO-9:reserve:1", ("TEA", "WH-B", 5))
    )

    assert result.reserved and _level(seeded, "TEA", "WH-B")["available"] == 0


# ---- receipts, cycle counts and reconciliation


def _ledger(engine: Engine, key: str) -> list[tuple[str, str, str, int]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    StockLedger.kind,
                    StockLedger.sku,
                    StockLedger.warehouse_id,
                    StockLedger.quantity,
                )
                .where(StockLedger.idempotency_key == key)
                .order_by(StockLedger.id)
            )
        ]


def test_inbound_creates_the_stock_row_and_a_retry_returns_the_same_entry(seeded: Engine) -> None:
    first = inbound(seeded, sku="MUG", warehouse_id="WH-B", quantity=7, idempotency_key="asn-1")
    again = inbound(seeded, sku="MUG", warehouse_id="WH-B", quantity=7, idempotency_key="asn-1")

    assert first == again == LedgerEntry("inbound", "MUG", "WH-B", 7, "asn-1")
    assert _level(seeded, "MUG", "WH-B")["on_hand"] == 7
    assert _ledger(seeded, "asn-1") == [("inbound", "MUG", "WH-B", 7)]
    assert stock_drift(seeded) == []


def test_a_key_used_for_one_step_cannot_be_reused_for_another(seeded: Engine) -> None:
    inbound(seeded, sku="MUG", warehouse_id="WH-A", quantity=1, idempotency_key="evt-1")

    with pytest.raises(ValueError, match="evt-1.*another step"):
        adjust(seeded, sku="MUG", warehouse_id="WH-A", delta=-1, idempotency_key="evt-1")
    assert _level(seeded, "MUG", "WH-A")["on_hand"] == 4


def test_a_cycle_count_sets_on_hand_and_records_the_difference_once(seeded: Engine) -> None:
    StockActivities(seeded).reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 4)))

    first = adjust(seeded, sku="TEA", warehouse_id="WH-A", counted=6, idempotency_key="count-1")
    inbound(seeded, sku="TEA", warehouse_id="WH-A", quantity=5, idempotency_key="asn-1")
    again = adjust(seeded, sku="TEA", warehouse_id="WH-A", counted=6, idempotency_key="count-1")

    assert first == again == LedgerEntry("adjust", "TEA", "WH-A", -4, "count-1")
    assert _level(seeded, "TEA", "WH-A") | {"safety_stock": 0} == {
        "sku": "TEA",
        "warehouse_id": "WH-A",
        "on_hand": 11,
        "reserved": 4,
        "available": 7,
        "safety_stock": 0,
    }
    assert stock_drift(seeded) == []


def test_an_adjustment_by_a_delta_moves_on_hand_either_way(seeded: Engine) -> None:
    up = adjust(seeded, sku="MUG", warehouse_id="WH-A", delta=2, idempotency_key="found-1")
    down = adjust(seeded, sku="MUG", warehouse_id="WH-A", delta=-4, idempotency_key="broken-1")
    adjust(seeded, sku="MUG", warehouse_id="WH-A", delta=-4, idempotency_key="broken-1")

    assert (up.quantity, down.quantity) == (2, -4)
    assert _level(seeded, "MUG", "WH-A")["on_hand"] == 1
    assert stock_drift(seeded) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"counted": 3}, r"cannot adjust TEA@WH-A: on_hand would be 3, below the 4 reserved"),
        ({"delta": -7}, r"cannot adjust TEA@WH-A: on_hand would be on_hand -7, below the 4"),
    ],
)
def test_an_adjustment_below_what_is_reserved_is_refused_and_writes_nothing(
    seeded: Engine, change: dict, message: str
) -> None:
    StockActivities(seeded).reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 4)))
    rows = _ledger_rows(seeded)

    with pytest.raises(StockRefused, match=message):
        adjust(seeded, sku="TEA", warehouse_id="WH-A", idempotency_key="count-1", **change)

    assert (_level(seeded, "TEA", "WH-A")["on_hand"], _ledger_rows(seeded)) == (10, rows)
    # Refused means nothing was recorded: the same count may go through once stock allows.
    StockActivities(seeded).release_stock(
        ReleaseInput(order_id="SO-1", idempotency_key="SO-1:rel", reservation_key="SO-1:reserve:1")
    )
    adjust(seeded, sku="TEA", warehouse_id="WH-A", idempotency_key="count-1", **change)
    assert _level(seeded, "TEA", "WH-A")["on_hand"] == 3
    assert stock_drift(seeded) == []


def test_a_count_may_find_stock_where_there_was_no_row(seeded: Engine) -> None:
    entry = adjust(seeded, sku="HOT", warehouse_id="WH-B", counted=2, idempotency_key="count-9")

    assert entry.quantity == 2 and _level(seeded, "HOT", "WH-B")["on_hand"] == 2
    with pytest.raises(StockRefused):
        adjust(seeded, sku="MUG", warehouse_id="WH-B", delta=-1, idempotency_key="count-10")
    assert [row["warehouse_id"] for row in list_inventory(seeded, sku="MUG")] == ["WH-A"]


def test_adjust_takes_exactly_one_of_counted_or_delta(seeded: Engine) -> None:
    for change in ({}, {"counted": 1, "delta": 1}, {"counted": -1}):
        with pytest.raises(ValueError):
            adjust(seeded, sku="TEA", warehouse_id="WH-A", idempotency_key="k", **change)


def test_release_and_ship_return_what_they_took_out_and_the_same_on_a_retry(
    seeded: Engine,
) -> None:
    reserve(
        seeded,
        order_id="SO-1",
        idempotency_key="R",
        allocations=[Allocation(sku="TEA", warehouse_id=w, quantity=2) for w in ("WH-A", "WH-B")],
    )
    shipped = [
        ship(seeded, order_id="SO-1", idempotency_key="S", reservation_key="R", warehouse_id="WH-B")
        for _ in range(2)
    ]
    released = [
        release(seeded, order_id="SO-1", idempotency_key="X", reservation_key="R") for _ in range(2)
    ]

    assert shipped == [[Allocation(sku="TEA", warehouse_id="WH-B", quantity=2)]] * 2
    assert released == [[Allocation(sku="TEA", warehouse_id="WH-A", quantity=2)]] * 2
    assert release(seeded, order_id="SO-1", idempotency_key="X2", reservation_key="R") == []
    assert [(r["on_hand"], r["reserved"]) for r in list_inventory(seeded, sku="TEA")] == [
        (10, 0),
        (3, 0),
    ]


def test_drift_is_reported_and_rebuild_counters_puts_the_ledger_back_in_charge(
    seeded: Engine,
) -> None:
    StockActivities(seeded).reserve_stock(_reserve("SO-1:reserve:1", ("TEA", "WH-A", 4)))
    with seeded.begin() as connection:  # a bug or a hand edit behind the ledger's back
        connection.execute(
            update(Stock).where(Stock.sku == "TEA", Stock.warehouse_id == "WH-A").values(reserved=0)
        )
        connection.execute(delete(Stock).where(Stock.sku == "MUG"))

    drift = stock_drift(seeded)
    repaired = rebuild_counters(seeded)

    assert [(d["sku"], d["on_hand"], d["reserved"]) for d in drift] == [
        ("MUG", None, None),
        ("TEA", 10, 0),
    ]
    assert [(d["ledger_on_hand"], d["ledger_reserved"]) for d in drift] == [(3, 0), (10, 4)]
    assert repaired == drift
    assert stock_drift(seeded) == [] and rebuild_counters(seeded) == []
    assert (
        _level(seeded, "TEA", "WH-A")["reserved"],
        _level(seeded, "MUG", "WH-A")["on_hand"],
    ) == (
        4,
        3,
    )
