"""The outbox sender on a real database, mailing through a real SMTP server (the sink)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from structlog.testing import capture_logs

from activities.db import create_schema, make_engine
from activities.notify_providers import SmtpConfig, simulated_deliveries, standard_providers
from activities.notify_sender import NotificationSender, prepare_outbox
from activities.records import OrderRecordActivities, notifications
from activities.sqltypes import utcnow
from models.activity_io import RecordStatusInput
from models.status import OrderStatus
from models.view import OrderView
from tests.activities.conftest import CUSTOMER
from workers.devserver import free_port
from workers.smtp_sink import SmtpSink

OPS = "ops@oms.test"


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    sink = SmtpSink(tmp_path / "mail", port=free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def sender(engine: Engine, sink: SmtpSink) -> Callable[..., NotificationSender]:
    prepare_outbox(engine)

    def build(port: int = sink.port, **options: Any) -> NotificationSender:
        smtp = SmtpConfig("127.0.0.1", port, "orders@oms.test")
        providers = standard_providers(engine, smtp=smtp, ops_address=OPS)
        return NotificationSender(engine, providers, **{"retry_base_s": 0} | options)

    return build


def record(engine: Engine, event: str, key: str, **changes: Any) -> None:
    customer = CUSTOMER.model_copy(update=changes.pop("customer", {}))
    view = OrderView(order_id="SO-1", status=OrderStatus.RECEIVED)
    data = RecordStatusInput(
        idempotency_key=key, event=event, view=view, customer=customer, **changes
    )
    OrderRecordActivities(engine).record_status(data)


def rows(engine: Engine, channel: str) -> list[dict[str, Any]]:
    return [n for n in notifications(engine, order_id="SO-1") if n["channel"] == channel]


def test_each_event_is_mailed_once_even_when_its_step_is_retried(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1")
    record(engine, "RECEIVED", "SO-1:record:1")  # the activity retried
    record(engine, "RESERVED", "SO-1:record:2")

    first = sender()
    first.tick()
    first.tick()

    mails = sink.messages()
    assert [m["Subject"] for m in mails] == [
        "Your order SO-1: received",
        "Your order SO-1: reserved",
    ]
    assert {m["To"] for m in mails} == {"li@example.com"}
    assert "We have received your order SO-1." in mails[0].get_content()
    sent = rows(engine, "email")
    assert [(r["status"], r["attempts"]) for r in sent] == [("sent", 1), ("sent", 1)]
    assert [r["provider_id"] for r in sent] == [m["Message-ID"] for m in mails]


def test_the_same_event_for_two_parcels_is_sent_twice_but_a_retried_one_once(engine, sink, sender):
    record(engine, "PARCEL_DELAYED", "SO-1:record:5", detail="WH-A")
    record(engine, "PARCEL_DELAYED", "SO-1:record:6", detail="WH-B")
    record(engine, "PARCEL_DELAYED", "SO-1:record:5", detail="WH-A")

    sender().tick()

    assert len(sink.messages()) == 2


def test_a_claimed_row_is_never_sent_again_after_a_crash(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1")
    crashed = sender()
    assert {claim.channel for claim in crashed.claim()} == {"email", "sms", "push"}
    # The process died here, after the claim and before (or while) sending.

    assert sender().tick() == 0
    assert sink.messages() == []
    assert {r["status"] for r in notifications(engine, order_id="SO-1")} == {"sending"}


def test_a_stop_mid_pass_hands_the_unsent_claims_back(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1")
    mailer = sender()
    assert mailer.tick(stopping=lambda: len(sink.messages()) == 1) == 3  # email went first

    assert [r["status"] for r in notifications(engine, order_id="SO-1")] == [
        "sent",
        "pending",
        "pending",
    ]
    mailer.tick()
    assert {r["attempts"] for r in notifications(engine, order_id="SO-1")} == {1}


def test_two_senders_at_once_send_every_row_exactly_once(engine, sink, sender):
    for sequence in range(1, 31):
        record(engine, f"STEP_{sequence}", f"SO-1:record:{sequence}", notify_customer=True)
    senders = [sender(batch=7), sender(batch=7)]

    def drain(one: NotificationSender) -> None:
        while one.tick():
            pass

    threads = [threading.Thread(target=drain, args=(one,)) for one in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    subjects = [m["Subject"] for m in sink.messages()]
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert len(simulated_deliveries(engine, channel="sms")) == 30
    assert {r["status"] for r in notifications(engine, order_id="SO-1")} == {"sent"}


def test_a_transient_refusal_is_retried_later_and_then_sent(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1", customer={"email": "li+flaky@example.com"})
    now = [utcnow()]
    patient = sender(retry_base_s=60, clock=lambda: now[0])

    patient.tick()  # 451 from the server
    [row] = rows(engine, "email")
    assert (row["status"], row["attempts"]) == ("pending", 1) and "451" in row["error"]
    patient.tick()  # not due yet: nothing is claimed
    assert rows(engine, "email")[0]["attempts"] == 1

    for minutes in (1, 3):  # the delay doubles
        now[0] += timedelta(minutes=minutes, seconds=1)
        patient.tick()

    [row] = rows(engine, "email")
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert [m["To"] for m in sink.messages()] == ["li+flaky@example.com"]


def test_transient_failures_give_up_after_the_last_attempt(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1", customer={"phone": "+86 flaky"})
    stubborn = sender(max_attempts=2)
    stubborn.tick()
    stubborn.tick()
    stubborn.tick()

    [row] = rows(engine, "sms")
    assert (row["status"], row["attempts"]) == ("failed", 2)
    assert row["error"].startswith("gave up after 2 attempts")
    assert simulated_deliveries(engine, channel="sms") == []


def test_a_permanent_failure_is_recorded_and_never_retried(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1", customer={"email": "bounce@example.com"})
    mailer = sender()
    mailer.tick()
    mailer.tick()

    [row] = rows(engine, "email")
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "550" in row["error"]
    assert sink.messages() == []


def test_an_unreachable_mail_server_is_a_transient_failure(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1")
    sender(port=free_port()).tick()  # nothing listens there

    [row] = rows(engine, "email")
    assert row["status"] == "pending" and "unreachable" in row["error"]


def test_sms_and_push_simulators_record_what_they_delivered(engine, sink, sender):
    record(engine, "SHIPPED", "SO-1:record:4")
    sender().tick()

    [sms] = simulated_deliveries(engine, channel="sms")
    [push] = simulated_deliveries(engine, channel="push")
    assert (sms["recipient"], push["recipient"]) == ("+86 138 0000 0000", "C-1")
    assert "on its way" in sms["body"] and sms["body"] == push["body"]
    assert sms["provider_id"] == rows(engine, "sms")[0]["provider_id"]
    assert push["provider_id"] == rows(engine, "push")[0]["provider_id"]


def test_an_ops_alert_is_mailed_to_the_ops_address(engine, sink, sender):
    record(
        engine,
        "SLA_BREACHED",
        "SO-1:record:3",
        detail="ship-by passed",
        notify_customer=False,
        alert_ops=True,
    )
    sender().tick()

    [mail] = sink.messages()
    assert (mail["To"], mail["Subject"]) == (OPS, "[OMS ops] SLA_BREACHED order SO-1")
    assert "ship-by passed" in mail.get_content()


def test_sender_logs_carry_no_personal_data(engine, sink, sender):
    record(engine, "RECEIVED", "SO-1:record:1", customer={"email": "bounce@example.com"})
    with capture_logs() as logs:
        sender().tick()

    assert {(line["channel"], line["outcome"]) for line in logs} == {
        ("email", "failed"),
        ("sms", "sent"),
        ("push", "sent"),
    }
    assert "example.com" not in repr(logs) and "138 0000" not in repr(logs)


def test_an_older_database_gets_the_delivery_columns_and_old_rows_stay_unsent(tmp_path, sink):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:  # the table as it was before the sender
        connection.execute(
            text(
                "CREATE TABLE notifications (id INTEGER PRIMARY KEY, order_id VARCHAR NOT NULL,"
                " channel VARCHAR NOT NULL, recipient VARCHAR NOT NULL, event VARCHAR NOT NULL,"
                " body VARCHAR NOT NULL, created_at DATETIME NOT NULL, sent_at DATETIME,"
                " idempotency_key VARCHAR NOT NULL UNIQUE)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO notifications (order_id, channel, recipient, event, body,"
                " created_at, idempotency_key) VALUES ('SO-0', 'email', 'old@example.com',"
                " 'RECEIVED', 'old news', :at, 'SO-0:record:1:email')"
            ),
            {"at": datetime(2026, 1, 1)},
        )
    create_schema(engine)  # as the worker starts: the other tables; this one stays as it was
    prepare_outbox(engine)
    prepare_outbox(engine)  # a second worker starting: nothing left to add
    record(engine, "RECEIVED", "SO-1:record:1", notify_customer=True)

    smtp = SmtpConfig("127.0.0.1", sink.port, "orders@oms.test")
    NotificationSender(engine, standard_providers(engine, smtp=smtp, ops_address=OPS)).tick()

    assert [m["To"] for m in sink.messages()] == ["li@example.com"]
    assert notifications(engine, order_id="SO-0")[0]["status"] is None
    engine.dispose()
