"""Suppliers: their offers per SKU category (data/suppliers.json) and how they are ranked.

The score weighs price, on-time rate and quality (ScoreWeights, summing to 1 after
normalising). Price scores 1.0 for the cheapest offer of the category and cheapest/own
for the others; on-time rate and quality count as they are (shares from 0 to 1).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field


def category_of(sku: str) -> str:
    """The SKU's category is its prefix: TEA-001 -> TEA."""
    return sku.split("-", 1)[0]


class SupplierOffer(BaseModel):
    """What one supplier offers for one SKU category."""

    supplier_id: str = Field(min_length=1)
    name: str
    category: str = Field(min_length=1)
    # Its price as a share of our list price (0.55: it sells to us at 55% of retail).
    price_ratio: float = Field(gt=0)
    on_time_rate: float = Field(ge=0, le=1)  # share of deliveries on the promised day
    quality: float = Field(ge=0, le=1)  # share of units that pass inspection
    lead_time_days: int = Field(ge=1)


class SupplierDocument(BaseModel):
    suppliers: list[SupplierOffer] = Field(default_factory=list)


class ScoreWeights(BaseModel):
    """Price counts most, but a cheap supplier that is late or sends defects costs stock-outs."""

    price: float = 0.4
    on_time: float = 0.35
    quality: float = 0.25


class SupplierScore(BaseModel):
    offer: SupplierOffer
    score: float
    reason: str


def score_suppliers(offers: Sequence[SupplierOffer], weights: ScoreWeights) -> list[SupplierScore]:
    """Best first. Price scores 1.0 for the cheapest offer, cheapest / own for the others."""
    if not offers:
        return []
    cheapest = min(o.price_ratio for o in offers)
    total = weights.price + weights.on_time + weights.quality
    scored = []
    for o in offers:
        price = cheapest / o.price_ratio
        score = (
            weights.price * price + weights.on_time * o.on_time_rate + weights.quality * o.quality
        ) / total
        reason = (
            f"{o.supplier_id} score {score:.3f} (price {price:.2f} at {o.price_ratio:.0%} of list, "
            f"on-time {o.on_time_rate:.0%}, quality {o.quality:.0%}, lead {o.lead_time_days}d)"
        )
        scored.append(SupplierScore(offer=o, score=score, reason=reason))
    return sorted(scored, key=lambda s: (-s.score, s.offer.supplier_id))
