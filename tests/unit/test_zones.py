"""Shipping zones: by names when both sides have them, else by distance; SLA days per zone."""

from __future__ import annotations

from typing import Any

import pytest

from models.catalog import CarrierDoc
from models.order import Address
from models.zones import (
    NATIONAL,
    NEIGHBOURING,
    REMOTE,
    SAME_CITY,
    SAME_PROVINCE,
    Place,
    days_allowed,
    normalise,
    serves,
    transit_days,
    zone_of,
)

SHANGHAI_DC = Place(lat=31.2304, lon=121.4737)


def _to(city: str, province: str, lat: float | None = None, lon: float | None = None) -> Address:
    extra: dict[str, Any] = {} if lat is None else {"lat": lat, "lon": lon}
    return Address(
        recipient="Li Lei",
        phone="+86 138 0000 0000",
        country="CN",
        province=province,
        city=city,
        street="1 Road",
        postal_code="100000",
        **extra,
    )


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        (_to("Shanghai", "Shanghai", 31.23, 121.50), SAME_CITY),  # Pudong, 3 km
        (_to("Suzhou", "Jiangsu", 31.30, 120.58), SAME_PROVINCE),  # 85 km
        (_to("Hefei", "Anhui", 31.82, 117.23), NEIGHBOURING),  # 400 km
        (_to("Beijing", "Beijing", 39.90, 116.41), NATIONAL),  # 1070 km
        (_to("Urumqi", "Xinjiang", 43.83, 87.62), REMOTE),
    ],
)
def test_the_zone_follows_the_distance_from_the_warehouse(address: Address, zone: str) -> None:
    assert zone_of(SHANGHAI_DC, address) == zone


def test_names_decide_when_the_warehouse_has_them() -> None:
    chengdu = Place(lat=30.57, lon=104.07, city="Chengdu", province="Sichuan")
    # No coordinates on the address, but the same city by name.
    assert zone_of(chengdu, _to("Chengdu Shi", "Sichuan")) == SAME_CITY
    # 330 km away, yet in the same province.
    assert zone_of(chengdu, _to("Dazhou", "Sichuan Sheng", 31.21, 107.47)) == SAME_PROVINCE


def test_a_remote_province_is_not_remote_from_a_warehouse_inside_it() -> None:
    urumqi = Place(lat=43.83, lon=87.62, city="Urumqi", province="Xinjiang")
    assert zone_of(urumqi, _to("Kashgar", "Xinjiang", 39.47, 75.99)) == SAME_PROVINCE
    assert zone_of(SHANGHAI_DC, _to("Lhasa", "Xizang")) == REMOTE


def test_without_coordinates_or_names_the_zone_is_national() -> None:
    assert zone_of(SHANGHAI_DC, _to("Shanghai", "Shanghai")) == NATIONAL
    assert zone_of(None, _to("Shanghai", "Shanghai", 31.23, 121.50)) == NATIONAL


def test_names_compare_without_case_or_administrative_suffix() -> None:
    assert normalise("  Shanghai  Shi ") == normalise("shanghai") == "shanghai"
    assert normalise("上海市") == "上海"
    assert normalise("Inner Mongolia Autonomous Region") == "inner mongolia"


def test_carrier_days_per_zone_come_from_the_catalog_or_its_national_days() -> None:
    told = CarrierDoc(carrier_id="SF", name="SF", transit_days=2, zone_days={"same_city": 0})
    assert transit_days(told, SAME_CITY) == 0
    assert transit_days(told, SAME_PROVINCE) == 1  # 2 - 1
    assert transit_days(told, REMOTE) == 4  # 2 + 2
    assert transit_days(told, None) == 2
    quick = CarrierDoc(carrier_id="Q", name="Q", transit_days=1)
    assert transit_days(quick, SAME_CITY) == 1  # never under a day unless the catalog says


def test_the_sla_allows_fewer_days_for_expedited_and_near_zones() -> None:
    assert days_allowed("standard", SAME_CITY) == 2
    assert days_allowed("standard", NATIONAL) == 5
    assert days_allowed("expedited", NATIONAL) == 2
    assert days_allowed("same-day", NATIONAL) is None


def test_a_carrier_with_zones_serves_only_those() -> None:
    fleet = CarrierDoc(carrier_id="FLEET", name="Own vans", zones=["same_city"])
    assert serves(fleet, SAME_CITY)
    assert not serves(fleet, NATIONAL)
    assert not serves(fleet, None)  # an unknown zone is never the fleet's
    assert serves(CarrierDoc(carrier_id="ZTO", name="ZTO"), None)


def test_zone_fields_are_optional_and_left_out_of_dumps_when_unset() -> None:
    plain = CarrierDoc(carrier_id="ZTO", name="ZTO")
    assert set(plain.model_dump()) == {
        "carrier_id",
        "name",
        "service_levels",
        "max_weight_kg",
        "base_cost",
        "cost_per_kg",
        "transit_days",
    }
    told = CarrierDoc(carrier_id="JD", name="JD", zone_days={"remote": 4}, takes_bulky=True)
    assert CarrierDoc.model_validate(told.model_dump()) == told
