"""Builders for the documents the domain tests feed in."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from models.order import OrderDocument

ORDER: dict[str, Any] = {
    "order_id": "SO-1001",
    "placed_at": "2026-12-03T10:00:00Z",
    "channel": "web",
    "customer": {
        "customer_id": "C-1",
        "name": "Li Lei",
        "email": "li@example.com",
        "phone": "+86 138 0000 0000",
        "tier": "standard",
    },
    "shipping_address": {
        "recipient": "Li Lei",
        "phone": "+86 138 0000 0000",
        "country": "CN",
        "province": "Shanghai",
        "city": "Shanghai",
        "district": "Pudong",
        "street": "1 Century Ave",
        "postal_code": "200120",
        "lat": 31.23,
        "lon": 121.50,
    },
    "lines": [{"sku": "TEA-001", "quantity": 2, "unit_price": "59.90"}],
    "payment": {"method": "card", "token": "tok_ok"},
    "shipping": {"service_level": "standard"},
    "promotion_code": None,
}


@pytest.fixture
def order_data() -> dict[str, Any]:
    """A fresh copy of the contract's example order, safe to mutate."""
    return copy.deepcopy(ORDER)


@pytest.fixture
def make_order(order_data: dict[str, Any]) -> Callable[..., OrderDocument]:
    """`make_order(tier="vip", service_level="expedited", lines=[...])` and so on."""

    def build(
        *,
        tier: str = "standard",
        service_level: str = "standard",
        promotion_code: str | None = None,
        lines: list[dict[str, Any]] | None = None,
        **address: Any,
    ) -> OrderDocument:
        data = copy.deepcopy(order_data)
        data["customer"]["tier"] = tier
        data["shipping"]["service_level"] = service_level
        data["promotion_code"] = promotion_code
        if lines is not None:
            data["lines"] = lines
        data["shipping_address"].update(address)
        return OrderDocument.model_validate(data)

    return build
