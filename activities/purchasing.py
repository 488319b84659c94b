"""Suppliers and purchase orders: seeding offers, recording orders, receiving them.

Keyword-only repository functions over activities.purchasing_tables. Recording a purchase
order is an insert keyed by its idempotency key (the po id is derived from the key), so
a retried step finds its order and adds none. Receiving one is a conditional update
(OPEN -> RECEIVED) and an inbound ledger row in one transaction, so it applies once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import Engine, func, select, update

from activities.db import insert_ignore, reading, upsert
from activities.ledger import receive_in
from activities.purchasing_tables import PurchaseOrder, SupplierOfferRow
from activities.sqltypes import utcnow
from models.replenishment_io import PurchaseOrderLine
from models.suppliers import SupplierDocument, SupplierOffer

SUPPLIERS = SupplierOfferRow.__table__
ORDERS = PurchaseOrder.__table__
OPEN = "OPEN"


def po_id_for(idempotency_key: str) -> str:
    return "PO-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:12].upper()


def seed_suppliers(engine: Engine, *, doc: SupplierDocument) -> int:
    """Upsert every offer by (supplier_id, category); idempotent. Returns the offer count."""
    with engine.begin() as connection:
        for offer in doc.suppliers:
            upsert(connection, SUPPLIERS, offer.model_dump(), key=("supplier_id", "category"))
    return len(doc.suppliers)


def supplier_offers(
    engine: Engine, *, categories: Sequence[str] | None = None
) -> list[SupplierOffer]:
    query = select(SUPPLIERS).order_by(SUPPLIERS.c.category, SUPPLIERS.c.supplier_id)
    if categories is not None:
        query = query.where(SUPPLIERS.c.category.in_(list(categories)))
    with reading(engine) as connection:
        return [SupplierOffer.model_validate(dict(r)) for r in connection.execute(query).mappings()]


def on_order(engine: Engine, *, sku: str | None = None) -> dict[tuple[str, str], int]:
    """(sku, warehouse_id) -> units on open purchase orders."""
    query = (
        select(ORDERS.c.sku, ORDERS.c.warehouse_id, func.sum(ORDERS.c.quantity))
        .where(ORDERS.c.status == OPEN)
        .group_by(ORDERS.c.sku, ORDERS.c.warehouse_id)
    )
    if sku is not None:
        query = query.where(ORDERS.c.sku == sku)
    with reading(engine) as connection:
        return {(s, w): int(q) for s, w, q in connection.execute(query)}


def open_purchase_orders(engine: Engine, *, sku: str | None = None) -> list[dict[str, object]]:
    """Open orders, soonest expected first (for restock dates)."""
    query = select(ORDERS).where(ORDERS.c.status == OPEN)
    if sku is not None:
        query = query.where(ORDERS.c.sku == sku)
    query = query.order_by(ORDERS.c.expected_on, ORDERS.c.po_id)
    with reading(engine) as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def record_purchase_orders(
    engine: Engine, *, orders: Sequence[PurchaseOrderLine]
) -> tuple[list[str], list[str]]:
    """Insert each order unless its key exists: (po ids created, po ids already there)."""
    created, existing = [], []
    with engine.begin() as connection:
        for line in orders:
            row = {
                **line.model_dump(mode="python"),
                "po_id": po_id_for(line.idempotency_key),
                "status": OPEN,
                "created_at": utcnow(),
            }
            inserted = insert_ignore(connection, ORDERS, row, key=("idempotency_key",))
            (created if inserted else existing).append(row["po_id"])
    return created, existing


def receive_purchase_order(engine: Engine, *, po_id: str) -> bool:
    """The goods arrived: close the order and book them in. False if it was not open."""
    with engine.begin() as connection:
        closed = connection.execute(
            update(ORDERS)
            .where(ORDERS.c.po_id == po_id, ORDERS.c.status == OPEN)
            .values(status="RECEIVED", received_at=utcnow())
        ).rowcount
        if closed != 1:
            return False
        sku, warehouse_id, quantity = connection.execute(
            select(ORDERS.c.sku, ORDERS.c.warehouse_id, ORDERS.c.quantity).where(
                ORDERS.c.po_id == po_id
            )
        ).one()
        receive_in(
            connection,
            sku=sku,
            warehouse_id=warehouse_id,
            quantity=quantity,
            idempotency_key=f"po:{po_id}",
        )
    return True
