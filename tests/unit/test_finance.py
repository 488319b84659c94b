"""Voucher lines: every kind balances, a refund mirrors a capture, bad input names its field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from models.finance import (
    CHART_OF_ACCOUNTS,
    GOODS_VAT_RATE,
    JournalLine,
    VoucherInput,
    VoucherKind,
    balances,
    refund_fits,
    vat_in,
    voucher_for,
    voucher_lines,
)


def _voucher(kind: str = "capture", amount: str = "113.00", **changes: Any) -> VoucherInput:
    return VoucherInput.model_validate(
        {"idempotency_key": f"SO-1:{kind}:1", "order_id": "SO-1", "kind": kind, "amount": amount}
        | changes
    )


def _lines(voucher: VoucherInput) -> set[tuple[str, Decimal, Decimal]]:
    return {(line.account, line.debit, line.credit) for line in voucher_lines(voucher)}


def _d(value: str) -> Decimal:
    return Decimal(value)


def test_a_capture_debits_the_provider_and_credits_revenue_net_of_vat() -> None:
    assert _lines(_voucher(vat_rate="0.13")) == {
        ("psp_clearing", _d("113.00"), _d("0")),
        ("sales_revenue", _d("0"), _d("100.00")),
        ("output_vat", _d("0"), _d("13.00")),
    }


def test_without_vat_a_capture_is_all_revenue_and_posts_no_vat_line() -> None:
    assert _lines(_voucher(amount="59.90")) == {
        ("psp_clearing", _d("59.90"), _d("0")),
        ("sales_revenue", _d("0"), _d("59.90")),
    }


def test_a_refund_reverses_revenue_and_vat_against_the_provider() -> None:
    assert _lines(_voucher("refund", vat_rate="0.13")) == {
        ("sales_revenue", _d("100.00"), _d("0")),
        ("output_vat", _d("13.00"), _d("0")),
        ("psp_clearing", _d("0"), _d("113.00")),
    }


def test_a_shipping_cost_is_an_expense_owed_to_the_carrier() -> None:
    assert _lines(_voucher("shipping_cost", amount="8.50", reference="SH-1")) == {
        ("shipping_expense", _d("8.50"), _d("0")),
        ("carrier_payable", _d("0"), _d("8.50")),
    }


@pytest.mark.parametrize("kind", ["capture", "refund", "shipping_cost"])
def test_every_kind_of_voucher_balances(kind: str) -> None:
    lines = voucher_lines(_voucher(kind, amount="0.07", vat_rate="0.2"))
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines) > 0
    assert all(line.account in CHART_OF_ACCOUNTS for line in lines)
    assert all((line.debit == 0) != (line.credit == 0) for line in lines)


@given(
    cents=st.integers(1, 10**12 - 1),
    rate=st.decimals(0, 1, places=4),
    kind=st.sampled_from(["capture", "refund", "shipping_cost"]),
)
def test_any_amount_at_any_rate_balances(cents: int, rate: Decimal, kind: str) -> None:
    voucher = _voucher(kind, amount=str(Decimal(cents) / 100), vat_rate=str(rate))
    assert sum(balances(voucher_lines(voucher)).values()) == 0


@given(cents=st.integers(1, 10**9), rate=st.decimals(0, 1, places=4))
def test_refunding_a_whole_capture_leaves_every_account_at_zero(cents: int, rate: Decimal) -> None:
    amount, vat_rate = str(Decimal(cents) / 100), str(rate)
    lines = voucher_lines(_voucher(amount=amount, vat_rate=vat_rate))
    lines += voucher_lines(_voucher("refund", amount=amount, vat_rate=vat_rate))
    assert set(balances(lines).values()) == {Decimal(0)}


def test_vat_inside_a_gross_amount_rounds_half_up_to_the_cent() -> None:
    assert vat_in(_d("0.21"), _d("0.05")) == _d("0.01")  # 0.01 exactly
    assert vat_in(_d("10.00"), _d("0.19")) == _d("1.60")  # 1.5966...
    assert vat_in(_d("10.00"), _d("0")) == _d("0.00")


def test_balances_list_every_account_debit_minus_credit() -> None:
    lines = [JournalLine(account="psp_clearing", debit=_d("5.00"))]
    assert balances(lines) == dict.fromkeys(CHART_OF_ACCOUNTS, _d("0")) | {"psp_clearing": 5}


def test_a_refund_fits_up_to_exactly_what_was_captured() -> None:
    assert refund_fits(captured=_d("10.00"), refunded=_d("4.00"), amount=_d("6.00"))
    assert not refund_fits(captured=_d("10.00"), refunded=_d("4.00"), amount=_d("6.01"))


def test_amounts_are_kept_to_the_cent() -> None:
    assert _voucher(amount="12.5").amount == _d("12.50")
    assert str(_voucher(amount="7").amount) == "7.00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0"),
        ("amount", "-1.00"),
        ("amount", "1.005"),
        ("amount", "NaN"),
        ("kind", "chargeback"),
        ("idempotency_key", ""),
        ("order_id", ""),
        ("vat_rate", "-0.1"),
        ("vat_rate", "1.5"),
        ("at", datetime(2026, 12, 3, 10, 0)),  # naive: which zone?
    ],
)
def test_a_bad_voucher_is_refused_naming_its_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        _voucher(**{field: value})

    assert [error["loc"] for error in raised.value.errors()] == [(field,)]


def test_goods_carry_vat_and_carrier_charges_do_not() -> None:
    def make(kind: VoucherKind) -> VoucherInput:
        return voucher_for(
            order_id="SO-1", kind=kind, amount=Decimal("10"), reference="r", idempotency_key=kind
        )

    assert make("capture").vat_rate == make("refund").vat_rate == GOODS_VAT_RATE
    assert make("shipping_cost").vat_rate == 0
