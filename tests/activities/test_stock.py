from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select
from temporalio.testing import ActivityEnvironment

from activities.catalog import CatalogActivities
from activities.ledger import ledger_totals, list_inventory, stock_drift
from activities.stock import StockActivities
from activities.tables import StockLedger
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
