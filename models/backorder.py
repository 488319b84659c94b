"""Backorders: what the customer is offered when stock is short, and what they chose."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, model_validator

from models.activity_io import ProductFacts, StockSnapshot
from models.view import BackorderView, LineView, RestockEstimate, Substitute


class BackorderDecisionInput(BaseModel):
    choice: Literal["wait", "substitute", "cancel"]
    substitute_sku: str | None = None

    @model_validator(mode="after")
    def _substitute_named(self) -> BackorderDecisionInput:
        if self.choice == "substitute" and not self.substitute_sku:
            raise ValueError("substitute_sku is required when choice is substitute")
        return self


class DecisionResult(BaseModel):
    accepted: bool
    status: str
    message: str


def similar_skus(short_skus: list[str], products: list[ProductFacts]) -> list[str]:
    by_sku = {p.sku: p for p in products}
    found = [s for sku in short_skus if sku in by_sku for s in by_sku[sku].similar]
    return sorted(set(found) - set(short_skus))


def substitutes_for(
    short_skus: list[str],
    products: list[ProductFacts],
    lines: list[LineView],
    snapshot: StockSnapshot,
) -> list[Substitute]:
    """Similar items the network has enough of to replace a short line in full."""
    needed = {line.sku: line.quantity for line in lines}
    by_sku = {p.sku: p for p in products}
    offers = []
    for sku in short_skus:
        for alternative in by_sku[sku].similar if sku in by_sku else []:
            total = sum(max(0, wh.available.get(alternative, 0)) for wh in snapshot.warehouses)
            if total >= needed.get(sku, 0) and alternative not in needed:
                offers.append(Substitute(for_sku=sku, sku=alternative, available=total))
    return offers


class RestockQuery(BaseModel):
    skus: list[str]


class RestockEstimates(BaseModel):
    estimates: list[RestockEstimate]


def estimate_restock(
    sku: str, today: date, open_orders: list[tuple[date, str]], lead_times: list[int]
) -> RestockEstimate:
    """The soonest open purchase order's date; else ordering today from the fastest supplier."""
    if open_orders:
        expected, po_id = min(open_orders)
        return RestockEstimate(sku=sku, eta=expected, basis=f"purchase order {po_id}")
    if lead_times:
        days = min(lead_times)
        return RestockEstimate(
            sku=sku, eta=today + timedelta(days=days), basis=f"supplier lead time {days} days"
        )
    return RestockEstimate(sku=sku, basis="no supplier known")


def describe_restock(estimates: list[RestockEstimate]) -> str:
    dated = [f"{e.sku} expected by {e.eta:%Y-%m-%d}" for e in estimates if e.eta]
    return "; ".join(dated) or "restock date unknown"


def refusal(offer: BackorderView | None, decision: BackorderDecisionInput) -> str | None:
    """Why a decision does not apply, or None when it does."""
    if offer is None:
        return "order is not backordered"
    if decision.choice == "substitute" and decision.substitute_sku not in {
        s.sku for s in offer.substitutes
    }:
        return f"substitute_sku: {decision.substitute_sku} is not offered for this order"
    return None


def swap(lines: list[LineView], substitute: Substitute) -> list[LineView]:
    return [
        LineView(sku=substitute.sku, quantity=line.quantity)
        if line.sku == substitute.for_sku
        else line
        for line in lines
    ]
