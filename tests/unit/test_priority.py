"""Priority rules: VIP and expedited go first, promotion orders wait."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.order import OrderDocument
from models.priority import clamp, classify, escalate

MakeOrder = Callable[..., OrderDocument]


def test_a_plain_order_keeps_the_base_priority(make_order: MakeOrder) -> None:
    priority = classify(make_order())
    assert (priority.value, priority.reasons) == (50, [])


def test_vip_customers_go_first(make_order: MakeOrder) -> None:
    priority = classify(make_order(tier="vip"))
    assert (priority.value, priority.reasons) == (70, ["vip customer +20"])


def test_expedited_orders_go_first(make_order: MakeOrder) -> None:
    priority = classify(make_order(service_level="expedited"))
    assert (priority.value, priority.reasons) == (70, ["expedited +20"])


def test_promotion_orders_wait(make_order: MakeOrder) -> None:
    priority = classify(make_order(promotion_code="SINGLES11"))
    assert (priority.value, priority.reasons) == (40, ["promotion code -10"])


def test_rules_add_up_and_each_is_named(make_order: MakeOrder) -> None:
    order = make_order(tier="vip", service_level="expedited", promotion_code="SINGLES11")
    priority = classify(order)
    assert priority.value == 80
    assert priority.reasons == ["vip customer +20", "expedited +20", "promotion code -10"]


@pytest.mark.parametrize(("raw", "clamped"), [(-5, 1), (0, 1), (1, 1), (100, 100), (130, 100)])
def test_priority_stays_between_1_and_100(raw: int, clamped: int) -> None:
    assert clamp(raw) == clamped


@pytest.mark.parametrize(
    ("before", "after"), [(50, 75), (40, 65), (75, 100), (90, 100), (100, 100)]
)
def test_an_sla_breach_raises_priority_by_25_up_to_100(before: int, after: int) -> None:
    assert escalate(before) == after
