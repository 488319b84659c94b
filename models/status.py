"""The order status state machine: which status may follow which."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    ON_HOLD = "ON_HOLD"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    BACKORDERED = "BACKORDERED"
    RESERVED = "RESERVED"
    ALLOCATED = "ALLOCATED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


S = OrderStatus

# RESERVED: stock held; AWAITING_PAYMENT: authorization pending or being retried;
# ALLOCATED: paid, parcels being packed and booked; SHIPPED: first parcel picked up.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.RECEIVED: frozenset({S.ON_HOLD, S.RESERVED, S.BACKORDERED, S.REJECTED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.RECEIVED, S.RESERVED, S.BACKORDERED, S.REJECTED, S.CANCELLED}),
    S.BACKORDERED: frozenset({S.RESERVED, S.BACKORDERED, S.CANCELLED}),
    S.RESERVED: frozenset({S.AWAITING_PAYMENT, S.ALLOCATED, S.CANCELLED}),
    S.AWAITING_PAYMENT: frozenset({S.ALLOCATED, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
}

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED, S.REJECTED})
SHIPPED_OR_LATER = frozenset({S.SHIPPED, S.DELIVERED, S.COMPLETED})


class IllegalTransition(ValueError):
    pass


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    if not can_transition(current, target):
        raise IllegalTransition(f"{current} cannot become {target}")
    return target


def cancel_refusal(current: OrderStatus) -> str | None:
    """Why an order in `current` cannot be cancelled, or None when it can."""
    if current in SHIPPED_OR_LATER:
        return f"order already {current.lower()}: request a return instead"
    if current in TERMINAL:
        return f"order already {current.lower()}"
    return None
