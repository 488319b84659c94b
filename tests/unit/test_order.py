"""The order document refuses bad input with one line that names the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from models.order import OrderDocument, Tier
from models.validation import describe, field_path

_DROP = object()


def _edit(data: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        OrderDocument.model_validate(data)
    return describe(caught.value)


QTY = ("lines", 0, "quantity")
PRICE = ("lines", 0, "unit_price")


def _at(*path: str | int) -> tuple[str | int, ...]:
    return path


# (path to edit, new value, the exact start of describe()'s line)
BAD_INPUT = [
    pytest.param(QTY, 0, "lines[0].quantity: Input should be greater", id="zero qty"),
    pytest.param(QTY, -3, "lines[0].quantity: Input should be greater", id="negative qty"),
    pytest.param(QTY, _DROP, "lines[0].quantity: Field required", id="missing qty"),
    pytest.param(QTY, True, "lines[0].quantity: Input should be a valid int", id="bool qty"),
    pytest.param(QTY, "2", "lines[0].quantity: Input should be a valid int", id="text qty"),
    pytest.param(QTY, 2.5, "lines[0].quantity: Input should be a valid", id="fractional qty"),
    pytest.param(QTY, 10_001, "lines[0].quantity: Input should be less", id="huge qty"),
    pytest.param(PRICE, "abc", "lines[0].unit_price: Value error, money", id="word price"),
    pytest.param(PRICE, 59.9, "lines[0].unit_price: Value error, money", id="float price"),
    pytest.param(PRICE, "1e3", "lines[0].unit_price: Value error, money", id="exponent price"),
    pytest.param(PRICE, True, "lines[0].unit_price: Value error, money", id="bool price"),
    pytest.param(PRICE, "1.234", "lines[0].unit_price: Decimal input", id="sub-cent price"),
    pytest.param(PRICE, "-1.00", "lines[0].unit_price: Input should be", id="negative price"),
    pytest.param(PRICE, "Infinity", "lines[0].unit_price: Value error, money", id="infinity"),
    pytest.param(_at("lines"), [], "lines: List should have at least 1 item", id="no lines"),
    pytest.param(
        _at("shipping_address", "street"),
        _DROP,
        "shipping_address.street: Field required",
        id="missing street",
    ),
    pytest.param(
        _at("shipping_address", "city"),
        _DROP,
        "shipping_address.city: Field required",
        id="missing city",
    ),
    pytest.param(
        _at("shipping_address", "recipient"),
        "  ",
        "shipping_address.recipient: String should have at least 1",
        id="blank recipient",
    ),
    pytest.param(
        _at("shipping_address"), _DROP, "shipping_address: Field required", id="no address"
    ),
    pytest.param(
        _at("shipping_address", "country"),
        "CHN",
        "shipping_address.country: String should have at most 2",
        id="three-letter country",
    ),
    pytest.param(
        _at("shipping_address", "lat"),
        91,
        "shipping_address.lat: Input should be less than or equal to 90",
        id="latitude off the globe",
    ),
    pytest.param(
        _at("shipping_address", "lon"),
        None,
        "shipping_address: Value error, lat and lon must be given together",
        id="lat without lon",
    ),
    pytest.param(
        _at("customer", "email"), "li@", "customer.email: String should match", id="bad email"
    ),
    pytest.param(
        _at("customer", "tier"), "gold", "customer.tier: Input should be", id="unknown tier"
    ),
    pytest.param(
        _at("shipping", "service_level"),
        "drone",
        "shipping.service_level: Input should be",
        id="unknown service level",
    ),
    pytest.param(
        _at("placed_at"),
        "2026-12-03T10:00:00",
        "placed_at: Input should have timezone info",
        id="naive placed_at",
    ),
    pytest.param(
        _at("placed_at"), "yesterday", "placed_at: Input should be a valid", id="bad placed_at"
    ),
    pytest.param(
        _at("order_id"), "SO 1001", "order_id: String should match", id="space in order id"
    ),
]


@pytest.mark.parametrize(("path", "value", "expected"), BAD_INPUT)
def test_refuses_bad_input_naming_the_field(
    order_data: dict[str, Any], path: tuple[str | int, ...], value: object, expected: str
) -> None:
    _edit(order_data, path, value)
    assert _refusal(order_data).startswith(expected)


def test_refuses_a_sku_that_appears_on_two_lines(order_data: dict[str, Any]) -> None:
    order_data["lines"].append({"sku": "TEA-001", "quantity": 1, "unit_price": "59.90"})
    assert _refusal(order_data) == "lines: Value error, sku TEA-001 appears twice; merge the lines"


def test_describe_counts_the_errors_it_does_not_spell_out(order_data: dict[str, Any]) -> None:
    order_data["lines"][0]["quantity"] = 0
    del order_data["shipping_address"]["street"]
    assert _refusal(order_data).endswith("(and 1 more)")


def test_field_path_writes_indexes_in_brackets() -> None:
    assert field_path(("lines", 0, "quantity")) == "lines[0].quantity"
    assert field_path(("order_id",)) == "order_id"
    assert field_path(()) == "document"


def test_accepts_the_contract_example(order_data: dict[str, Any]) -> None:
    order = OrderDocument.model_validate(order_data)
    assert order.placed_at == datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert order.customer.tier is Tier.STANDARD
    assert order.workflow_id == "order-SO-1001"


def test_total_is_exact_decimal_money(order_data: dict[str, Any]) -> None:
    order_data["lines"].append({"sku": "CUP-001", "quantity": 3, "unit_price": "0.10"})
    assert OrderDocument.model_validate(order_data).total == Decimal("120.10")


def test_accepts_whole_numbers_and_decimals_as_money(order_data: dict[str, Any]) -> None:
    order_data["lines"] = [
        {"sku": "A", "quantity": 1, "unit_price": 5},
        {"sku": "B", "quantity": 1, "unit_price": Decimal("1.25")},
    ]
    assert OrderDocument.model_validate(order_data).total == Decimal("6.25")


def test_normalises_country_and_blank_promotion_code(order_data: dict[str, Any]) -> None:
    order_data["shipping_address"]["country"] = "cn"
    order_data["promotion_code"] = "   "
    order = OrderDocument.model_validate(order_data)
    assert order.shipping_address.country == "CN"
    assert order.promotion_code is None


def test_ignores_fields_a_newer_storefront_adds(order_data: dict[str, Any]) -> None:
    order_data["gift_wrap"] = True
    assert "gift_wrap" not in OrderDocument.model_validate(order_data).model_dump()


def test_survives_a_json_round_trip_like_the_data_converter(
    make_order: Callable[..., OrderDocument],
) -> None:
    order = make_order(tier="vip", promotion_code="X11")
    assert OrderDocument.model_validate_json(order.model_dump_json()) == order
