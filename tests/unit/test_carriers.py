"""Carrier choice: fastest for expedited, cheapest for standard, fallback on failure."""

from __future__ import annotations

from decimal import Decimal

from models.activity_io import ProductFacts
from models.carriers import choose_carrier, shipment_weight, shipping_cost
from models.catalog import CarrierDoc
from models.view import Allocation


def _carrier(
    carrier_id: str,
    *,
    base: str = "10",
    per_kg: str = "2",
    days: int = 3,
    max_kg: float = 30,
    levels: tuple[str, ...] = ("standard", "expedited"),
) -> CarrierDoc:
    return CarrierDoc(
        carrier_id=carrier_id,
        name=carrier_id.title(),
        service_levels=list(levels),
        max_weight_kg=max_kg,
        base_cost=Decimal(base),
        cost_per_kg=Decimal(per_kg),
        transit_days=days,
    )


SF = _carrier("sf", base="20", per_kg="3", days=1)
YTO = _carrier("yto", base="6", per_kg="1", days=3)
ZTO = _carrier("zto", base="8", per_kg="1", days=2)
FREIGHT = _carrier("freight", base="40", per_kg="0.5", days=5, max_kg=500, levels=("standard",))
CARRIERS = [ZTO, FREIGHT, SF, YTO]


def _chosen(carrier: CarrierDoc | None) -> str | None:
    return carrier.carrier_id if carrier else None


def test_standard_picks_the_cheapest() -> None:
    assert _chosen(choose_carrier(CARRIERS, service_level="standard", weight_kg=2)) == "yto"


def test_expedited_picks_the_fastest_even_if_dearer() -> None:
    assert _chosen(choose_carrier(CARRIERS, service_level="expedited", weight_kg=2)) == "sf"


def test_expedited_speed_tie_goes_to_the_cheaper() -> None:
    dear = _carrier("ems", base="50", days=1)
    chosen = choose_carrier([dear, SF], service_level="expedited", weight_kg=2)
    assert _chosen(chosen) == "sf"


def test_cost_counts_weight_so_heavy_parcels_favour_a_low_rate_per_kg() -> None:
    light = _carrier("light", base="5", per_kg="3")
    bulk = _carrier("bulk", base="30", per_kg="1")
    # 1 kg: 8 against 31; 20 kg: 65 against 50.
    assert _chosen(choose_carrier([light, bulk], service_level="standard", weight_kg=1)) == "light"
    assert _chosen(choose_carrier([light, bulk], service_level="standard", weight_kg=20)) == "bulk"


def test_heavy_parcel_goes_to_the_carrier_that_can_carry_it() -> None:
    assert _chosen(choose_carrier(CARRIERS, service_level="standard", weight_kg=100)) == "freight"
    assert shipping_cost(FREIGHT, 100) == Decimal("90.0")


def test_standard_cost_tie_goes_to_the_faster_then_the_lower_id() -> None:
    slow, fast = _carrier("aaa", days=4), _carrier("zzz", days=2)
    assert _chosen(choose_carrier([slow, fast], service_level="standard", weight_kg=1)) == "zzz"
    twin = _carrier("bbb", days=2)
    assert _chosen(choose_carrier([fast, twin], service_level="standard", weight_kg=1)) == "bbb"


def test_excluded_carriers_fall_back_to_the_next_best() -> None:
    first = choose_carrier(CARRIERS, service_level="standard", weight_kg=2, exclude={"yto"})
    assert _chosen(first) == "zto"
    second = choose_carrier(CARRIERS, service_level="standard", weight_kg=2, exclude=["yto", "zto"])
    assert _chosen(second) == "sf"


def test_none_when_no_carrier_fits() -> None:
    assert choose_carrier(CARRIERS, service_level="expedited", weight_kg=100) is None
    assert choose_carrier(CARRIERS, service_level="same-day", weight_kg=1) is None
    assert choose_carrier([], service_level="standard", weight_kg=1) is None
    every_id = [c.carrier_id for c in CARRIERS]
    assert choose_carrier(CARRIERS, service_level="standard", weight_kg=1, exclude=every_id) is None


def test_a_carrier_may_take_exactly_its_weight_limit() -> None:
    assert _chosen(choose_carrier([SF], service_level="standard", weight_kg=30)) == "sf"


PRODUCTS = [
    ProductFacts(sku="TEA-001", weight_kg=0.3, volume_l=0.8),
    ProductFacts(sku="POT-001", weight_kg=1.2, volume_l=2.0),
]


def test_shipment_weight_sums_units_times_product_weight() -> None:
    allocations = [
        Allocation(sku="TEA-001", warehouse_id="WH-SH", quantity=3),
        Allocation(sku="POT-001", warehouse_id="WH-SH", quantity=2),
    ]
    assert shipment_weight(allocations, PRODUCTS) == 3.3


def test_shipment_weight_of_one_warehouses_parcel() -> None:
    allocations = [
        Allocation(sku="TEA-001", warehouse_id="WH-SH", quantity=3),
        Allocation(sku="POT-001", warehouse_id="WH-BJ", quantity=2),
    ]
    assert shipment_weight(allocations, PRODUCTS, warehouse_id="WH-BJ") == 2.4


def test_unknown_product_weighs_the_catalog_default() -> None:
    allocations = [Allocation(sku="MYSTERY", warehouse_id="WH-SH", quantity=2)]
    assert shipment_weight(allocations, PRODUCTS) == 1.0


def test_the_shipping_cost_is_money_in_cents() -> None:
    carrier = CarrierDoc(
        carrier_id="C", name="C", base_cost=Decimal("6.00"), cost_per_kg=Decimal("1.30")
    )
    # 6.00 + 1.30 x 1.882 = 8.4466: posted to the journal, so rounded to the cent.
    assert shipping_cost(carrier, 1.882) == Decimal("8.45")
