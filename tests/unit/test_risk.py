"""The first risk score: order total, bulk quantities, a stranger's address, abroad, VIP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.order import OrderDocument
from models.risk import CustomerHistory, assess, level_for

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


# --- the customer's history -------------------------------------------------------

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
YEAR_AGO = NOW - timedelta(days=365)


def test_a_known_customer_with_an_ordinary_order_adds_nothing(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=2, average_total=Decimal("100"), first_seen=YEAR_AGO)
    assert assess(make_order(), history, NOW).score == 0


def test_a_block_list_match_holds_the_order_whatever_else(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=9, first_seen=YEAR_AGO, blocked=["email"])
    risk = assess(make_order(tier="vip"), history, NOW)
    assert risk.level == "high" and "on the block list: email (+100)" in risk.reasons


def test_many_orders_in_a_day_and_a_new_account_add_up(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=3, first_seen=NOW - timedelta(hours=5), orders_last_day=3)
    risk = assess(make_order(), history, NOW)
    assert risk.score == 35
    assert risk.reasons == ["3 orders in the last 24 h (+25)", "account younger than 7 days (+10)"]


def test_a_first_order_counts_as_a_new_account(make_order: MakeOrder) -> None:
    risk = assess(make_order(), CustomerHistory(), NOW)
    assert risk.reasons == ["account younger than 7 days (+10)"]


def test_spending_far_above_the_usual_adds_risk(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=4, average_total=Decimal("30.00"), first_seen=YEAR_AGO)
    risk = assess(make_order(lines=[_line(2, "59.90")]), history, NOW)  # 119.80 = 4.0 x
    assert risk.reasons == ["total is 4.0 x the customer's average (+20)"]


def test_a_loyal_customer_earns_trust(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=5, average_total=Decimal("100"), first_seen=YEAR_AGO)
    assert assess(make_order(), history, NOW).reasons == ["5 earlier orders (-10)"]


def test_many_orders_from_a_new_account_earn_no_trust(make_order: MakeOrder) -> None:
    history = CustomerHistory(orders=8, first_seen=NOW - timedelta(hours=2))
    assert "8 earlier orders (-10)" not in assess(make_order(), history, NOW).reasons
