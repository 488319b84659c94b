"""Safety stock, reorder points, supplier choice and the replenishment decision per SKU.

For one SKU in one warehouse, with the chosen supplier's lead time L (days), the forecast
(models.forecast) and its daily error sigma:

    safety stock       SS  = z(service level) * sigma * sqrt(L), rounded up
    reorder point      ROP = forecast demand over L + SS
    order-up-to level  OUT = forecast demand over L + review days + SS
    inventory position IP  = on_hand - reserved + on order (open purchase orders)

Reorder when IP <= ROP, the quantity that brings IP up to OUT. Alert ops when available
(on_hand - reserved) is under the safety stock. Suppliers for the SKU's category are
ranked by a weighted score (models.suppliers); every number behind a decision is in its
reasons. models.replenishment_records turns decisions into what the pass writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from statistics import NormalDist

from pydantic import BaseModel, Field

from models.forecast import Smoothing, forecast
from models.replenishment_io import DemandSeries, StockPosition
from models.suppliers import (
    ScoreWeights,
    SupplierOffer,
    SupplierScore,
    category_of,
    score_suppliers,
)

DEFAULT_LEAD_TIME_DAYS = 7  # for the safety stock of a SKU no supplier offers


class Policy(BaseModel):
    service_level: float = Field(default=0.95, gt=0.5, lt=1)
    review_days: int = Field(default=7, ge=1)
    # With less history the forecast is too thin to move safety stock: keep the configured one.
    min_history_days: int = 7
    weights: ScoreWeights = ScoreWeights()
    smoothing: Smoothing = Smoothing()


class Decision(BaseModel):
    sku: str
    warehouse_id: str
    method: str
    forecast_daily: float
    sigma: float
    lead_time_days: int
    safety_stock: int  # the level to store on the stock row
    reorder_point: float
    order_up_to: float
    inventory_position: int
    available: int
    reorder: bool = False
    quantity: int = 0
    supplier: SupplierOffer | None = None
    unit_cost: Decimal | None = None
    below_safety_stock: bool = False
    no_supplier: bool = False  # a reorder is due but nobody offers the category
    reasons: list[str] = Field(default_factory=list)


def z_value(service_level: float) -> float:
    """Standard normal quantile: 0.95 -> 1.645, 0.99 -> 2.326."""
    return NormalDist().inv_cdf(service_level)


def safety_stock(sigma: float, lead_time_days: int, service_level: float) -> int:
    raw = z_value(service_level) * sigma * math.sqrt(lead_time_days)
    return max(0, math.ceil(raw - 1e-9))


def decide(
    position: StockPosition, daily: Sequence[int], offers: Sequence[SupplierOffer], policy: Policy
) -> Decision:
    ranked = score_suppliers(
        [o for o in offers if o.category == category_of(position.sku)], policy.weights
    )
    best = ranked[0] if ranked else None
    lead = best.offer.lead_time_days if best else DEFAULT_LEAD_TIME_DAYS
    outlook = forecast(daily, lead + policy.review_days, policy.smoothing)
    reasons = [
        f"{outlook.method} forecast {outlook.daily:.2f}/day (sigma {outlook.sigma:.2f}) "
        f"from {len(daily)} days"
    ]
    if len(daily) >= policy.min_history_days:
        safety = safety_stock(outlook.sigma, lead, policy.service_level)
        reasons.append(
            f"safety stock {safety} = z {z_value(policy.service_level):.3f} x sigma "
            f"{outlook.sigma:.2f} x sqrt({lead}d)"
        )
    else:
        safety = position.safety_stock
        reasons.append(f"only {len(daily)} days of history: safety stock stays {safety}")
    rop = outlook.demand_over(lead) + safety
    out = outlook.demand_over(lead + policy.review_days) + safety
    ip = position.inventory_position
    decision = Decision(
        sku=position.sku,
        warehouse_id=position.warehouse_id,
        method=outlook.method,
        forecast_daily=outlook.daily,
        sigma=outlook.sigma,
        lead_time_days=lead,
        safety_stock=safety,
        reorder_point=rop,
        order_up_to=out,
        inventory_position=ip,
        available=position.available,
        below_safety_stock=position.available < safety,
        reasons=reasons,
    )
    decision.reasons.append(
        f"position {ip} (on hand {position.on_hand} - reserved {position.reserved} + on order "
        f"{position.on_order}) vs reorder point {rop:.1f}"
    )
    quantity = math.ceil(out - ip - 1e-9)
    if ip > rop or quantity <= 0:
        decision.reasons.append("no reorder: the position covers the lead time")
    elif best is None:
        decision.no_supplier = True
        decision.reasons.append(
            f"reorder needed but no supplier offers {category_of(position.sku)}"
        )
    else:
        _order(decision, quantity, best, ranked[1:], position.list_price)
    return decision


def _order(
    decision: Decision,
    quantity: int,
    best: SupplierScore,
    others: Sequence[SupplierScore],
    list_price: Decimal,
) -> None:
    decision.reorder, decision.quantity, decision.supplier = True, quantity, best.offer
    ratio = Decimal(str(best.offer.price_ratio))
    decision.unit_cost = (list_price * ratio).quantize(Decimal("0.01"))
    decision.reasons.append(f"order {quantity} up to {decision.order_up_to:.1f}: {best.reason}")
    decision.reasons += [f"passed over {s.reason}" for s in others]


def plan(
    positions: Sequence[StockPosition],
    history: Sequence[DemandSeries],
    offers: Sequence[SupplierOffer],
    policy: Policy,
) -> list[Decision]:
    """One decision per stock row; a pair without history has an empty series."""
    daily = {(s.sku, s.warehouse_id): s.daily for s in history}
    return [decide(p, daily.get((p.sku, p.warehouse_id), []), offers, policy) for p in positions]
