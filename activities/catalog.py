"""The catalog: seeding it, checking orders against it, and stock snapshots for sourcing."""

from __future__ import annotations

import structlog
from sqlalchemy import Connection, Engine, exists, func, select, update
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import reading, upsert
from activities.ledger import receive_in
from activities.tables import Carrier, Product, Stock, Warehouse
from models.activity_io import (
    ProductFacts,
    StockQuery,
    StockSnapshot,
    ValidateOrderInput,
    ValidateOrderResult,
    WarehouseStock,
)
from models.catalog import CarrierDoc, CatalogDocument
from models.errors import INVALID_ORDER
from models.order import OrderDocument
from models.sourcing_profile import SourcingProfile

log = structlog.get_logger(__name__)
PRODUCTS, WAREHOUSES, CARRIERS, STOCK = (
    Product.__table__,
    Warehouse.__table__,
    Carrier.__table__,
    Stock.__table__,
)


def seed_catalog(engine: Engine, *, doc: CatalogDocument) -> dict[str, int]:
    """Upsert warehouses, products and carriers; load each stock row's on_hand only once.

    The first load of a stock row is an `inbound` ledger row keyed `seed:{wh}:{sku}`, so
    seeding again changes no counter and the counters keep equal to the ledger.
    """
    loaded = 0
    with engine.begin() as connection:
        for warehouse in doc.warehouses:
            upsert(connection, WAREHOUSES, warehouse.model_dump(), key=("warehouse_id",))
        for product in doc.products:
            upsert(connection, PRODUCTS, product.model_dump(), key=("sku",))
        for carrier in doc.carriers:
            upsert(connection, CARRIERS, carrier.model_dump(), key=("carrier_id",))
        for index, row in enumerate(doc.stock):
            _check_stock_refs(connection, index, row.sku, row.warehouse_id)
            key = f"seed:{row.warehouse_id}:{row.sku}"
            loaded += receive_in(
                connection,
                sku=row.sku,
                warehouse_id=row.warehouse_id,
                quantity=row.on_hand,
                idempotency_key=key,
            )
            connection.execute(
                update(STOCK)
                .where(STOCK.c.sku == row.sku, STOCK.c.warehouse_id == row.warehouse_id)
                .values(safety_stock=row.safety_stock)
            )
    counts = {
        "warehouses": len(doc.warehouses),
        "products": len(doc.products),
        "carriers": len(doc.carriers),
        "stock": len(doc.stock),
        "stock_loaded": loaded,
    }
    log.info("seed_catalog", outcome="seeded", **counts)
    return counts


def _check_stock_refs(connection: Connection, index: int, sku: str, warehouse_id: str) -> None:
    if connection.scalar(select(exists().where(PRODUCTS.c.sku == sku))) is not True:
        raise ValueError(f"stock[{index}].sku: unknown SKU {sku}")
    if (
        connection.scalar(select(exists().where(WAREHOUSES.c.warehouse_id == warehouse_id)))
        is not True
    ):
        raise ValueError(f"stock[{index}].warehouse_id: unknown warehouse {warehouse_id}")


def catalog_is_empty(engine: Engine) -> bool:
    with reading(engine) as connection:
        return not connection.scalar(select(func.count()).select_from(PRODUCTS))


def _problem(connection: Connection, order: OrderDocument) -> str | None:
    skus = [line.sku for line in order.lines]
    known = set(connection.scalars(select(PRODUCTS.c.sku).where(PRODUCTS.c.sku.in_(skus))))
    for index, sku in enumerate(skus):
        if sku not in known:
            return f"lines[{index}].sku: unknown SKU {sku}"
    return None


def check_order_against_catalog(engine: Engine, *, order: OrderDocument) -> str | None:
    """The one-line problem naming the field (as validate_order reports it), or None."""
    with reading(engine) as connection:
        return _problem(connection, order)


class CatalogActivities:
    def __init__(self, engine: Engine, *, sourcing_profile: SourcingProfile | None = None) -> None:
        self._engine = engine
        self._profile = sourcing_profile  # handed to the workflow with every stock reading

    @activity.defn(name="validate_order")
    def validate_order(self, data: ValidateOrderInput) -> ValidateOrderResult:
        order_id = data.order.order_id
        with reading(self._engine) as connection:
            problem = _problem(connection, data.order)
            if problem is None:
                skus = [line.sku for line in data.order.lines]
                columns = (PRODUCTS.c.sku, PRODUCTS.c.weight_kg, PRODUCTS.c.volume_l)
                products = connection.execute(
                    select(*columns, PRODUCTS.c.similar)
                    .where(PRODUCTS.c.sku.in_(skus))
                    .order_by(PRODUCTS.c.sku)
                ).all()
                carriers = connection.execute(
                    select(CARRIERS).order_by(CARRIERS.c.carrier_id)
                ).mappings()
                result = ValidateOrderResult(
                    products=[
                        ProductFacts(sku=s, weight_kg=w, volume_l=v, similar=list(similar or []))
                        for s, w, v, similar in products
                    ],
                    # NULL optional columns mean "not said": the model's defaults.
                    carriers=[
                        CarrierDoc.model_validate({k: v for k, v in row.items() if v is not None})
                        for row in carriers
                    ],
                )
        if problem is not None:
            log.info("validate_order", order_id=order_id, outcome="invalid")
            raise ApplicationError(problem, type=INVALID_ORDER, non_retryable=True)
        log.info("validate_order", order_id=order_id, outcome="valid")
        return result

    @activity.defn(name="get_stock_levels")
    def get_stock_levels(self, data: StockQuery) -> StockSnapshot:
        with reading(self._engine) as connection:
            warehouses = connection.execute(
                select(WAREHOUSES).order_by(WAREHOUSES.c.warehouse_id)
            ).all()
            levels = connection.execute(
                select(STOCK.c.warehouse_id, STOCK.c.sku, STOCK.c.on_hand - STOCK.c.reserved).where(
                    STOCK.c.sku.in_(data.skus)
                )
            ).all()
        available: dict[str, dict[str, int]] = {w.warehouse_id: {} for w in warehouses}
        for warehouse_id, sku, quantity in levels:
            available.setdefault(warehouse_id, {})[sku] = int(quantity)
        snapshot = StockSnapshot(
            warehouses=[
                WarehouseStock(
                    warehouse_id=w.warehouse_id,
                    lat=w.lat,
                    lon=w.lon,
                    # every requested SKU appears, 0 where the warehouse has none
                    available={sku: available[w.warehouse_id].get(sku, 0) for sku in data.skus},
                )
                for w in warehouses
            ],
            profile=self._profile,
        )
        log.info("get_stock_levels", skus=len(data.skus), outcome="ok")
        return snapshot
