"""The documents the README points users at stay valid."""

from __future__ import annotations

from pathlib import Path

from models.catalog import CatalogDocument
from models.order import OrderDocument
from models.sourcing_profile import SourcingProfile
from models.wms import WmsEvent

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_example_order_is_a_valid_order_document() -> None:
    order = OrderDocument.model_validate_json((DATA / "examples/order.json").read_text())
    assert order.workflow_id == "order-SO-1001"


def test_the_example_warehouse_events_are_valid() -> None:
    for name in ("receipt.json", "cycle-count.json"):
        WmsEvent.model_validate_json((DATA / "examples" / name).read_text())


def test_the_demo_catalog_and_the_sourcing_profile_load() -> None:
    catalog = CatalogDocument.model_validate_json((DATA / "catalog.json").read_text())
    profile = SourcingProfile.model_validate_json((DATA / "sourcing_profile.json").read_text())
    assert {w.warehouse_id for w in catalog.warehouses} <= set(profile.warehouses)
