"""The order state machine: allowed steps, refused steps, and when cancel is refused."""

from __future__ import annotations

import pytest

from models.status import (
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    OrderStatus,
    can_transition,
    cancel_refusal,
    check_transition,
)

S = OrderStatus

HAPPY_PATH = [S.RECEIVED, S.RESERVED, S.AWAITING_PAYMENT, S.ALLOCATED, S.SHIPPED, S.DELIVERED]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        *zip(HAPPY_PATH, HAPPY_PATH[1:], strict=False),
        (S.DELIVERED, S.COMPLETED),
        (S.RECEIVED, S.ON_HOLD),
        (S.ON_HOLD, S.RESERVED),
        (S.ON_HOLD, S.REJECTED),
        (S.RECEIVED, S.BACKORDERED),
        (S.BACKORDERED, S.RESERVED),
        (S.RESERVED, S.ALLOCATED),
        (S.ALLOCATED, S.CANCELLED),
    ],
)
def test_allows_the_steps_of_an_orders_life(current: OrderStatus, target: OrderStatus) -> None:
    assert can_transition(current, target)
    assert check_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.SHIPPED, S.CANCELLED),
        (S.DELIVERED, S.CANCELLED),
        (S.RECEIVED, S.SHIPPED),
        (S.RECEIVED, S.ALLOCATED),
        (S.BACKORDERED, S.ALLOCATED),
        (S.SHIPPED, S.RESERVED),
        (S.CANCELLED, S.RESERVED),
        (S.REJECTED, S.RECEIVED),
        (S.COMPLETED, S.DELIVERED),
    ],
)
def test_refuses_steps_that_skip_or_go_back(current: OrderStatus, target: OrderStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition, match=f"{current} cannot become {target}"):
        check_transition(current, target)


def test_every_status_has_a_row_and_terminal_ones_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    assert all(not TRANSITIONS[status] for status in TERMINAL)


@pytest.mark.parametrize("status", list(OrderStatus))
def test_cancel_is_refused_exactly_when_the_machine_forbids_it(status: OrderStatus) -> None:
    assert (cancel_refusal(status) is None) == can_transition(status, S.CANCELLED)


@pytest.mark.parametrize("status", [S.SHIPPED, S.DELIVERED, S.COMPLETED])
def test_cancel_after_shipment_points_to_a_return(status: OrderStatus) -> None:
    assert cancel_refusal(status) == f"order already {status.lower()}: request a return instead"


@pytest.mark.parametrize("status", [S.CANCELLED, S.REJECTED])
def test_cancel_of_a_closed_order_says_it_is_closed(status: OrderStatus) -> None:
    assert cancel_refusal(status) == f"order already {status.lower()}"


@pytest.mark.parametrize(
    "status", [S.RECEIVED, S.ON_HOLD, S.BACKORDERED, S.RESERVED, S.AWAITING_PAYMENT, S.ALLOCATED]
)
def test_cancel_is_allowed_before_anything_ships(status: OrderStatus) -> None:
    assert cancel_refusal(status) is None
