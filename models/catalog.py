"""The catalog document `starter.py seed --file` loads (CONTRACT.md, "Catalog document")."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, NonNegativeInt


class WarehouseDoc(BaseModel):
    warehouse_id: str = Field(min_length=1)
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ProductDoc(BaseModel):
    sku: str = Field(min_length=1)
    name: str
    price: Decimal = Field(ge=0)
    weight_kg: float = Field(default=0.5, gt=0)
    volume_l: float = Field(default=1.0, gt=0)
    similar: list[str] = Field(default_factory=list)


class StockDoc(BaseModel):
    warehouse_id: str
    sku: str
    on_hand: int = Field(ge=0)
    safety_stock: int = Field(default=0, ge=0)


class CarrierDoc(BaseModel):
    carrier_id: str = Field(min_length=1)
    name: str
    service_levels: list[str] = Field(default_factory=lambda: ["standard"])
    max_weight_kg: float = Field(default=30.0, gt=0)
    base_cost: Decimal = Field(default=Decimal("10.00"), ge=0)
    cost_per_kg: Decimal = Field(default=Decimal("2.00"), ge=0)
    transit_days: int = Field(default=3, ge=0)
    # Optional, for carrier choice by destination zone (models/zones.py). Left out of
    # dumps when unset, so a catalog without them seeds the carriers table as before.
    zone_days: dict[str, NonNegativeInt] = Field(default_factory=dict, exclude_if=lambda v: not v)
    takes_bulky: bool | None = Field(default=None, exclude_if=lambda v: v is None)
    zones: list[str] = Field(default_factory=list, exclude_if=lambda v: not v)  # [] = all


class CatalogDocument(BaseModel):
    warehouses: list[WarehouseDoc] = Field(default_factory=list)
    products: list[ProductDoc] = Field(default_factory=list)
    stock: list[StockDoc] = Field(default_factory=list)
    carriers: list[CarrierDoc] = Field(default_factory=list)
