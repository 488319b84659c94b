"""The database as the commands see it: schema, seed, catalog checks, inventory."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from activities.catalog import catalog_is_empty, check_order_against_catalog, seed_catalog
from activities.db import create_schema, make_engine, reading
from activities.ledger import list_inventory
from activities.tables import Order, Product
from cli.documents import load_catalog
from cli.output import CommandError, InvalidInput
from models.catalog import CatalogDocument
from models.order import OrderDocument
from workers.settings import Settings


def engine_for(settings: Settings) -> Engine:
    engine = make_engine(settings.oms_database_url)
    create_schema(engine)  # idempotent; a fresh database gets its tables
    return engine


def seed(settings: Settings, doc: CatalogDocument) -> dict[str, int]:
    try:
        return seed_catalog(engine_for(settings), doc=doc)
    except ValueError as error:  # a stock row naming an unknown SKU or warehouse
        raise InvalidInput(str(error)) from None


def ensure_seeded(settings: Settings, catalog_path: Path) -> dict[str, int] | None:
    """Seed `catalog_path` when the database has no products; the counts, or None."""
    engine = engine_for(settings)
    if not catalog_is_empty(engine):
        return None
    return seed_catalog(engine, doc=load_catalog(str(catalog_path)))


def check_order(settings: Settings, order: OrderDocument) -> None:
    engine = engine_for(settings)
    if catalog_is_empty(engine):
        raise CommandError(
            "the catalog is empty: seed it first (python starter.py seed --file data/catalog.json)"
        )
    problem = check_order_against_catalog(engine, order=order)
    if problem:
        raise InvalidInput(problem)


def inventory(settings: Settings, sku: str | None = None) -> list[dict[str, object]]:
    return list_inventory(engine_for(settings), sku=sku)


def prices(settings: Settings) -> dict[str, Decimal]:
    """sku -> catalog price, for generated orders."""
    table = Product.__table__
    with reading(engine_for(settings)) as connection:
        rows = connection.execute(select(table.c.sku, table.c.price)).all()
    return {sku: Decimal(str(price)) for sku, price in rows}


def order_states(engine: Engine, prefix: str) -> list[tuple[str, str, str]]:
    """(order_id, status, view_json) from the read model for order ids starting `prefix`."""
    table = Order.__table__
    query = select(table.c.order_id, table.c.status, table.c.view_json).where(
        table.c.order_id.startswith(prefix, autoescape=True)
    )
    with reading(engine) as connection:
        return [(row[0], row[1], row[2]) for row in connection.execute(query).all()]
