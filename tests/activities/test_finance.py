"""The journal on a real database: one voucher per key, refunds within captures, always balanced.

Runs on SQLite, and on PostgreSQL when OMS_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, delete, func, select
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError

from activities.finance import (
    FinanceActivities,
    RefundExceedsCapture,
    money_drift,
    order_balance,
    post_voucher,
    trial_balance,
)
from activities.finance_tables import JournalLineRow, OrderMoney, Voucher
from models.finance import REFUND_EXCEEDS_CAPTURE, VOUCHER_CONFLICT, VoucherInput, VoucherResult

CENT = Decimal("0.01")


def _voucher(kind: str, amount: str | Decimal, key: str = "", order: str = "SO-1") -> VoucherInput:
    return VoucherInput(
        idempotency_key=key or f"{order}:{kind}:{amount}",
        order_id=order,
        kind=kind,  # type: ignore[arg-type]
        amount=Decimal(amount),
        reference="pay_1",
        vat_rate=Decimal("0.13"),
    )


def _rows(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in (Voucher, JournalLineRow, OrderMoney)
        )


def _together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..count-1) on `count` threads released at the same instant."""
    start = threading.Barrier(count)

    def run(n: int) -> Any:
        start.wait()
        try:
            return work(n)
        except RefundExceedsCapture as refused:
            return refused

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_a_capture_is_posted_balanced_and_counted_for_its_order(engine: Engine) -> None:
    result = post_voucher(engine, voucher=_voucher("capture", "113.00"))

    assert (result.order_id, result.kind, result.amount) == ("SO-1", "capture", Decimal("113"))
    assert result.voucher_id.startswith("v_")
    assert sum(trial_balance(engine).values()) == 0
    assert order_balance(engine, "SO-1") == {
        "psp_clearing": Decimal("113.00"),
        "sales_revenue": Decimal("-100.00"),
        "output_vat": Decimal("-13.00"),
        "shipping_expense": Decimal("0"),
        "carrier_payable": Decimal("0"),
    }
    assert order_balance(engine, "SO-2") == dict.fromkeys(trial_balance(engine), Decimal(0))


def test_a_retry_posts_nothing_twice_and_answers_with_the_same_voucher(engine: Engine) -> None:
    finance = FinanceActivities(engine)
    first = finance.post_voucher(_voucher("capture", "50.00"))
    rows = _rows(engine)

    again = [finance.post_voucher(_voucher("capture", "50.00")) for _ in range(3)]

    assert again == [first] * 3
    assert _rows(engine) == rows == (1, 3, 1)
    assert order_balance(engine, "SO-1")["psp_clearing"] == Decimal("50.00")


def test_the_voucher_keeps_when_the_money_moved(engine: Engine) -> None:
    moved = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    post_voucher(engine, voucher=_voucher("capture", "1.00").model_copy(update={"at": moved}))

    with engine.connect() as connection:
        assert connection.scalar(select(Voucher.at)) == moved


def test_a_key_reused_for_another_voucher_is_refused_and_writes_nothing(engine: Engine) -> None:
    finance = FinanceActivities(engine)
    finance.post_voucher(_voucher("capture", "50.00", key="SO-1:capture:SH-1"))

    with pytest.raises(ApplicationError) as raised:
        finance.post_voucher(_voucher("capture", "60.00", key="SO-1:capture:SH-1"))

    assert raised.value.type == VOUCHER_CONFLICT and raised.value.non_retryable
    assert _rows(engine) == (1, 3, 1)


def test_a_refund_over_the_captures_is_refused_and_writes_nothing(engine: Engine) -> None:
    finance = FinanceActivities(engine)
    finance.post_voucher(_voucher("capture", "30.00"))
    finance.post_voucher(_voucher("refund", "20.00"))
    before = (_rows(engine), trial_balance(engine))

    with capture_logs() as logs, pytest.raises(ApplicationError) as raised:
        finance.post_voucher(_voucher("refund", "10.01"))

    assert raised.value.type == REFUND_EXCEEDS_CAPTURE and raised.value.non_retryable
    assert "30.00 captured, 20.00 already refunded" in str(raised.value)
    assert (_rows(engine), trial_balance(engine)) == before
    assert logs[-1]["outcome"] == "refused"
    assert finance.post_voucher(_voucher("refund", "10.00")).amount == Decimal("10.00")


def test_a_refund_without_any_capture_is_refused_and_leaves_no_trace(engine: Engine) -> None:
    with pytest.raises(RefundExceedsCapture, match="0.00 captured"):
        post_voucher(engine, voucher=_voucher("refund", "0.01"))

    assert _rows(engine) == (0, 0, 0)


def test_another_orders_captures_do_not_cover_a_refund(engine: Engine) -> None:
    post_voucher(engine, voucher=_voucher("capture", "99.00", order="SO-2"))

    with pytest.raises(RefundExceedsCapture):
        post_voucher(engine, voucher=_voucher("refund", "1.00", order="SO-1"))


def test_shipping_costs_need_no_capture_and_do_not_count_as_one(engine: Engine) -> None:
    post_voucher(engine, voucher=_voucher("shipping_cost", "8.50"))

    assert order_balance(engine, "SO-1")["shipping_expense"] == Decimal("8.50")
    assert trial_balance(engine)["carrier_payable"] == Decimal("-8.50")
    with pytest.raises(RefundExceedsCapture):
        post_voucher(engine, voucher=_voucher("refund", "1.00"))


def test_refunds_racing_for_one_capture_never_exceed_it(engine: Engine) -> None:
    post_voucher(engine, voucher=_voucher("capture", "100.00"))

    results = _together(
        8, lambda n: post_voucher(engine, voucher=_voucher("refund", "30.00", key=f"r{n}"))
    )

    posted = [r for r in results if isinstance(r, VoucherResult)]
    assert len(posted) == 3
    assert all(isinstance(r, RefundExceedsCapture) for r in results if r not in posted)
    assert order_balance(engine, "SO-1")["psp_clearing"] == Decimal("10.00")
    assert _rows(engine)[0] == 4 and money_drift(engine) == []


def test_the_same_refund_sent_eight_times_at_once_posts_once(engine: Engine) -> None:
    post_voucher(engine, voucher=_voucher("capture", "100.00"))

    results = _together(8, lambda _: post_voucher(engine, voucher=_voucher("refund", "60.00")))

    assert len({r.voucher_id for r in results}) == 1
    assert order_balance(engine, "SO-1")["psp_clearing"] == Decimal("40.00")
    assert _rows(engine)[0] == 2 and money_drift(engine) == []


# ---- many orders, random money movements, retries: the books always hold

ORDERS = st.sampled_from(["SO-1", "SO-2", "SO-3", "SO-4"])
RATES = {"SO-1": "0", "SO-2": "0.13", "SO-3": "0.2", "SO-4": "0.07"}


class JournalMachine(RuleBasedStateMachine):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine, self.finance = engine, FinanceActivities(engine)
        with engine.begin() as connection:
            for table in (JournalLineRow, Voucher, OrderMoney):
                connection.execute(delete(table))
        self.captured: dict[str, Decimal] = defaultdict(Decimal)
        self.refunded: dict[str, Decimal] = defaultdict(Decimal)
        self.shipping = Decimal(0)
        self.posted: dict[str, tuple[VoucherInput, VoucherResult]] = {}  # by key
        self.refused: dict[str, VoucherInput] = {}  # by key, until a retry fits
        self.steps = 0

    def _post(self, order: str, kind: str, amount: Decimal) -> None:
        self.steps += 1
        key = f"{order}:{kind}:{self.steps}"
        self._attempt(
            VoucherInput(
                idempotency_key=key,
                order_id=order,
                kind=kind,  # type: ignore[arg-type]
                amount=amount,
                vat_rate=Decimal(RATES[order]),
            )
        )

    def _attempt(self, voucher: VoucherInput) -> None:
        order, amount = voucher.order_id, voucher.amount
        fits = voucher.kind != "refund" or self.refunded[order] + amount <= self.captured[order]
        try:
            result = self.finance.post_voucher(voucher)
        except ApplicationError as refused:
            assert not fits and refused.type == REFUND_EXCEEDS_CAPTURE
            self.refused[voucher.idempotency_key] = voucher
            return
        assert fits, f"{voucher} was posted"
        if voucher.kind == "capture":
            self.captured[order] += amount
        elif voucher.kind == "refund":
            self.refunded[order] += amount
        else:
            self.shipping += amount
        self.posted[voucher.idempotency_key] = (voucher, result)
        self.refused.pop(voucher.idempotency_key, None)

    def _remaining(self, order: str) -> Decimal:
        return self.captured[order] - self.refunded[order]

    @initialize(cents=st.lists(st.integers(1, 50_000), min_size=4, max_size=4))
    def every_order_ships_once(self, cents: list[int]) -> None:
        for order, amount in zip(RATES, cents, strict=True):
            self._post(order, "capture", Decimal(amount) / 100)

    @rule(order=ORDERS, cents=st.integers(1, 50_000))
    def capture_a_shipment(self, order: str, cents: int) -> None:
        self._post(order, "capture", Decimal(cents) / 100)

    @rule(order=ORDERS, cents=st.integers(100, 2_000))
    def pay_the_carrier(self, order: str, cents: int) -> None:
        self._post(order, "shipping_cost", Decimal(cents) / 100)

    def _an_order_with_money_left(self, data: st.DataObject) -> str:
        paid = sorted(o for o in RATES if self._remaining(o) > 0)
        return data.draw(st.sampled_from(paid) if paid else ORDERS)

    @rule(data=st.data(), share=st.integers(1, 99))
    def refund_part(self, data: st.DataObject, share: int) -> None:
        order = self._an_order_with_money_left(data)
        part = (self._remaining(order) * share / 100).quantize(CENT)
        self._post(order, "refund", max(part, CENT))  # a cent when nothing is left: refused

    @rule(data=st.data())
    def refund_the_rest_on_cancel_or_return(self, data: st.DataObject) -> None:
        order = self._an_order_with_money_left(data)
        self._post(order, "refund", max(self._remaining(order), CENT))

    @rule(order=ORDERS, extra_cents=st.integers(1, 300))
    def try_to_refund_more_than_is_left(self, order: str, extra_cents: int) -> None:
        self._post(order, "refund", self._remaining(order) + Decimal(extra_cents) / 100)

    @precondition(lambda self: self.posted)
    @rule(data=st.data())
    def retry_a_posted_voucher(self, data: st.DataObject) -> None:
        voucher, first = data.draw(st.sampled_from(sorted(self.posted.values(), key=str)))
        rows = _rows(self.engine)
        assert self.finance.post_voucher(voucher) == first
        assert _rows(self.engine) == rows

    @precondition(lambda self: self.refused)
    @rule(data=st.data())
    def retry_a_refused_refund(self, data: st.DataObject) -> None:
        # Refused refunds are not retried by Temporal, but the same key may come again later.
        self._attempt(data.draw(st.sampled_from(sorted(self.refused.values(), key=str))))

    @invariant()
    def the_books_balance_and_no_order_is_refunded_more_than_captured(self) -> None:
        total = trial_balance(self.engine)
        assert sum(total.values()) == 0
        assert total["psp_clearing"] == sum(self.captured.values()) - sum(self.refunded.values())
        assert total["shipping_expense"] == -total["carrier_payable"] == self.shipping
        for order in RATES:
            books = order_balance(self.engine, order)
            assert books["psp_clearing"] == self._remaining(order) >= 0
            assert books["sales_revenue"] + books["output_vat"] == -books["psp_clearing"]
        assert _rows(self.engine)[0] == len(self.posted)
        assert money_drift(self.engine) == []


def test_random_captures_refunds_returns_and_retries_keep_the_books(engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: JournalMachine(engine),
        settings=settings(max_examples=20, stateful_step_count=20, deadline=None),
    )
