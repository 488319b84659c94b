"""The analytics queries: records of a period from the read model, stock and the ledger.

Orders are picked by when the read model first saw them (`created_at`, the RECEIVED
record); their views carry the timeline, parcels, SLA, complaints and survey. Demand is
the stock ledger's `reserve` rows in the period, net of what the same reservation later
released (a cancelled order takes nothing), as replenishment counts it. The metrics
themselves live in models/ and are computed from these records.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine, func, select
from temporalio import activity

from activities import purchasing
from activities.db import reading
from activities.replenishment import net_reservations, stock_positions
from activities.sqltypes import utcnow
from activities.tables import Order, Shipment, StockLedger
from models.analytics import OrderRecord, record_from_view
from models.analytics_report import Report, build_report
from models.analytics_stock import SkuDemand, StockRecord
from models.monitor_snapshot import MonitorSnapshot, SnapshotInput, build_snapshot
from models.suppliers import ScoreWeights, SupplierOffer, category_of, score_suppliers
from models.view import OrderView

log = structlog.get_logger(__name__)
ORDERS, SHIPMENTS, LEDGER = Order.__table__, Shipment.__table__, StockLedger.__table__


def order_records(engine: Engine, *, start: datetime, end: datetime) -> list[OrderRecord]:
    """Orders first recorded in [start, end), oldest first."""
    query = (
        select(ORDERS.c.order_id, ORDERS.c.customer_id, ORDERS.c.created_at, ORDERS.c.view_json)
        .where(ORDERS.c.created_at >= start, ORDERS.c.created_at < end)
        .order_by(ORDERS.c.created_at, ORDERS.c.order_id)
    )
    with reading(engine) as connection:
        rows = connection.execute(query).all()
        ids = [row.order_id for row in rows]
        destinations: dict[str, dict[str, str]] = defaultdict(dict)
        for chunk in range(0, len(ids), 500):  # bounded IN lists
            where = SHIPMENTS.c.order_id.in_(ids[chunk : chunk + 500])
            parcels = select(
                SHIPMENTS.c.order_id, SHIPMENTS.c.shipment_id, SHIPMENTS.c.destination
            ).where(where)
            for order_id, shipment_id, destination in connection.execute(parcels):
                destinations[order_id][shipment_id] = destination
    return [
        record_from_view(
            OrderView.model_validate_json(row.view_json),
            placed_at=row.created_at,
            customer_id=row.customer_id,
            destinations=destinations.get(row.order_id),
        )
        for row in rows
    ]


def lead_times_by_sku(engine: Engine) -> dict[str, int]:
    """SKU category -> the lead time of its best-scored supplier (as replenishment orders)."""
    by_category: dict[str, list[SupplierOffer]] = defaultdict(list)
    for offer in purchasing.supplier_offers(engine):
        by_category[offer.category].append(offer)
    best = {}
    for category, offers in by_category.items():
        ranked = score_suppliers(offers, ScoreWeights())
        best[category] = ranked[0].offer.lead_time_days
    return best


def stock_records(engine: Engine) -> list[StockRecord]:
    leads = lead_times_by_sku(engine)
    return [
        StockRecord(
            sku=p.sku,
            warehouse_id=p.warehouse_id,
            on_hand=p.on_hand,
            reserved=p.reserved,
            safety_stock=p.safety_stock,
            on_order=p.on_order,
            lead_time_days=leads.get(category_of(p.sku)),
        )
        for p in stock_positions(engine)
    ]


def sku_demand(engine: Engine, *, start: datetime, end: datetime) -> list[SkuDemand]:
    """Net units reserved in [start, end) per SKU and warehouse (pairs with demand only)."""
    rows, net = net_reservations()
    query = (
        select(LEDGER.c.sku, LEDGER.c.warehouse_id, func.sum(net))
        .select_from(rows)
        .where(LEDGER.c.kind == "reserve", LEDGER.c.at >= start, LEDGER.c.at < end)
        .group_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
        .order_by(LEDGER.c.sku, LEDGER.c.warehouse_id)
    )
    with reading(engine) as connection:
        rows = connection.execute(query).all()
    return [SkuDemand(sku=s, warehouse_id=w, units=max(0, int(u))) for s, w, u in rows if u]


def period(
    engine: Engine, *, start: datetime | None = None, end: datetime | None = None
) -> tuple[datetime, datetime]:
    """The report's period: to now by default, from the first order (or a day before `end`)."""
    end = end or utcnow()
    if start is None:
        with reading(engine) as connection:
            first = connection.execute(select(func.min(ORDERS.c.created_at))).scalar()
        start = first if first is not None and first < end else end - timedelta(days=1)
    return start, end


def period_report(
    engine: Engine, *, start: datetime | None = None, end: datetime | None = None
) -> Report:
    begin, finish = period(engine, start=start, end=end)
    return build_report(
        order_records(engine, start=begin, end=finish),
        stock_records(engine),
        sku_demand(engine, start=begin, end=finish),
        start=begin,
        end=finish,
    )


class AnalyticsActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="analytics_snapshot")
    def analytics_snapshot(self, data: SnapshotInput) -> MonitorSnapshot:
        start = data.as_of - timedelta(days=data.baseline_days)
        end = data.as_of + timedelta(microseconds=1)  # as_of itself is inside
        snapshot = build_snapshot(
            data,
            order_records(self._engine, start=start, end=end),
            stock_records(self._engine),
            sku_demand(self._engine, start=start, end=end),
        )
        log.info(
            "analytics_snapshot",
            as_of=data.as_of.isoformat(),
            transit=len(snapshot.transit),
            covers=len(snapshot.covers),
            recent_orders=snapshot.risk.recent_orders,
        )
        return snapshot
