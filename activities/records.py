"""The order read model, its audit trail and the notification outbox, written together.

One status change is one transaction: the audit row is inserted first under the step's
idempotency key, and when it already exists the whole step was applied before, so a
retry writes nothing at all (no second event, no second message, no second count in the
business metrics). activities/notify_sender.py delivers the outbox rows.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from sqlalchemy import Engine, select
from temporalio import activity

from activities.db import insert_ignore, reading, upsert
from activities.sqltypes import utcnow
from activities.tables import Notification, Order, OrderEvent
from models.activity_io import RecordStatusInput
from models.status import OrderStatus
from models.view import OrderView

log = structlog.get_logger(__name__)
ORDERS = Order.__table__
EVENTS = OrderEvent.__table__
OUTBOX = Notification.__table__

MESSAGES = {
    "RECEIVED": "We have received your order {id}.",
    "ON_HOLD": "Your order {id} needs a quick check before we can continue.",
    "BACKORDERED": "Some items in order {id} are out of stock; we will tell you when they arrive.",
    "RESERVED": "The items of order {id} are reserved for you.",
    "AWAITING_PAYMENT": "Payment for order {id} did not go through; please try another method.",
    "ALLOCATED": "Order {id} is paid and being packed.",
    "SHIPPED": "Order {id} is on its way.",
    "DELIVERED": "Order {id} has been delivered. Enjoy!",
    "COMPLETED": "Thank you for your order {id}! Tell us how it went.",
    "CANCELLED": "Order {id} was cancelled.",
    "REJECTED": "We could not accept order {id}.",
    "SLA_BREACHED": "Order {id} is running late; we are on it and will update you soon.",
    "SLA_HARD_BREACH": "Order {id} is badly late and we are sorry.",
    "COMPLAINT_ANSWERED": "We have answered your message about order {id}.",
    "SURVEY_SENT": "How did we do with order {id}? Rate us from 1 to 5.",
}


# Events whose detail is written for the customer (restock dates, how to pay, why
# cancelled); other details are internal (risk reasons, priorities) and stay out.
CUSTOMER_DETAIL = {
    "BACKORDERED",
    "AWAITING_PAYMENT",
    "CANCELLED",
    "REJECTED",
    "SLA_HARD_BREACH",
    "COMPLAINT_ANSWERED",
}


def customer_message(event: str, order_id: str, detail: str = "") -> str:
    default = "There is an update on your order {id}: " + event.replace("_", " ").lower() + "."
    message = MESSAGES.get(event, default).format(id=order_id)
    return f"{message} ({detail})" if detail and event in CUSTOMER_DETAIL else message


class OrderRecordActivities:
    def __init__(self, engine: Engine, *, ops_recipient: str = "ops") -> None:
        self._engine = engine
        self._ops_recipient = ops_recipient

    @activity.defn(name="record_status")
    def record_status(self, data: RecordStatusInput) -> None:
        view, key, now = data.view, data.idempotency_key, utcnow()
        outbox = []
        if data.notify_customer:
            body = customer_message(data.event, view.order_id, data.detail)
            outbox += [
                ("email", data.customer.email, body),
                ("sms", data.customer.phone, body),
                ("push", data.customer.customer_id, body),  # to the customer's app devices
            ]
        if data.alert_ops:
            detail = f": {data.detail}" if data.detail else ""
            outbox.append(
                ("ops", self._ops_recipient, f"[{data.event}] order {view.order_id}{detail}")
            )
        with self._engine.begin() as connection:
            event = {
                "order_id": view.order_id,
                "event": data.event,
                "detail": data.detail,
                "actor": data.actor,
                "at": now,
                "idempotency_key": key,
            }
            if not insert_ignore(connection, EVENTS, event, key=("idempotency_key",)):
                log.info(
                    "record_status",
                    order_id=view.order_id,
                    order_event=data.event,
                    outcome="already_recorded",
                )
                return
            row = {
                "order_id": view.order_id,
                "customer_id": data.customer.customer_id,
                "status": view.status.value,
                "priority": view.priority,
                "total": view.payment.amount,
                "view_json": view.model_dump_json(),
                "sequence": data.sequence,
                "created_at": now,
                "updated_at": now,
            }
            upsert(
                connection, ORDERS, row, key=("order_id",), keep=("created_at",), newer="sequence"
            )
            for channel, recipient, body in outbox:
                message = {
                    "order_id": view.order_id,
                    "channel": channel,
                    "recipient": recipient,
                    "event": data.event,
                    "body": body,
                    "created_at": now,
                    "idempotency_key": f"{key}:{channel}",
                }
                insert_ignore(connection, OUTBOX, message, key=("idempotency_key",))
        count_in_metrics(data)
        for channel, _, _ in outbox:  # no personal data in logs: never the recipient or body
            log.info(
                "notification_queued",
                order_id=view.order_id,
                channel=channel,
                order_event=data.event,
            )
        log.info(
            "record_status",
            order_id=view.order_id,
            order_event=data.event,
            outcome="recorded",
            status=view.status.value,
        )


# Business metrics (on the worker's Prometheus endpoint, names with _total for counters).
COUNTED = {
    "RECEIVED": ("oms_orders_placed", "Orders placed"),
    "CANCELLED": ("oms_orders_cancelled", "Orders cancelled"),
    "BACKORDERED": ("oms_orders_backordered", "Backorder notices (an order may wait twice)"),
}
SLA_RUNGS = {"SLA_BREACHED", "SLA_HARD_BREACH"}
STATUSES = {status.value for status in OrderStatus}


def count_in_metrics(data: RecordStatusInput) -> None:
    """Count a newly recorded step; outside a worker (tests, scripts) there is no meter."""
    if not activity.in_activity():
        return
    meter, event = activity.metric_meter(), data.event
    meter.create_counter("oms_order_events", "Recorded order events").add(1, {"event": event})
    if event in COUNTED:
        meter.create_counter(*COUNTED[event]).add(1)
    if event in SLA_RUNGS:
        meter.create_counter("oms_sla_breaches", "SLA breaches by rung").add(1, {"rung": event})
    latency = step_latency(data.view, event) if event in STATUSES else None
    if latency is not None:
        meter.create_histogram_float(
            "oms_order_step_latency_seconds", "From placed to each status", "s"
        ).record(latency, {"status": event})


def step_latency(view: OrderView, event: str) -> float | None:
    """Seconds from RECEIVED to the latest `event`, by the workflow's own timeline."""
    placed = next((e.at for e in view.timeline if e.event == "RECEIVED"), None)
    reached = next((e.at for e in reversed(view.timeline) if e.event == event), None)
    if placed is None or reached is None:
        return None
    return max((reached - placed).total_seconds(), 0.0)


def order_row(engine: Engine, *, order_id: str) -> dict[str, Any] | None:
    """The read model row, its view parsed into `view`; None for an unknown order."""
    with reading(engine) as connection:
        row = connection.execute(select(ORDERS).where(ORDERS.c.order_id == order_id)).mappings()
        found = row.one_or_none()
    if found is None:
        return None
    result = {k: v for k, v in found.items() if k != "view_json"}
    return result | {"view": json.loads(found["view_json"])}


def order_events(engine: Engine, *, order_id: str) -> list[dict[str, Any]]:
    """The audit trail, oldest first."""
    query = (
        select(EVENTS.c.event, EVENTS.c.detail, EVENTS.c.actor, EVENTS.c.at)
        .where(EVENTS.c.order_id == order_id)
        .order_by(EVENTS.c.id)
    )
    with reading(engine) as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def notifications(engine: Engine, *, order_id: str) -> list[dict[str, Any]]:
    """The outbox rows of one order with their delivery state, oldest first."""
    query = (
        select(
            OUTBOX.c.channel,
            OUTBOX.c.recipient,
            OUTBOX.c.event,
            OUTBOX.c.body,
            OUTBOX.c.created_at,
            OUTBOX.c.sent_at,
            OUTBOX.c.status,
            OUTBOX.c.attempts,
            OUTBOX.c.provider_id,
            OUTBOX.c.error,
        )
        .where(OUTBOX.c.order_id == order_id)
        .order_by(OUTBOX.c.id)
    )
    with reading(engine) as connection:
        return [dict(row) for row in connection.execute(query).mappings()]
