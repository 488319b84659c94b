"""Shipping zones: how far a parcel goes from its warehouse, and what that allows.

A destination's zone relative to the shipping warehouse is, nearest first,
`same_city`, `same_province`, `neighbouring`, `national` or `remote`. Names decide
when both sides have them (same city, same province); otherwise the great-circle
distance between warehouse and destination does. A destination in a remote province
(the far west and north) is `remote` unless it ships from that province. Without
coordinates or names the zone is `national`: the careful guess, never too optimistic.

Per zone a carrier takes the days its catalog entry says (`zone_days`), or its
national `transit_days` moved by the zone's usual difference; the SLA allows
`SLA_DAYS[service_level][zone]` days in transit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from models.catalog import CarrierDoc
from models.order import Address
from models.sourcing import haversine_km

Zone = Literal["same_city", "same_province", "neighbouring", "national", "remote"]
SAME_CITY: Zone = "same_city"
SAME_PROVINCE: Zone = "same_province"
NEIGHBOURING: Zone = "neighbouring"
NATIONAL: Zone = "national"
REMOTE: Zone = "remote"
ZONES: tuple[Zone, ...] = (SAME_CITY, SAME_PROVINCE, NEIGHBOURING, NATIONAL, REMOTE)

# Distance bands (km) when names do not decide: a metropolitan area, a province, the
# provinces around it.
CITY_KM, PROVINCE_KM, NEIGHBOUR_KM = 40.0, 250.0, 800.0
# Provinces most carriers serve at a surcharge and a slower pace.
REMOTE_PROVINCES = frozenset(
    {"xinjiang", "tibet", "xizang", "qinghai", "inner mongolia", "ningxia"}
)
# A carrier's days per zone relative to its national `transit_days`, when its catalog
# entry gives no `zone_days`; never under one day.
ZONE_EXTRA_DAYS: dict[Zone, int] = {
    SAME_CITY: -2,
    SAME_PROVINCE: -1,
    NEIGHBOURING: 0,
    NATIONAL: 0,
    REMOTE: 2,
}
# Days in transit the SLA allows, by service level and zone.
SLA_DAYS: dict[str, dict[Zone, int]] = {
    "standard": {SAME_CITY: 2, SAME_PROVINCE: 3, NEIGHBOURING: 4, NATIONAL: 5, REMOTE: 8},
    "expedited": {SAME_CITY: 1, SAME_PROVINCE: 1, NEIGHBOURING: 2, NATIONAL: 2, REMOTE: 4},
}
_SUFFIXES = (" city", " province", " shi", " sheng", " autonomous region", "市", "省")


class Place(BaseModel):
    """Where a parcel leaves from: a warehouse's coordinates, and its names when known."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    city: str = ""
    province: str = ""


def normalise(name: str) -> str:
    """`Shanghai Shi`, `shanghai` and `上海市` style variants compare equal."""
    text = " ".join(name.casefold().split())
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].strip()
    return text


def distance_km(origin: Place | None, destination: Address) -> float | None:
    if origin is None or origin.lat is None or origin.lon is None:
        return None
    if destination.lat is None or destination.lon is None:
        return None
    return haversine_km(origin.lat, origin.lon, destination.lat, destination.lon)


def zone_of(origin: Place | None, destination: Address) -> Zone:
    """The destination's zone seen from the warehouse (see the module docstring)."""
    here = origin or Place()
    province, city = normalise(destination.province), normalise(destination.city)
    same_province = bool(here.province) and normalise(here.province) == province
    if province in REMOTE_PROVINCES and not same_province:
        return REMOTE
    if here.city and normalise(here.city) == city:
        return SAME_CITY
    km = distance_km(origin, destination)
    if km is not None and km <= CITY_KM:
        return SAME_CITY
    if same_province:
        return SAME_PROVINCE
    if km is None:
        return NATIONAL
    if km <= PROVINCE_KM:
        return SAME_PROVINCE
    return NEIGHBOURING if km <= NEIGHBOUR_KM else NATIONAL


def transit_days(carrier: CarrierDoc, zone: Zone | None) -> int:
    """The carrier's days in transit to the zone; its plain `transit_days` without one."""
    if zone is None:
        return carrier.transit_days
    if zone in carrier.zone_days:
        return carrier.zone_days[zone]
    return max(1, carrier.transit_days + ZONE_EXTRA_DAYS[zone])


def days_allowed(service_level: str, zone: Zone) -> int | None:
    """Days in transit the SLA allows to the zone; None for a service level it does not know."""
    levels = SLA_DAYS.get(service_level)
    return None if levels is None else levels[zone]


def serves(carrier: CarrierDoc, zone: Zone | None) -> bool:
    """A carrier with a `zones` list (e.g. the own same-city fleet) serves only those,
    so it is never chosen when the zone is unknown."""
    return not carrier.zones or (zone is not None and zone in carrier.zones)


def own_fleet(carrier: CarrierDoc) -> bool:
    """The shop's own vans: a carrier that serves only the warehouse's city."""
    return carrier.zones == [SAME_CITY]
