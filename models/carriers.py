"""Carrier choice: which carrier takes a parcel, and the fallback when one fails."""

from __future__ import annotations

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal

from models.activity_io import ProductFacts
from models.catalog import CarrierDoc
from models.view import Allocation

EXPEDITED = "expedited"
# The catalog's default product weight: an unknown SKU must not crash a workflow task.
DEFAULT_WEIGHT_KG = 0.5


def shipping_cost(carrier: CarrierDoc, weight_kg: float) -> Decimal:
    """What the carrier charges, in cents (it is money: the journal posts it)."""
    # Via str so the same float always yields the same Decimal.
    cost = carrier.base_cost + carrier.cost_per_kg * Decimal(str(weight_kg))
    return cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def choose_carrier(
    carriers: list[CarrierDoc],
    *,
    service_level: str,
    weight_kg: float,
    exclude: Collection[str] = (),
) -> CarrierDoc | None:
    """The best carrier for the parcel, skipping `exclude` (carriers that already failed)."""
    fits = [
        c
        for c in carriers
        if c.carrier_id not in exclude
        and service_level in c.service_levels
        and c.max_weight_kg >= weight_kg
    ]
    if not fits:
        return None
    if service_level == EXPEDITED:
        # An expedited promise is about time, so speed wins over price.
        return min(fits, key=lambda c: (c.transit_days, shipping_cost(c, weight_kg), c.carrier_id))
    return min(fits, key=lambda c: (shipping_cost(c, weight_kg), c.transit_days, c.carrier_id))


def shipment_weight(
    allocations: list[Allocation],
    products: list[ProductFacts],
    *,
    warehouse_id: str | None = None,
) -> float:
    """Total weight in kg of the allocations (of one warehouse's parcel when given)."""
    weights = {p.sku: p.weight_kg for p in products}
    total = sum(
        a.quantity * weights.get(a.sku, DEFAULT_WEIGHT_KG)
        for a in allocations
        if warehouse_id is None or a.warehouse_id == warehouse_id
    )
    # Rounded so float noise never tips a parcel over a carrier's weight limit.
    return round(total, 6)
