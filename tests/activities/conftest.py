"""A real database per test, a small catalog, and builders for activity inputs.

Every test that takes `engine` (or `seeded`) runs on a SQLite file of its own, and also
on PostgreSQL when OMS_TEST_POSTGRES_URL is set (`bash scripts/postgres.sh | tail -1`).
On PostgreSQL each run works in a schema of its own (so runs never meet), created once
and emptied before every test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from activities.catalog import seed_catalog
from activities.db import create_schema, make_engine
from models.catalog import CatalogDocument
from models.order import Address, Customer, OrderDocument

CATALOG = CatalogDocument.model_validate(
    {
        "warehouses": [
            {"warehouse_id": "WH-A", "name": "Alpha DC", "lat": 31.2, "lon": 121.5},
            {"warehouse_id": "WH-B", "name": "Beta DC", "lat": 39.9, "lon": 116.4},
        ],
        "products": [
            {"sku": "TEA", "name": "Tea", "price": "59.90", "weight_kg": 0.3, "volume_l": 0.8},
            {"sku": "MUG", "name": "Mug", "price": "25.00", "weight_kg": 0.4, "volume_l": 1.0},
            {"sku": "HOT", "name": "Hot item", "price": "9.90", "weight_kg": 0.1, "volume_l": 0.1},
        ],
        "stock": [
            {"warehouse_id": "WH-A", "sku": "TEA", "on_hand": 10, "safety_stock": 2},
            {"warehouse_id": "WH-B", "sku": "TEA", "on_hand": 5},
            {"warehouse_id": "WH-A", "sku": "MUG", "on_hand": 3},
            {"warehouse_id": "WH-A", "sku": "HOT", "on_hand": 30},
        ],
        "carriers": [
            {"carrier_id": "FAST", "name": "Fast", "service_levels": ["standard", "expedited"]},
            {"carrier_id": "CHEAP", "name": "Cheap", "base_cost": "5.00"},
            {"carrier_id": "SLOW-DOWN", "name": "Always down"},
        ],
    }
)


POSTGRES_URL = os.environ.get("OMS_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh schema for this run, dropped at the end."""
    schema = f"oms_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _emptied(engine: Engine) -> Engine:
    create_schema(engine)  # once per run; later only checks the tables are there
    # DELETE, not TRUNCATE: it needs no exclusive lock, and tiny tables empty faster.
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        ).all()
        for sequence in sequences:  # ids start at 1 again, as in a fresh SQLite file
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    return engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgresql":
        engine = _emptied(make_engine(request.getfixturevalue("postgres_url")))
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'oms.db'}")
        create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_catalog(engine, doc=CATALOG)
    return engine


CUSTOMER = Customer(
    customer_id="C-1", name="Li Lei", email="li@example.com", phone="+86 138 0000 0000"
)
ADDRESS = Address(
    recipient="Li Lei",
    phone="+86 138 0000 0000",
    country="CN",
    province="Shanghai",
    city="Shanghai",
    street="1 Century Ave",
    postal_code="200120",
)


@pytest.fixture
def make_order() -> Callable[..., OrderDocument]:
    def build(*lines: tuple[str, int], **changes: Any) -> OrderDocument:
        return OrderDocument(
            order_id=changes.pop("order_id", "SO-1"),
            placed_at="2026-12-03T10:00:00Z",
            customer=CUSTOMER,
            shipping_address=ADDRESS,
            lines=[{"sku": s, "quantity": q, "unit_price": "1.00"} for s, q in lines],
            payment={"method": "card", "token": "tok_ok"},
            **changes,
        )

    return build
