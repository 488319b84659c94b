"""What a replenishment or reconciliation pass writes, built from its decisions.

Every record carries a key made of the run's key (workflow id and run id) and what it is
about (SKU and warehouse), so a retried activity writes it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from models.replenishment import Decision
from models.replenishment_io import (
    DriftRow,
    OpsAlert,
    PurchaseOrderLine,
    ReorderLine,
    SafetyStockLevel,
    StockPosition,
)


def safety_stock_changes(
    positions: Sequence[StockPosition], decisions: Sequence[Decision]
) -> list[SafetyStockLevel]:
    """The stock rows whose safety stock the decisions move."""
    stored = {(p.sku, p.warehouse_id): p.safety_stock for p in positions}
    return [
        SafetyStockLevel(sku=d.sku, warehouse_id=d.warehouse_id, safety_stock=d.safety_stock)
        for d in decisions
        if stored.get((d.sku, d.warehouse_id)) != d.safety_stock
    ]


def reorder_lines(decisions: Sequence[Decision]) -> list[ReorderLine]:
    return [
        ReorderLine(
            sku=d.sku,
            warehouse_id=d.warehouse_id,
            quantity=d.quantity,
            supplier_id=d.supplier.supplier_id,
            reasons=d.reasons,
        )
        for d in decisions
        if d.reorder and d.supplier is not None
    ]


def purchase_orders(
    decisions: Sequence[Decision], run_key: str, today: date
) -> list[PurchaseOrderLine]:
    return [
        PurchaseOrderLine(
            idempotency_key=f"{run_key}:{d.sku}:{d.warehouse_id}",
            sku=d.sku,
            warehouse_id=d.warehouse_id,
            supplier_id=d.supplier.supplier_id,
            quantity=d.quantity,
            unit_cost=d.unit_cost or Decimal("0.00"),
            expected_on=today + timedelta(days=d.supplier.lead_time_days),
            reasons=d.reasons,
        )
        for d in decisions
        if d.reorder and d.supplier is not None
    ]


def alerts(decisions: Sequence[Decision], run_key: str) -> list[OpsAlert]:
    found = []
    for d in decisions:
        where = f"{d.sku}@{d.warehouse_id}"
        if d.below_safety_stock:
            body = f"{where}: available {d.available} is under safety stock {d.safety_stock}"
            body += f"; reordered {d.quantity}" if d.reorder else "; no reorder placed"
            found.append(
                OpsAlert(
                    idempotency_key=f"{run_key}:low:{where}", event="BELOW_SAFETY_STOCK", body=body
                )
            )
        if d.no_supplier:
            found.append(
                OpsAlert(
                    idempotency_key=f"{run_key}:nosupplier:{where}",
                    event="NO_SUPPLIER",
                    body=f"{where}: {d.reasons[-1]}",
                )
            )
    return found


def drift_alert(rows: Sequence[DriftRow], run_key: str, shown: int = 20) -> OpsAlert | None:
    """One alert listing the drifting stock rows (counters vs ledger); None when all agree."""
    if not rows:
        return None
    lines = [
        f"{r.sku}@{r.warehouse_id}: counters on_hand {r.on_hand} reserved {r.reserved}, "
        f"ledger on_hand {r.ledger_on_hand} reserved {r.ledger_reserved}"
        for r in rows[:shown]
    ]
    if len(rows) > shown:
        lines.append(f"... and {len(rows) - shown} more")
    body = f"{len(rows)} stock rows differ from the ledger:\n" + "\n".join(lines)
    return OpsAlert(idempotency_key=f"{run_key}:drift", event="STOCK_DRIFT", body=body)
