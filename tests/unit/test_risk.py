"""The first risk score: order total, bulk quantities, a stranger's address, abroad, VIP."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.order import OrderDocument
from models.risk import assess, level_for

MakeOrder = Callable[..., OrderDocument]


def _line(quantity: int, price: str, sku: str = "TEA-001") -> dict[str, object]:
    return {"sku": sku, "quantity": quantity, "unit_price": price}


def test_an_ordinary_order_is_low_risk(make_order: MakeOrder) -> None:
    risk = assess(make_order())
    assert (risk.score, risk.level, risk.reasons) == (0, "low", [])


@pytest.mark.parametrize(
    ("price", "score"),
    [("499.99", 0), ("500.00", 10), ("1999.99", 10), ("2000.00", 25), ("5000.00", 40)],
)
def test_order_total_bands(make_order: MakeOrder, price: str, score: int) -> None:
    assert assess(make_order(lines=[_line(1, price)])).score == score


@pytest.mark.parametrize(("quantity", "score"), [(9, 0), (10, 10), (49, 10), (50, 25)])
def test_very_large_quantities_add_risk(make_order: MakeOrder, quantity: int, score: int) -> None:
    assert assess(make_order(lines=[_line(quantity, "1.00")])).score == score


def test_a_recipient_other_than_the_customer_adds_risk(make_order: MakeOrder) -> None:
    risk = assess(make_order(recipient="Han Meimei", phone="+86 139 1111 2222"))
    assert risk.score == 25
    assert risk.reasons == [
        "recipient is not the customer (+15)",
        "recipient phone is not the customer's (+10)",
    ]


def test_same_person_written_differently_is_not_a_stranger(make_order: MakeOrder) -> None:
    risk = assess(make_order(recipient="  li  LEI ", phone="+8613800000000"))
    assert risk.score == 0


def test_shipping_abroad_adds_risk(make_order: MakeOrder) -> None:
    risk = assess(make_order(country="us"))
    assert (risk.score, risk.reasons) == (20, ["ships to US (+20)"])


def test_vip_customers_lower_the_score_but_never_below_zero(make_order: MakeOrder) -> None:
    assert assess(make_order(tier="vip")).score == 0
    assert assess(make_order(tier="vip", country="US")).score == 5


def test_signals_add_up_to_medium(make_order: MakeOrder) -> None:
    risk = assess(make_order(lines=[_line(1, "2000.00")], recipient="Han Meimei"))
    assert (risk.score, risk.level) == (40, "medium")


def test_signals_add_up_to_high(make_order: MakeOrder) -> None:
    order = make_order(lines=[_line(100, "60.00")], recipient="Han Meimei", country="US")
    risk = assess(order)
    assert (risk.score, risk.level) == (100, "high")
    assert risk.reasons[0] == "order total 6000.00 >= 5000 (+40)"


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "low"), (39, "low"), (40, "medium"), (69, "medium"), (70, "high"), (100, "high")],
)
def test_level_bands(score: int, level: str) -> None:
    assert level_for(score) == level
