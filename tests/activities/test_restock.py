from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from activities.purchasing import record_purchase_orders, seed_suppliers
from activities.restock import RestockActivities
from models.backorder import RestockQuery
from models.replenishment_io import PurchaseOrderLine
from models.suppliers import SupplierDocument, SupplierOffer


def _supplier(category: str, lead_time_days: int) -> SupplierOffer:
    return SupplierOffer(
        supplier_id=f"SUP-{category}",
        name=category,
        category=category,
        price_ratio=0.5,
        on_time_rate=0.9,
        quality=0.95,
        lead_time_days=lead_time_days,
    )


def test_a_short_sku_is_dated_by_its_open_purchase_order_else_by_lead_time(seeded: Engine) -> None:
    seed_suppliers(seeded, doc=SupplierDocument(suppliers=[_supplier("MUG", 6)]))
    record_purchase_orders(
        seeded,
        orders=[
            PurchaseOrderLine(
                idempotency_key="run-1:TEA:WH-A",
                sku="TEA",
                warehouse_id="WH-A",
                supplier_id="SUP-TEA",
                quantity=40,
                unit_cost=Decimal("20.00"),
                expected_on=date(2026, 12, 24),
            )
        ],
    )

    found = RestockActivities(seeded).estimate_restock(RestockQuery(skus=["TEA", "MUG", "HOT"]))

    by_sku = {e.sku: e for e in found.estimates}
    assert by_sku["TEA"].eta == date(2026, 12, 24) and "purchase order" in by_sku["TEA"].basis
    assert by_sku["MUG"].eta is not None and "6 days" in by_sku["MUG"].basis
    assert by_sku["HOT"].eta is None
