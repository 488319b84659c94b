"""The finance journal's rules: a chart of accounts and the lines each voucher posts.

Every money movement is one voucher, and every voucher is a set of journal lines whose
debits equal its credits, so the trial balance (all debits minus all credits) is zero.

    capture        Dr psp_clearing  gross       Cr sales_revenue net, Cr output_vat VAT
    refund         Dr sales_revenue net, Dr output_vat VAT        Cr psp_clearing gross
    shipping_cost  Dr shipping_expense cost                       Cr carrier_payable cost

A refund is the mirror of a capture: the provider pays the customer back out of the money
it holds for us (psp_clearing), and the sale and its VAT are reversed. The VAT inside a
gross amount is `gross * rate / (1 + rate)` rounded half up to the cent, so a refund of a
whole capture reverses it line for line; several partial refunds of one capture may round
a cent differently between revenue and VAT (never in psp_clearing, never the balance).
Shipping costs carry no VAT here (input VAT is not modelled).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
GOODS_VAT_RATE = Decimal("0.13")  # China's standard VAT on goods, inside the gross price
REFUND_EXCEEDS_CAPTURE = "RefundExceedsCapture"  # non-retryable ApplicationError type
VOUCHER_CONFLICT = "VoucherConflict"  # an idempotency key reused for another voucher

Account = Literal[
    "psp_clearing", "sales_revenue", "output_vat", "shipping_expense", "carrier_payable"
]
AccountType = Literal["asset", "liability", "revenue", "expense"]
VoucherKind = Literal["capture", "refund", "shipping_cost"]

CHART_OF_ACCOUNTS: dict[Account, AccountType] = {
    "psp_clearing": "asset",  # captured money the payment provider holds for us
    "sales_revenue": "revenue",  # sales net of VAT
    "output_vat": "liability",  # VAT owed to the tax office on those sales
    "shipping_expense": "expense",  # what carriers charge us per shipment
    "carrier_payable": "liability",  # what we owe carriers until they are paid
}


class VoucherInput(BaseModel):
    """One money movement, posted once per idempotency key (the workflow's order id + step)."""

    idempotency_key: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    kind: VoucherKind
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)  # gross, in the currency
    reference: str = ""  # the payment id for captures and refunds, the shipment id for costs
    vat_rate: Decimal = Field(default=ZERO, ge=0, le=1, decimal_places=4)  # e.g. 0.13
    at: AwareDatetime | None = None  # when the money moved; the posting time when omitted

    @field_validator("amount")
    @classmethod
    def _in_cents(cls, amount: Decimal) -> Decimal:
        return amount.quantize(CENT)


class JournalLine(BaseModel):
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO


class VoucherResult(BaseModel):
    """The same answer for every attempt under one idempotency key."""

    voucher_id: str
    order_id: str
    kind: VoucherKind
    amount: Decimal


def vat_in(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a gross amount at `rate`, to the cent."""
    return (gross * rate / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def voucher_for(
    *, order_id: str, kind: VoucherKind, amount: Decimal, reference: str, idempotency_key: str
) -> VoucherInput:
    """A voucher with the VAT rule applied: goods carry VAT, carrier charges here do not."""
    vat_rate = ZERO if kind == "shipping_cost" else GOODS_VAT_RATE
    return VoucherInput(
        idempotency_key=idempotency_key,
        order_id=order_id,
        kind=kind,
        amount=amount,
        reference=reference,
        vat_rate=vat_rate,
    )


def voucher_lines(voucher: VoucherInput) -> list[JournalLine]:
    """The balanced lines of one voucher; lines of zero are left out."""
    amount = voucher.amount
    if voucher.kind == "shipping_cost":
        return [
            JournalLine(account="shipping_expense", debit=amount),
            JournalLine(account="carrier_payable", credit=amount),
        ]
    vat = vat_in(amount, voucher.vat_rate)
    sale: list[tuple[Account, Decimal]] = [("sales_revenue", amount - vat), ("output_vat", vat)]
    if voucher.kind == "capture":
        lines = [JournalLine(account="psp_clearing", debit=amount)]
        lines += [JournalLine(account=a, credit=v) for a, v in sale if v]
        return lines
    lines = [JournalLine(account=a, debit=v) for a, v in sale if v]
    return [*lines, JournalLine(account="psp_clearing", credit=amount)]


def balances(lines: Iterable[JournalLine]) -> dict[Account, Decimal]:
    """Debits minus credits per account, every account of the chart included."""
    totals: dict[Account, Decimal] = dict.fromkeys(CHART_OF_ACCOUNTS, ZERO)
    for line in lines:
        totals[line.account] += line.debit - line.credit
    return totals


def refund_fits(*, captured: Decimal, refunded: Decimal, amount: Decimal) -> bool:
    """Whether refunding `amount` keeps an order's refunds within its captures."""
    return refunded + amount <= captured
