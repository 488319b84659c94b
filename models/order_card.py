"""The order card: what an operator sees first in the Web UI (the workflow's current details).

Markdown, no personal data: status, lines, warehouses, carriers, deadlines and what the
order waits for right now.
"""

from __future__ import annotations

from models.status import OrderStatus
from models.view import OrderView

S = OrderStatus
WAITING_FOR = {
    S.RECEIVED: "checks: catalog and risk",
    S.ON_HOLD: "ops review (approve_hold / reject_hold) or identity verification; 24 h",
    S.AWAITING_PAYMENT: "a new payment (retry_payment) within the re-payment window",
    S.BACKORDERED: "restock or the customer's backorder_decision; 7 days",
    S.RESERVED: "payment authorization",
    S.ALLOCATED: "packing scans and carrier booking",
    S.SHIPPED: "delivery of every parcel",
    S.DELIVERED: "survey answer and the 7-day return window",
}


def waiting_for(view: OrderView) -> str:
    if view.failed_step:
        return f"ops: `retry_step` {view.failed_step} (it gave up after its retries)"
    open_returns = [r.rma_id for r in view.returns if r.status not in ("REFUNDED", "EXPIRED")]
    if open_returns and view.status == S.DELIVERED:
        return "return parcel(s) " + ", ".join(open_returns)
    return WAITING_FOR.get(view.status, "nothing: the order is closed")


def card(view: OrderView) -> str:
    lines = ", ".join(f"{line.quantity} x {line.sku}" for line in view.lines)
    warehouses = ", ".join(sorted({a.warehouse_id for a in view.allocations})) or "-"
    parcels = (
        "; ".join(
            f"{s.warehouse_id} {s.carrier or 'no carrier yet'} {s.status}" for s in view.shipments
        )
        or "-"
    )
    ship_by = f"{view.sla.ship_by:%Y-%m-%d %H:%M} UTC" if view.sla.ship_by else "-"
    late = " **(breached)**" if view.sla.breached else ""
    rows = [
        f"**Order {view.order_id}: {view.status.value}**",
        f"priority {view.priority} | risk {view.risk_level} | payment {view.payment.status}"
        f" {view.payment.amount}",
        f"lines: {lines}",
        f"warehouses: {warehouses}",
        f"parcels: {parcels}",
        f"ship by: {ship_by}{late}",
        f"waiting for: {waiting_for(view)}",
    ]
    if view.cancel_reason:
        rows.append(f"reason: {view.cancel_reason}")
    return "\n\n".join(rows)
