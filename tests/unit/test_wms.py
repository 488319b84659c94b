from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from models.wms import WaitingOrder, WmsEvent, orders_to_wake

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _waiting(order_id: str, priority: int, quantity: int, minutes: int = 0) -> WaitingOrder:
    return WaitingOrder(
        order_id=order_id,
        priority=priority,
        quantity=quantity,
        since=T0 + timedelta(minutes=minutes),
    )


def test_wakes_the_highest_priority_first_while_stock_covers_them() -> None:
    waiting = [_waiting("low", 30, 2), _waiting("vip", 90, 3), _waiting("mid", 50, 2)]
    assert [o.order_id for o in orders_to_wake(waiting, 5)] == ["vip", "mid"]


def test_equal_priority_wakes_the_longest_waiting_first() -> None:
    waiting = [_waiting("later", 50, 1, minutes=5), _waiting("earlier", 50, 1)]
    assert [o.order_id for o in orders_to_wake(waiting, 1)] == ["earlier"]


def test_an_order_too_big_for_the_arrival_does_not_block_smaller_ones() -> None:
    waiting = [_waiting("big", 90, 10), _waiting("small", 50, 2)]
    assert [o.order_id for o in orders_to_wake(waiting, 3)] == ["small"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "inbound"}, "quantity is required for inbound"),
        ({"type": "adjustment", "quantity": 3}, "counted is required"),
        ({"type": "inbound", "quantity": 0}, "quantity"),
        ({"type": "transfer", "quantity": 1}, "type"),
    ],
)
def test_a_malformed_event_names_what_is_wrong(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WmsEvent(event_id="e-1", warehouse_id="WH-A", sku="TEA", **fields)
