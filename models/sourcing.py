"""Sourcing: which warehouses ship which lines of an order.

Rules, in order: the nearest warehouse that has every line in full (one parcel);
else each line from the nearest warehouse that has it in full; else that line is
split across warehouses nearest first. A line the whole network cannot cover makes
the order short: nothing is allocated, because an order is sourced whole or not at all.
Distances tie (no destination coordinates, same site) are broken by warehouse_id.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from models.activity_io import StockSnapshot, WarehouseStock
from models.order import Address
from models.view import Allocation, LineView

EARTH_RADIUS_KM = 6371.0


class SourcingPlan(BaseModel):
    allocations: list[Allocation] = Field(default_factory=list)
    warehouses: list[str] = Field(default_factory=list)
    short_skus: list[str] = Field(default_factory=list)
    explanation: str = ""

    @property
    def fulfillable(self) -> bool:
        return not self.short_skus


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _demand(lines: list[LineView]) -> dict[str, int]:
    # Merged per SKU (first-seen order) so a repeated SKU cannot be sourced twice.
    demand: dict[str, int] = {}
    for line in lines:
        if line.quantity > 0:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity
    return demand


def _ranked(snapshot: StockSnapshot, destination: Address) -> list[tuple[float, WarehouseStock]]:
    lat, lon = destination.lat, destination.lon
    ranked = [
        (
            0.0 if lat is None or lon is None else haversine_km(wh.lat, wh.lon, lat, lon),
            wh,
        )
        for wh in snapshot.warehouses
    ]
    return sorted(ranked, key=lambda pair: (pair[0], pair[1].warehouse_id))


def _available(warehouse: WarehouseStock, sku: str) -> int:
    return max(0, warehouse.available.get(sku, 0))


def _split(sku: str, quantity: int, ranked: list[WarehouseStock]) -> list[Allocation] | None:
    """Nearest first: the nearest warehouse with the whole line, else parts from each."""
    for wh in ranked:
        if _available(wh, sku) >= quantity:
            return [Allocation(sku=sku, warehouse_id=wh.warehouse_id, quantity=quantity)]
    parts, remaining = [], quantity
    for wh in ranked:
        take = min(remaining, _available(wh, sku))
        if take:
            parts.append(Allocation(sku=sku, warehouse_id=wh.warehouse_id, quantity=take))
            remaining -= take
        if not remaining:
            return parts
    return None


def _plan(allocations: list[Allocation], explanation: str) -> SourcingPlan:
    allocations = sorted(allocations, key=lambda a: (a.warehouse_id, a.sku))
    warehouses = sorted({a.warehouse_id for a in allocations})
    return SourcingPlan(allocations=allocations, warehouses=warehouses, explanation=explanation)


def plan_sourcing(
    lines: list[LineView], snapshot: StockSnapshot, destination: Address
) -> SourcingPlan:
    demand = _demand(lines)
    if not demand:
        return SourcingPlan(explanation="nothing to source")
    ranked = _ranked(snapshot, destination)
    located = destination.lat is not None and destination.lon is not None

    for km, wh in ranked:
        if all(_available(wh, sku) >= qty for sku, qty in demand.items()):
            where = f"{km:.0f} km" if located else "no destination coordinates"
            allocations = [
                Allocation(sku=sku, warehouse_id=wh.warehouse_id, quantity=qty)
                for sku, qty in demand.items()
            ]
            return _plan(allocations, f"{wh.warehouse_id} has every line, {where}")

    warehouses = [wh for _, wh in ranked]
    allocations, split_skus, short = [], [], []
    for sku, qty in demand.items():
        parts = _split(sku, qty, warehouses)
        if parts is None:
            short.append(sku)
            continue
        allocations.extend(parts)
        if len(parts) > 1:
            split_skus.append(sku)

    if short:
        short_skus = sorted(short)
        explanation = "short of " + ", ".join(
            f"{sku} (need {demand[sku]}, network has "
            f"{sum(_available(wh, sku) for wh in warehouses)})"
            for sku in short_skus
        )
        return SourcingPlan(short_skus=short_skus, explanation=explanation)

    plan = _plan(allocations, "")
    explanation = "no warehouse has every line; split by line across " + ", ".join(plan.warehouses)
    if split_skus:
        explanation += "; " + ", ".join(sorted(split_skus)) + " split across warehouses"
    return plan.model_copy(update={"explanation": explanation})
