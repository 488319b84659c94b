"""Top and slow SKUs and days of cover per SKU and warehouse."""

from __future__ import annotations

from models.analytics_stock import SkuDemand, StockRecord, days_of_cover, slow_skus, top_skus

STOCK = [
    StockRecord(sku="TEA", warehouse_id="WH-A", on_hand=100, reserved=10, lead_time_days=5),
    StockRecord(sku="TEA", warehouse_id="WH-B", on_hand=20),
    StockRecord(sku="MUG", warehouse_id="WH-A", on_hand=50, on_order=30),
    StockRecord(sku="PEN", warehouse_id="WH-A", on_hand=400),
    StockRecord(sku="OLD", warehouse_id="WH-A", on_hand=0),
]
DEMAND = [
    SkuDemand(sku="TEA", warehouse_id="WH-A", units=30),
    SkuDemand(sku="TEA", warehouse_id="WH-B", units=10),
    SkuDemand(sku="MUG", warehouse_id="WH-A", units=5),
    SkuDemand(sku="CUP", warehouse_id="WH-B", units=60),  # sold out: no stock row any more
]


def test_top_skus_add_up_every_warehouse_most_units_first() -> None:
    found = top_skus(DEMAND, days=10, n=3)

    assert [(s.sku, s.units, s.per_day) for s in found] == [
        ("CUP", 60, 6.0),
        ("TEA", 40, 4.0),
        ("MUG", 5, 0.5),
    ]


def test_slow_skus_are_stocked_ones_that_sold_least_biggest_stock_first() -> None:
    found = slow_skus(STOCK, DEMAND, days=10)

    # PEN sold nothing and has the most; OLD has nothing on hand, so it is not "slow".
    assert [(s.sku, s.units, s.on_hand) for s in found] == [
        ("PEN", 0, 400),
        ("MUG", 5, 50),
        ("TEA", 40, 120),
    ]


def test_days_of_cover_is_available_stock_over_daily_demand() -> None:
    found = {(c.sku, c.warehouse_id): c for c in days_of_cover(STOCK, DEMAND, days=10)}

    tea = found[("TEA", "WH-A")]
    assert (tea.available, tea.daily_demand, tea.days_of_cover, tea.lead_time_days) == (
        90,
        3.0,
        30.0,
        5,
    )
    assert found[("TEA", "WH-B")].days_of_cover == 20.0
    assert found[("MUG", "WH-A")].days_of_cover == 100.0 and found[("MUG", "WH-A")].on_order == 30
    assert found[("PEN", "WH-A")].days_of_cover is None  # nothing moved: no finite cover
    assert ("CUP", "WH-B") not in found  # demand without a stock row has no cover to give


def test_oversold_stock_has_zero_cover_not_negative() -> None:
    (row,) = days_of_cover(
        [StockRecord(sku="X", warehouse_id="W", on_hand=2, reserved=5)],
        [SkuDemand(sku="X", warehouse_id="W", units=4)],
        days=2,
    )

    assert row.available == -3 and row.days_of_cover == 0.0
