"""Sourcing: nearest warehouse with everything, else split by line, else short."""

from __future__ import annotations

import pytest

from models.activity_io import StockSnapshot, WarehouseStock
from models.order import Address
from models.sourcing import SourcingPlan, haversine_km, plan_sourcing
from models.view import Allocation, LineView

# Real sites, so "nearest" means what a reader expects: Shanghai < Hangzhou < Beijing.
SITES = {"WH-SH": (31.23, 121.47), "WH-HZ": (30.27, 120.15), "WH-BJ": (39.90, 116.40)}


def _address(lat: float | None = 31.23, lon: float | None = 121.50) -> Address:
    return Address(
        recipient="Li Lei",
        phone="+86 138 0000 0000",
        country="CN",
        province="Shanghai",
        city="Shanghai",
        street="1 Century Ave",
        postal_code="200120",
        lat=lat,
        lon=lon,
    )


def _stock(**available: dict[str, int]) -> StockSnapshot:
    """`_stock(WH_SH={"A": 3})`: underscores stand for the dashes of warehouse ids."""
    warehouses = []
    for key, skus in available.items():
        warehouse_id = key.replace("_", "-")
        lat, lon = SITES[warehouse_id]
        warehouses.append(
            WarehouseStock(warehouse_id=warehouse_id, lat=lat, lon=lon, available=skus)
        )
    return StockSnapshot(warehouses=warehouses)


def _lines(**quantities: int) -> list[LineView]:
    return [LineView(sku=sku, quantity=qty) for sku, qty in quantities.items()]


def _picked(plan: SourcingPlan) -> list[tuple[str, str, int]]:
    return [(a.warehouse_id, a.sku, a.quantity) for a in plan.allocations]


def test_prefers_nearest_warehouse_with_full_stock() -> None:
    snapshot = _stock(WH_BJ={"A": 9, "B": 9}, WH_SH={"A": 2, "B": 1}, WH_HZ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=2, B=1), snapshot, _address())
    assert _picked(plan) == [("WH-SH", "A", 2), ("WH-SH", "B", 1)]
    assert plan.warehouses == ["WH-SH"]
    assert plan.fulfillable
    assert plan.explanation == "WH-SH has every line, 3 km"


def test_passes_over_a_nearer_warehouse_missing_a_line() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9, "B": 9}, WH_BJ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=2, B=1), snapshot, _address())
    assert _picked(plan) == [("WH-HZ", "A", 2), ("WH-HZ", "B", 1)]


def test_one_parcel_beats_a_nearer_split() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"B": 9}, WH_BJ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=1, B=1), snapshot, _address())
    assert plan.warehouses == ["WH-BJ"]


def test_splits_by_line_when_no_warehouse_has_everything() -> None:
    snapshot = _stock(WH_SH={"A": 9, "B": 1}, WH_HZ={"B": 9}, WH_BJ={"B": 9, "C": 9})
    plan = plan_sourcing(_lines(A=2, B=3, C=1), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "C", 1), ("WH-HZ", "B", 3), ("WH-SH", "A", 2)]
    assert plan.warehouses == ["WH-BJ", "WH-HZ", "WH-SH"]
    assert plan.fulfillable
    assert plan.explanation.startswith("no warehouse has every line; split by line across ")


def test_splits_one_line_across_warehouses_nearest_first() -> None:
    snapshot = _stock(WH_BJ={"A": 5}, WH_HZ={"A": 3}, WH_SH={"A": 6})
    plan = plan_sourcing(_lines(A=10), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "A", 1), ("WH-HZ", "A", 3), ("WH-SH", "A", 6)]
    assert "A split across warehouses" in plan.explanation


def test_short_line_leaves_the_whole_order_unallocated() -> None:
    snapshot = _stock(WH_SH={"A": 5, "B": 9}, WH_BJ={"A": 3})
    plan = plan_sourcing(_lines(B=1, A=10), snapshot, _address())
    assert not plan.fulfillable
    assert plan.short_skus == ["A"]
    assert plan.allocations == []
    assert plan.warehouses == []
    assert plan.explanation == "short of A (need 10, network has 8)"


def test_sku_no_warehouse_lists_is_short() -> None:
    plan = plan_sourcing(_lines(A=1, Z=1), _stock(WH_SH={"A": 9}), _address())
    assert plan.short_skus == ["Z"]


def test_over_reserved_stock_counts_as_none() -> None:
    snapshot = _stock(WH_SH={"A": -4}, WH_HZ={"A": 3}, WH_BJ={"A": 2})
    plan = plan_sourcing(_lines(A=5), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "A", 2), ("WH-HZ", "A", 3)]


def test_without_coordinates_distances_tie_and_warehouse_id_decides() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9}, WH_BJ={"A": 9})
    plan = plan_sourcing(_lines(A=1), snapshot, _address(lat=None, lon=None))
    assert plan.warehouses == ["WH-BJ"]
    assert plan.explanation == "WH-BJ has every line, no destination coordinates"


def test_warehouses_at_the_same_distance_tie_by_id() -> None:
    twins = StockSnapshot(
        warehouses=[
            WarehouseStock(warehouse_id=wid, lat=31.23, lon=121.47, available={"A": 9})
            for wid in ("WH-SH-2", "WH-SH-1")
        ]
    )
    assert plan_sourcing(_lines(A=1), twins, _address()).warehouses == ["WH-SH-1"]


@pytest.mark.parametrize("rotation", [0, 1, 2])
def test_plan_is_the_same_whatever_order_stock_and_lines_arrive_in(rotation: int) -> None:
    warehouses = [
        WarehouseStock(warehouse_id="WH-SH", lat=31.23, lon=121.47, available={"A": 4, "B": 1}),
        WarehouseStock(warehouse_id="WH-HZ", lat=30.27, lon=120.15, available={"A": 4, "C": 2}),
        WarehouseStock(warehouse_id="WH-BJ", lat=39.90, lon=116.40, available={"A": 4, "B": 5}),
    ]
    lines = _lines(A=10, B=3, C=2)
    rotated = StockSnapshot(warehouses=warehouses[rotation:] + warehouses[:rotation])
    plan = plan_sourcing(lines[rotation:] + lines[:rotation], rotated, _address())
    assert plan.allocations == [
        Allocation(sku="A", warehouse_id="WH-BJ", quantity=2),
        Allocation(sku="B", warehouse_id="WH-BJ", quantity=3),
        Allocation(sku="A", warehouse_id="WH-HZ", quantity=4),
        Allocation(sku="C", warehouse_id="WH-HZ", quantity=2),
        Allocation(sku="A", warehouse_id="WH-SH", quantity=4),
    ]


def test_haversine_measures_great_circle_kilometres() -> None:
    shanghai, beijing = SITES["WH-SH"], SITES["WH-BJ"]
    assert haversine_km(*shanghai, *beijing) == pytest.approx(1068, abs=5)
    assert haversine_km(*beijing, *shanghai) == pytest.approx(haversine_km(*shanghai, *beijing))
    assert haversine_km(*shanghai, *shanghai) == 0
