from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from models.activity_io import ProductFacts, StockSnapshot, WarehouseStock
from models.backorder import (
    BackorderDecisionInput,
    describe_restock,
    estimate_restock,
    refusal,
    similar_skus,
    substitutes_for,
    swap,
)
from models.view import BackorderView, LineView, Substitute

PRODUCTS = [ProductFacts(sku="A", weight_kg=1, volume_l=1, similar=["B", "C", "D"])]
LINES = [LineView(sku="A", quantity=3)]


def _snapshot(**available: int) -> StockSnapshot:
    half = {sku: qty // 2 for sku, qty in available.items()}
    rest = {sku: qty - half[sku] for sku, qty in available.items()}
    return StockSnapshot(
        warehouses=[
            WarehouseStock(warehouse_id="W1", lat=0, lon=0, available=half),
            WarehouseStock(warehouse_id="W2", lat=0, lon=0, available=rest),
        ]
    )


def test_offers_only_similar_items_the_network_has_enough_of() -> None:
    offers = substitutes_for(["A"], PRODUCTS, LINES, _snapshot(B=3, C=2, D=0))
    assert [(o.for_sku, o.sku, o.available) for o in offers] == [("A", "B", 3)]


def test_similar_skus_never_include_the_short_ones() -> None:
    products = PRODUCTS + [ProductFacts(sku="B", weight_kg=1, volume_l=1, similar=["A"])]
    assert similar_skus(["A", "B"], products) == ["C", "D"]


def test_a_substitute_must_be_one_that_was_offered() -> None:
    offer = BackorderView(
        short_skus=["A"], substitutes=[Substitute(for_sku="A", sku="B", available=3)]
    )
    assert refusal(offer, BackorderDecisionInput(choice="substitute", substitute_sku="B")) is None
    assert "not offered" in (
        refusal(offer, BackorderDecisionInput(choice="substitute", substitute_sku="C")) or ""
    )
    assert refusal(None, BackorderDecisionInput(choice="wait")) == "order is not backordered"


def test_substitute_choice_needs_a_sku() -> None:
    with pytest.raises(ValidationError, match="substitute_sku"):
        BackorderDecisionInput(choice="substitute")


def test_swap_keeps_the_quantity_and_the_other_lines() -> None:
    lines = [LineView(sku="A", quantity=3), LineView(sku="X", quantity=1)]
    swapped = swap(lines, Substitute(for_sku="A", sku="B", available=9))
    assert [(line.sku, line.quantity) for line in swapped] == [("B", 3), ("X", 1)]


def test_restock_date_is_the_soonest_open_purchase_order() -> None:
    today = date(2026, 12, 3)
    orders = [(date(2026, 12, 15), "PO-B"), (date(2026, 12, 9), "PO-A")]
    estimate = estimate_restock("A", today, orders, lead_times=[3])
    assert (estimate.eta, estimate.basis) == (date(2026, 12, 9), "purchase order PO-A")


def test_without_purchase_orders_the_fastest_supplier_sets_the_date() -> None:
    estimate = estimate_restock("A", date(2026, 12, 3), [], lead_times=[9, 4])
    assert estimate.eta == date(2026, 12, 7) and "4 days" in estimate.basis
    assert estimate_restock("A", date(2026, 12, 3), [], []).eta is None
    assert describe_restock([estimate]) == "A expected by 2026-12-07"
