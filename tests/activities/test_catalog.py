from __future__ import annotations

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError

from activities.catalog import CatalogActivities, check_order_against_catalog
from models.activity_io import ValidateOrderInput
from models.errors import INVALID_ORDER


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
