"""Carrier choice: which carrier takes a parcel, why, and the fallback when one fails."""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from models import zones
from models.activity_io import ProductFacts
from models.catalog import CarrierDoc
from models.view import Allocation
from models.zones import Zone

EXPEDITED = "expedited"
# The catalog's default product weight: an unknown SKU must not crash a workflow task.
DEFAULT_WEIGHT_KG = 0.5
DEFAULT_VOLUME_L = 1.0
# A parcel over this many litres is bulky: it needs a carrier that takes bulky goods.
BULKY_L = 120.0
# A carrier whose catalog entry does not say whether it takes bulky goods does when it
# is rated for this weight (freight, not parcels).
BULKY_CARRIER_KG = 100.0


def shipping_cost(carrier: CarrierDoc, weight_kg: float) -> Decimal:
    """What the carrier charges, in cents (it is money: the journal posts it)."""
    # Via str so the same float always yields the same Decimal.
    cost = carrier.base_cost + carrier.cost_per_kg * Decimal(str(weight_kg))
    return cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class CarrierChoice(BaseModel):
    """The carrier chosen for a parcel (None: no carrier can take it) and why."""

    carrier: CarrierDoc | None = None
    zone: Zone | None = None
    transit_days: int | None = None
    days_allowed: int | None = None  # what the SLA allows to the zone; None: no limit
    meets_sla: bool = True
    cost: Decimal | None = None
    reason: str


def takes_bulky(carrier: CarrierDoc) -> bool:
    """The catalog says so, or (unsaid) the carrier is rated for heavy freight."""
    if carrier.takes_bulky is not None:
        return carrier.takes_bulky
    return carrier.max_weight_kg >= BULKY_CARRIER_KG


def choose_carrier(
    carriers: list[CarrierDoc],
    *,
    service_level: str,
    weight_kg: float,
    exclude: Collection[str] = (),
    volume_l: float = 0.0,
    zone: Zone | None = None,
    days_allowed: int | None = None,
) -> CarrierDoc | None:
    """The best carrier for the parcel, skipping `exclude` (carriers that already failed);
    `pick_carrier` tells why."""
    return pick_carrier(
        carriers,
        service_level=service_level,
        weight_kg=weight_kg,
        exclude=exclude,
        volume_l=volume_l,
        zone=zone,
        days_allowed=days_allowed,
    ).carrier


def pick_carrier(
    carriers: list[CarrierDoc],
    *,
    service_level: str,
    weight_kg: float,
    exclude: Collection[str] = (),
    volume_l: float = 0.0,
    zone: Zone | None = None,
    days_allowed: int | None = None,
) -> CarrierChoice:
    """Expedited: the fastest; otherwise the cheapest. A bulky parcel (over `BULKY_L`)
    needs a carrier that takes bulky goods, a heavy one a carrier rated for its weight.
    With a zone, days are the carrier's days to that zone and only carriers within the
    SLA's `days_allowed` (by default `zones.days_allowed`) count, unless none is: then
    the fastest, and the reason says so. Without a zone the plain `transit_days` count."""
    bulky = volume_l > BULKY_L
    fits = [
        c
        for c in carriers
        if c.carrier_id not in exclude
        and service_level in c.service_levels
        and c.max_weight_kg >= weight_kg
        and (takes_bulky(c) or not bulky)
        and zones.serves(c, zone)
    ]
    if days_allowed is None and zone is not None:
        days_allowed = zones.days_allowed(service_level, zone)
    where = f" to {zone}" if zone else ""
    needs = f"{service_level}, {weight_kg:g} kg" + (f", bulky {volume_l:g} L" if bulky else "")
    if not fits:
        return CarrierChoice(
            zone=zone, days_allowed=days_allowed, reason=f"no carrier takes {needs}{where}"
        )
    days = {c.carrier_id: zones.transit_days(c, zone) for c in fits}
    cost = {c.carrier_id: shipping_cost(c, weight_kg) for c in fits}

    def fastest(c: CarrierDoc) -> tuple[int, Decimal, str]:
        return days[c.carrier_id], cost[c.carrier_id], c.carrier_id

    def cheapest(c: CarrierDoc) -> tuple[Decimal, int, str]:
        return cost[c.carrier_id], days[c.carrier_id], c.carrier_id

    in_time = [c for c in fits if days_allowed is None or days[c.carrier_id] <= days_allowed]
    if not in_time:
        rule = f"none meets the {days_allowed}-day SLA, so the fastest"
        best = min(fits, key=fastest)
    elif service_level == EXPEDITED:
        # An expedited promise is about time, so speed wins over price.
        best, rule = min(in_time, key=fastest), "the fastest"
    else:
        best, rule = min(in_time, key=cheapest), "the cheapest"
    chosen = best.carrier_id
    sla = f" (SLA {days_allowed})" if days_allowed is not None and in_time else ""
    took = f"{days[chosen]} day" + ("" if days[chosen] == 1 else "s")
    reason = f"{chosen}: {rule} for {needs}; {took}{where}{sla}, costs {cost[chosen]}"
    return CarrierChoice(
        carrier=best,
        zone=zone,
        transit_days=days[chosen],
        days_allowed=days_allowed,
        meets_sla=bool(in_time),
        cost=cost[chosen],
        reason=reason,
    )


def shipment_weight(
    allocations: list[Allocation],
    products: list[ProductFacts],
    *,
    warehouse_id: str | None = None,
) -> float:
    """Total weight in kg of the allocations (of one warehouse's parcel when given)."""
    weights = {p.sku: p.weight_kg for p in products}
    return _total(allocations, weights, DEFAULT_WEIGHT_KG, warehouse_id)


def shipment_volume(
    allocations: list[Allocation],
    products: list[ProductFacts],
    *,
    warehouse_id: str | None = None,
) -> float:
    """Total volume in litres of the allocations (of one warehouse's parcel when given)."""
    volumes = {p.sku: p.volume_l for p in products}
    return _total(allocations, volumes, DEFAULT_VOLUME_L, warehouse_id)


def _total(
    allocations: list[Allocation],
    per_unit: dict[str, float],
    default: float,
    warehouse_id: str | None,
) -> float:
    total = sum(
        a.quantity * per_unit.get(a.sku, default)
        for a in allocations
        if warehouse_id is None or a.warehouse_id == warehouse_id
    )
    # Rounded so float noise never tips a parcel over a carrier's limit.
    return round(total, 6)
