"""Carrier choice: fastest for expedited, cheapest for standard, the zone's SLA, bulky goods."""

from __future__ import annotations

from decimal import Decimal

from models.activity_io import ProductFacts
from models.carriers import (
    BULKY_L,
    choose_carrier,
    pick_carrier,
    shipment_volume,
    shipment_weight,
    shipping_cost,
    takes_bulky,
)
from models.catalog import CarrierDoc
from models.view import Allocation
from models.zones import NATIONAL, REMOTE, SAME_CITY


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


# --- by destination zone, bulky goods, and the reason ------------------------------------

FLEET = _carrier("fleet", base="3", per_kg="0.2", days=1, levels=("standard",))
FLEET = FLEET.model_copy(update={"zones": ["same_city"], "zone_days": {"same_city": 0}})


def test_without_a_zone_the_choice_is_as_before_and_says_why() -> None:
    choice = pick_carrier(CARRIERS, service_level="standard", weight_kg=2)
    assert _chosen(choice.carrier) == "yto"
    assert choice.meets_sla and choice.days_allowed is None and choice.zone is None
    assert choice.reason == "yto: the cheapest for standard, 2 kg; 3 days, costs 8.00"


def test_standard_takes_the_cheapest_that_meets_the_zones_sla() -> None:
    # Remote: yto and zto need 5 and 4 days against 8 allowed; freight 7: yto is cheapest.
    remote = pick_carrier(CARRIERS, service_level="standard", weight_kg=2, zone=REMOTE)
    assert _chosen(remote.carrier) == "yto" and remote.days_allowed == 8
    # A 4-day promise: yto (5 days) is out, zto (4 days) is the cheapest left.
    tight = pick_carrier(
        CARRIERS, service_level="standard", weight_kg=2, zone=REMOTE, days_allowed=4
    )
    assert _chosen(tight.carrier) == "zto" and tight.meets_sla
    assert (
        tight.reason
        == "zto: the cheapest for standard, 2 kg; 4 days to remote (SLA 4), costs 10.00"
    )


def test_when_no_carrier_meets_the_sla_the_fastest_goes_and_the_reason_says_so() -> None:
    choice = pick_carrier(
        CARRIERS, service_level="standard", weight_kg=2, zone=REMOTE, days_allowed=1
    )
    assert _chosen(choice.carrier) == "sf"  # 3 days to remote, the fastest there
    assert not choice.meets_sla and choice.transit_days == 3
    assert choice.reason.startswith("sf: none meets the 1-day SLA, so the fastest")


def test_expedited_takes_the_fastest_to_the_zone() -> None:
    choice = pick_carrier(CARRIERS, service_level="expedited", weight_kg=2, zone=NATIONAL)
    assert _chosen(choice.carrier) == "sf" and choice.days_allowed == 2 and choice.meets_sla


def test_the_own_fleet_takes_same_city_parcels_and_nothing_else() -> None:
    with_fleet = [*CARRIERS, FLEET]
    local = pick_carrier(with_fleet, service_level="standard", weight_kg=2, zone=SAME_CITY)
    assert _chosen(local.carrier) == "fleet" and local.transit_days == 0
    far = pick_carrier(with_fleet, service_level="standard", weight_kg=2, zone=NATIONAL)
    assert _chosen(far.carrier) == "yto"
    assert _chosen(choose_carrier(with_fleet, service_level="standard", weight_kg=2)) == "yto"


def test_a_bulky_parcel_needs_a_carrier_that_takes_bulky_goods() -> None:
    # 250 L but light: only freight (rated 500 kg, so bulky unless told otherwise) may take it.
    choice = pick_carrier(CARRIERS, service_level="standard", weight_kg=20, volume_l=250)
    assert _chosen(choice.carrier) == "freight"
    assert "bulky 250 L" in choice.reason
    small = pick_carrier(CARRIERS, service_level="standard", weight_kg=20, volume_l=BULKY_L)
    assert _chosen(small.carrier) == "yto"  # at the threshold a parcel is not yet bulky


def test_the_catalog_can_say_a_carrier_takes_bulky_goods_or_not() -> None:
    van = YTO.model_copy(update={"takes_bulky": True})
    refuses = FREIGHT.model_copy(update={"takes_bulky": False})
    assert takes_bulky(van) and not takes_bulky(refuses) and takes_bulky(FREIGHT)
    choice = pick_carrier([refuses, SF, van], service_level="standard", weight_kg=5, volume_l=300)
    assert _chosen(choice.carrier) == "yto"
    none = pick_carrier([refuses, SF], service_level="standard", weight_kg=5, volume_l=300)
    assert none.carrier is None
    assert none.reason == "no carrier takes standard, 5 kg, bulky 300 L"


def test_a_heavy_bulky_parcel_to_a_far_zone_goes_by_freight_even_if_slow() -> None:
    choice = pick_carrier(
        CARRIERS, service_level="standard", weight_kg=120, volume_l=900, zone=REMOTE
    )
    # Freight needs 7 days to remote against 8 allowed.
    assert _chosen(choice.carrier) == "freight" and choice.meets_sla


def test_shipment_volume_sums_units_times_product_volume() -> None:
    allocations = [
        Allocation(sku="TEA-001", warehouse_id="WH-SH", quantity=3),
        Allocation(sku="POT-001", warehouse_id="WH-BJ", quantity=2),
        Allocation(sku="MYSTERY", warehouse_id="WH-SH", quantity=1),
    ]
    assert shipment_volume(allocations, PRODUCTS) == 7.4
    assert shipment_volume(allocations, PRODUCTS, warehouse_id="WH-SH") == 3.4
