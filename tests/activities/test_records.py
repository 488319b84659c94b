from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine
from structlog.testing import capture_logs
from temporalio.runtime import MetricBuffer, Runtime, TelemetryConfig
from temporalio.testing import ActivityEnvironment

from activities.records import (
    OrderRecordActivities,
    notifications,
    order_events,
    order_row,
)
from models.activity_io import RecordStatusInput
from models.status import OrderStatus
from models.view import OrderView, PaymentView, TimelineEntry
from tests.activities.conftest import CUSTOMER


def _record(event: str, key: str, status: OrderStatus, **changes: object) -> RecordStatusInput:
    view = OrderView(
        order_id="SO-1", status=status, priority=70, payment=PaymentView(amount=Decimal("119.80"))
    )
    return RecordStatusInput(
        idempotency_key=key, event=event, view=view, customer=CUSTOMER, **changes
    )


def test_a_retried_record_writes_one_event_and_one_set_of_messages(engine: Engine) -> None:
    records = OrderRecordActivities(engine)
    request = _record("RESERVED", "SO-1:record:2", OrderStatus.RESERVED, detail="from WH-A")

    records.record_status(request)
    records.record_status(request)

    assert [
        (e["event"], e["detail"], e["actor"]) for e in order_events(engine, order_id="SO-1")
    ] == [("RESERVED", "from WH-A", "system")]
    sent = notifications(engine, order_id="SO-1")
    assert [(n["channel"], n["recipient"]) for n in sent] == [
        ("email", "li@example.com"),
        ("sms", "+86 138 0000 0000"),
        ("push", "C-1"),  # the customer's app
    ]
    assert {(n["status"], n["attempts"]) for n in sent} == {("pending", 0)}
    assert "SO-1" in sent[0]["body"] and "reserved" in sent[0]["body"]


def test_a_late_older_record_never_overwrites_a_newer_view(engine: Engine) -> None:
    records = OrderRecordActivities(engine)
    records.record_status(_record("ALLOCATED", "SO-1:record:3", OrderStatus.ALLOCATED, sequence=3))
    records.record_status(
        _record("SLA_BREACHED", "SO-1:record:2", OrderStatus.RESERVED, sequence=2)
    )

    assert order_row(engine, order_id="SO-1")["status"] == "ALLOCATED"
    assert [e["event"] for e in order_events(engine, order_id="SO-1")] == [
        "ALLOCATED",
        "SLA_BREACHED",
    ]


def test_the_read_model_follows_the_latest_status_and_keeps_its_creation_time(
    engine: Engine,
) -> None:
    records = OrderRecordActivities(engine)
    records.record_status(_record("RECEIVED", "SO-1:record:1", OrderStatus.RECEIVED))
    created = order_row(engine, order_id="SO-1")["created_at"]

    records.record_status(_record("RESERVED", "SO-1:record:2", OrderStatus.RESERVED, sequence=2))

    row = order_row(engine, order_id="SO-1")
    assert (row["status"], row["priority"], row["total"]) == ("RESERVED", 70, Decimal("119.80"))
    assert row["customer_id"] == "C-1" and row["view"]["status"] == "RESERVED"
    assert row["created_at"] == created and row["updated_at"] >= created
    assert row["created_at"].tzinfo is not None
    assert order_row(engine, order_id="SO-404") is None


def test_an_ops_alert_goes_to_the_ops_channel_only_when_asked(engine: Engine) -> None:
    records = OrderRecordActivities(engine, ops_recipient="ops@example.com")

    records.record_status(
        _record(
            "SLA_BREACHED",
            "SO-1:record:3",
            OrderStatus.RESERVED,
            detail="ship-by passed",
            notify_customer=False,
            alert_ops=True,
        )
    )

    [alert] = notifications(engine, order_id="SO-1")
    assert (alert["channel"], alert["recipient"]) == ("ops", "ops@example.com")
    assert "ship-by passed" in alert["body"]


def test_notification_logs_carry_no_personal_data(engine: Engine) -> None:
    with capture_logs() as logs:
        OrderRecordActivities(engine).record_status(
            _record("SHIPPED", "SO-1:record:4", OrderStatus.SHIPPED)
        )

    queued = [line for line in logs if line["event"] == "notification_queued"]
    assert [(line["channel"], line["order_id"]) for line in queued] == [
        ("email", "SO-1"),
        ("sms", "SO-1"),
        ("push", "SO-1"),
    ]
    text = repr(logs)
    assert "li@example.com" not in text and "138 0000" not in text


def test_a_backorder_notice_tells_the_restock_date_but_internal_details_stay_out(
    engine: Engine,
) -> None:
    records = OrderRecordActivities(engine)
    records.record_status(
        _record(
            "BACKORDERED",
            "SO-1:record:1",
            OrderStatus.BACKORDERED,
            detail="short of TEA; TEA expected by 2026-12-20; similar in stock: TEA-2",
        )
    )
    records.record_status(
        _record(
            "RESERVED", "SO-1:record:2", OrderStatus.RESERVED, detail="risk low: vip", sequence=2
        )
    )

    bodies = {n["event"]: n["body"] for n in notifications(engine, order_id="SO-1")}
    assert "2026-12-20" in bodies["BACKORDERED"] and "TEA-2" in bodies["BACKORDERED"]
    assert "risk" not in bodies["RESERVED"]


def test_a_recorded_step_counts_once_in_the_business_metrics(engine: Engine) -> None:
    buffer = MetricBuffer(1000)
    env = ActivityEnvironment()
    env.metric_meter = Runtime(telemetry=TelemetryConfig(metrics=buffer)).metric_meter
    records = OrderRecordActivities(engine)
    placed = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    steps = [
        ("RECEIVED", OrderStatus.RECEIVED, placed),
        ("BACKORDERED", OrderStatus.BACKORDERED, placed + timedelta(minutes=2)),
        ("SLA_BREACHED", OrderStatus.BACKORDERED, placed + timedelta(minutes=3)),
    ]
    timeline: list[TimelineEntry] = []
    for sequence, (event, status, at) in enumerate(steps, start=1):
        timeline.append(TimelineEntry(at=at, event=event))
        step = _record(event, f"SO-1:record:{sequence}", status, sequence=sequence)
        step.view.timeline = list(timeline)
        env.run(records.record_status, step)
        env.run(records.record_status, step)  # a retry counts nothing

    seen = [
        (update.metric.name, dict(update.attributes), update.value)
        for update in buffer.retrieve_updates()
    ]
    mine = [(name, {k: v for k, v in labels.items() if k in LABELS}, v) for name, labels, v in seen]
    assert mine == [
        ("oms_order_events", {"event": "RECEIVED"}, 1),
        ("oms_orders_placed", {}, 1),
        ("oms_order_step_latency_seconds", {"status": "RECEIVED"}, 0.0),
        ("oms_order_events", {"event": "BACKORDERED"}, 1),
        ("oms_orders_backordered", {}, 1),
        ("oms_order_step_latency_seconds", {"status": "BACKORDERED"}, 120.0),
        ("oms_order_events", {"event": "SLA_BREACHED"}, 1),
        ("oms_sla_breaches", {"rung": "SLA_BREACHED"}, 1),
    ]


LABELS = {"event", "status", "rung"}
