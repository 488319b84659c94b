"""When short stock is expected back: open purchase orders first, else supplier lead time."""

from __future__ import annotations

import structlog
from sqlalchemy import Engine
from temporalio import activity

from activities.purchasing import open_purchase_orders, supplier_offers
from activities.sqltypes import utcnow
from models.backorder import RestockEstimates, RestockQuery, estimate_restock
from models.suppliers import category_of

log = structlog.get_logger(__name__)


def estimates_for(engine: Engine, *, skus: list[str]) -> RestockEstimates:
    today = utcnow().date()
    offers = supplier_offers(engine, categories=sorted({category_of(sku) for sku in skus}))
    estimates = []
    for sku in skus:
        orders = [
            (o["expected_on"], str(o["po_id"])) for o in open_purchase_orders(engine, sku=sku)
        ]
        lead_times = [o.lead_time_days for o in offers if o.category == category_of(sku)]
        estimates.append(estimate_restock(sku, today, orders, lead_times))  # type: ignore[arg-type]
    return RestockEstimates(estimates=estimates)


class RestockActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="estimate_restock")
    def estimate_restock(self, query: RestockQuery) -> RestockEstimates:
        result = estimates_for(self._engine, skus=query.skus)
        log.info("estimate_restock", skus=len(query.skus), outcome="estimated")
        return result
