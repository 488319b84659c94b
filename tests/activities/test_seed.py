from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from activities.catalog import catalog_is_empty, seed_catalog
from activities.ledger import list_inventory, receive, stock_drift
from activities.stock import reserve
from models.catalog import CatalogDocument
from models.order import OrderDocument
from models.view import Allocation
from tests.activities.conftest import CATALOG

DEMO = Path(__file__).resolve().parents[2] / "data" / "catalog.json"


def test_seeding_the_demo_catalog_twice_changes_nothing_and_counters_equal_the_ledger(
    engine: Engine,
) -> None:
    doc = CatalogDocument.model_validate_json(DEMO.read_text())
    assert catalog_is_empty(engine)

    first = seed_catalog(engine, doc=doc)
    inventory = list_inventory(engine)
    second = seed_catalog(engine, doc=doc)

    assert first["stock_loaded"] == len(doc.stock) and second["stock_loaded"] == 0
    assert list_inventory(engine) == inventory
    assert len(inventory) == len(doc.stock)
    assert not catalog_is_empty(engine)
    assert stock_drift(engine) == []


def test_the_demo_catalog_has_scarce_and_bulky_products_four_carriers_and_own_vans() -> None:
    doc = CatalogDocument.model_validate_json(DEMO.read_text())
    skus = {p.sku for p in doc.products}
    assert len(doc.warehouses) >= 5 and len(doc.products) >= 30 and len(doc.carriers) == 5
    assert [c.carrier_id for c in doc.carriers if c.zones] == ["FLEET"]  # same city only
    assert all(c.zone_days for c in doc.carriers)
    assert {s.sku for s in doc.stock} <= skus
    assert all(set(p.similar) <= skus for p in doc.products)
    assert any(p.weight_kg > 30 for p in doc.products)
    assert any(0 < s.on_hand <= 10 for s in doc.stock)


def test_reseeding_keeps_stock_that_moved_since_the_first_load(seeded: Engine) -> None:
    reserve(
        seeded,
        order_id="SO-1",
        idempotency_key="SO-1:reserve:1",
        allocations=[Allocation(sku="TEA", warehouse_id="WH-A", quantity=4)],
    )
    receive(seeded, sku="TEA", warehouse_id="WH-A", quantity=5, idempotency_key="po-1")

    seed_catalog(seeded, doc=CATALOG)

    [row] = list_inventory(seeded, sku="TEA")[:1]
    assert row == {
        "sku": "TEA",
        "warehouse_id": "WH-A",
        "on_hand": 15,
        "reserved": 4,
        "available": 11,
        "safety_stock": 2,
    }
    assert stock_drift(seeded) == []


def test_receiving_the_same_delivery_twice_counts_it_once(seeded: Engine) -> None:
    assert receive(seeded, sku="MUG", warehouse_id="WH-B", quantity=7, idempotency_key="po-9")
    assert not receive(seeded, sku="MUG", warehouse_id="WH-B", quantity=7, idempotency_key="po-9")
    assert list_inventory(seeded, sku="MUG")[1]["on_hand"] == 7


def test_seeding_stock_of_an_unknown_sku_names_the_row_and_loads_nothing(engine: Engine) -> None:
    bad = CATALOG.model_copy(deep=True)
    bad.stock[1].sku = "NOPE"

    with pytest.raises(ValueError, match=r"stock\[1\]\.sku: unknown SKU NOPE"):
        seed_catalog(engine, doc=bad)
    assert catalog_is_empty(engine)


def test_zone_data_of_carriers_round_trips_and_an_older_database_gets_the_columns(
    engine: Engine, make_order: Callable[..., OrderDocument]
) -> None:
    from sqlalchemy import inspect, text

    from activities.catalog import CatalogActivities
    from activities.db import add_missing_columns
    from activities.tables import Carrier
    from models.activity_io import ValidateOrderInput

    with engine.begin() as connection:  # a database made before the zone columns
        connection.execute(text("ALTER TABLE carriers DROP COLUMN zones"))
    assert add_missing_columns(engine, Carrier.__table__) == ["zones"]  # type: ignore[arg-type]
    assert "zones" in {c["name"] for c in inspect(engine).get_columns("carriers")}
    doc = CatalogDocument.model_validate_json(DEMO.read_text())
    seed_catalog(engine, doc=doc)
    order = make_order((doc.products[0].sku, 1))
    facts = CatalogActivities(engine).validate_order(ValidateOrderInput(order=order))
    fleet = next(c for c in facts.carriers if c.carrier_id == "FLEET")
    assert fleet.zones == ["same_city"] and fleet.zone_days == {"same_city": 1}
    jd = next(c for c in facts.carriers if c.carrier_id == "JD")
    assert jd.takes_bulky is True and jd.zones == []
