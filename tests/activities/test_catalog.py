from __future__ import annotations

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError

from activities.catalog import CatalogActivities, check_order_against_catalog
from models.activity_io import StockQuery, ValidateOrderInput
from models.errors import INVALID_ORDER
from models.sourcing_profile import SourcingProfile
from workers.settings import load_settings
from workers.worker import load_sourcing_profile


def test_validate_order_names_the_line_with_the_unknown_sku(seeded: Engine, make_order) -> None:
    order = make_order(("TEA", 1), ("XYZ", 2))

    with pytest.raises(ApplicationError) as raised:
        CatalogActivities(seeded).validate_order(ValidateOrderInput(order=order))

    assert raised.value.type == INVALID_ORDER and raised.value.non_retryable
    assert raised.value.message == "lines[1].sku: unknown SKU XYZ"
    assert check_order_against_catalog(seeded, order=order) == "lines[1].sku: unknown SKU XYZ"


def test_validate_order_returns_product_facts_and_every_carrier(seeded: Engine, make_order) -> None:
    result = CatalogActivities(seeded).validate_order(
        ValidateOrderInput(order=make_order(("TEA", 1), ("MUG", 2)))
    )

    assert [(p.sku, p.weight_kg, p.volume_l) for p in result.products] == [
        ("MUG", 0.4, 1.0),
        ("TEA", 0.3, 0.8),
    ]
    assert [c.carrier_id for c in result.carriers] == ["CHEAP", "FAST", "SLOW-DOWN"]
    fast = next(c for c in result.carriers if c.carrier_id == "FAST")
    assert fast.service_levels == ["standard", "expedited"]
    assert str(result.carriers[0].base_cost) == "5.00"


def test_a_valid_order_has_no_catalog_problem(seeded: Engine, make_order) -> None:
    assert check_order_against_catalog(seeded, order=make_order(("HOT", 1))) is None


def test_stock_levels_carry_the_sourcing_profile_in_force(seeded: Engine) -> None:
    profile = SourcingProfile(version="2026.12-test")
    catalog = CatalogActivities(seeded, sourcing_profile=profile)

    snapshot = catalog.get_stock_levels(StockQuery(skus=["TEA"]))

    assert snapshot.profile == profile
    assert CatalogActivities(seeded).get_stock_levels(StockQuery(skus=["TEA"])).profile is None


def test_the_worker_loads_the_checked_in_sourcing_profile() -> None:
    profile = load_sourcing_profile(load_settings())
    assert profile is not None and profile.version
    missing = load_sourcing_profile(load_settings(oms_sourcing_profile="/nonexistent.json"))
    assert missing is None
