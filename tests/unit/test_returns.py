"""Returns: what may be returned, within which window, at which price, to where."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from models.order import OrderDocument
from models.returns import (
    ReturnRequestInput,
    line_prices,
    payment_status,
    refund_amount,
    refundable,
    refusal,
    return_warehouse,
    track,
)
from models.status import OrderStatus
from models.view import Allocation, LineView, OrderView, ReturnView

DELIVERED_AT = datetime(2026, 12, 1, 12, tzinfo=UTC)


def delivered(**changes: object) -> OrderView:
    view = OrderView(
        order_id="SO-1",
        status=OrderStatus.DELIVERED,
        lines=[LineView(sku="TEA", quantity=2), LineView(sku="MUG", quantity=1)],
        allocations=[
            Allocation(sku="TEA", warehouse_id="WH-B", quantity=2),
            Allocation(sku="MUG", warehouse_id="WH-A", quantity=1),
        ],
        delivered_at=DELIVERED_AT,
    )
    return view.model_copy(update=changes)


def ask(*lines: tuple[str, int]) -> ReturnRequestInput:
    return ReturnRequestInput(
        lines=[LineView(sku=s, quantity=q) for s, q in lines], reason="not needed"
    )


def rma(status: str, amount: str = "0.00", *lines: tuple[str, int]) -> ReturnView:
    return ReturnView(
        rma_id=f"RMA-{status}",
        lines=[LineView(sku=s, quantity=q) for s, q in lines],
        reason="x",
        status=status,
        requested_at=DELIVERED_AT,
        amount=Decimal(amount),
    )


def test_within_seven_days_a_delivered_line_may_come_back() -> None:
    at = DELIVERED_AT + timedelta(days=7)
    assert refusal(delivered(), DELIVERED_AT, at, ask(("TEA", 2))) is None


def test_after_seven_days_or_before_delivery_it_may_not() -> None:
    late = DELIVERED_AT + timedelta(days=7, seconds=1)
    closed = refusal(delivered(), DELIVERED_AT, late, ask(("TEA", 1)))
    assert closed == "the return window closed 2026-12-08 12:00 UTC"
    shipped = delivered(status=OrderStatus.SHIPPED)
    assert "only a delivered order" in (refusal(shipped, None, late, ask(("TEA", 1))) or "")


def test_units_already_on_their_way_back_count_but_expired_ones_do_not() -> None:
    view = delivered(returns=[rma("REFUNDED", "10", ("TEA", 1)), rma("EXPIRED", "0", ("TEA", 1))])
    assert refusal(view, DELIVERED_AT, DELIVERED_AT, ask(("TEA", 1))) is None
    too_many = refusal(view, DELIVERED_AT, DELIVERED_AT, ask(("TEA", 2)))
    assert too_many == "lines: only 1 x TEA can still be returned"
    stranger = refusal(view, DELIVERED_AT, DELIVERED_AT, ask(("NOPE", 1)))
    assert stranger == "lines: NOPE is not in this order"


def test_a_zero_quantity_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="lines: quantity of TEA must be at least 1"):
        ask(("TEA", 0))


def test_a_substitute_is_refunded_at_the_price_of_the_line_it_replaced(
    make_order: Callable[..., OrderDocument],
) -> None:
    order = make_order(
        lines=[
            {"sku": "TEA", "quantity": 2, "unit_price": "59.90"},
            {"sku": "MUG", "quantity": 1, "unit_price": "25.00"},
        ]
    )
    view = delivered(lines=[LineView(sku="TEA-2", quantity=2), LineView(sku="MUG", quantity=1)])
    prices = line_prices(order, view)
    assert prices["TEA-2"] == Decimal("59.90") and prices["MUG"] == Decimal("25.00")
    assert refund_amount([LineView(sku="TEA-2", quantity=1)], prices) == Decimal("59.90")


def test_refunds_never_exceed_what_was_captured() -> None:
    view = delivered(returns=[rma("REFUNDED", "60.00", ("TEA", 1))])
    assert refundable(Decimal("100.00"), view) == Decimal("40.00")
    assert refundable(Decimal("50.00"), view) == Decimal("0.00")
    assert payment_status(Decimal("100.00"), view) == "PARTIALLY_REFUNDED"
    assert payment_status(Decimal("60.00"), view) == "REFUNDED"


def test_the_warehouse_that_shipped_most_of_the_returned_units_takes_them() -> None:
    assert return_warehouse(delivered(), [LineView(sku="TEA", quantity=1)]) == "WH-B"
    assert return_warehouse(delivered(), [LineView(sku="MUG", quantity=1)]) == "WH-A"


def test_tracking_moves_a_return_once_per_event_and_delivery_means_received() -> None:
    back = rma("AWAITING_PICKUP")
    assert track(back, "e1", "PICKED_UP") and back.status == "IN_TRANSIT"
    assert not track(back, "e1", "PICKED_UP")  # the same event again
    assert track(back, "e2", "DELIVERED") and back.status == "RECEIVED"
    assert not track(back, "e3", "DELIVERED")  # received already
