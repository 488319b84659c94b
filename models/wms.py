"""Warehouse events (WMS sync) and which backordered orders a receipt can wake."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class WmsEvent(BaseModel):
    """One event from a warehouse management system; `event_id` makes it idempotent.

    inbound      goods received: on_hand grows by `quantity`
    outbound     goods left outside our orders (transfer, damage): on_hand shrinks
    adjustment   a cycle count: on_hand becomes `counted`
    """

    event_id: str = Field(min_length=1, max_length=128)
    type: Literal["inbound", "outbound", "adjustment"]
    warehouse_id: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    quantity: int | None = Field(default=None, gt=0)
    counted: int | None = Field(default=None, ge=0)
    at: datetime | None = None
    reference: str = ""  # purchase order, transfer or count sheet number

    @model_validator(mode="after")
    def _amount_matches_type(self) -> WmsEvent:
        if self.type == "adjustment" and self.counted is None:
            raise ValueError("counted is required for an adjustment")
        if self.type != "adjustment" and self.quantity is None:
            raise ValueError(f"quantity is required for {self.type}")
        return self


class WmsEventResult(BaseModel):
    event_id: str
    applied: bool  # False: a duplicate of an event already applied
    on_hand: int
    available: int
    woken_orders: list[str] = Field(default_factory=list)


class WaitingOrder(BaseModel):
    order_id: str
    priority: int
    quantity: int  # of the restocked SKU
    since: datetime


def orders_to_wake(waiting: list[WaitingOrder], available: int) -> list[WaitingOrder]:
    """Highest priority first, then the longest waiting, while the stock covers them.

    A big order that does not fit does not block smaller ones behind it.
    """
    chosen = []
    for order in sorted(waiting, key=lambda o: (-o.priority, o.since, o.order_id)):
        if order.quantity <= available:
            chosen.append(order)
            available -= order.quantity
    return chosen


class WaitingQuery(BaseModel):
    sku: str


class WaitingOrders(BaseModel):
    orders: list[WaitingOrder] = Field(default_factory=list)
