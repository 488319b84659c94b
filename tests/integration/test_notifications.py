"""Notifications from a real worker: the order's mails arrive at the SMTP server once."""

from __future__ import annotations

import asyncio
import json
import time
from email.message import EmailMessage

import pytest
from temporalio.client import Client

from activities.db import make_engine
from activities.notify_providers import simulated_deliveries
from activities.records import notifications
from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration


async def mails_about(system: System, order_id: str, wanted: int) -> list[EmailMessage]:
    """The sink's mails about this order once there are `wanted` of them (bounded wait)."""
    assert system.mail is not None
    deadline, found = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        found = [m for m in system.mail.messages() if order_id in str(m["Subject"])]
        if len(found) >= wanted:
            break
        await asyncio.sleep(0.2)
    return found


async def test_a_placed_order_is_mailed_its_received_notice_exactly_once(
    system: System, client: Client
) -> None:
    path = system.write_order(order_data(sku="IT-ORDER"))
    placed = system.starter("place", "--file", str(path), "--json")
    assert placed.returncode == 0, placed.stderr
    order_id = json.loads(placed.stdout)["order_id"]
    await wait_for_status(client, order_id, {"ALLOCATED", "SHIPPED", "DELIVERED"})

    # RECEIVED, RESERVED and ALLOCATED were each mailed; the sender has gone past RECEIVED.
    mails = await mails_about(system, order_id, wanted=3)
    subjects = [str(m["Subject"]) for m in mails]
    assert subjects.count(f"Your order {order_id}: received") == 1, subjects
    received = next(m for m in mails if str(m["Subject"]).endswith("received"))
    assert f"We have received your order {order_id}." in received.get_content()

    engine = make_engine(system.settings.oms_database_url)
    rows = [n for n in notifications(engine, order_id=order_id) if n["event"] == "RECEIVED"]
    assert {(n["channel"], n["status"]) for n in rows} == {
        ("email", "sent"),
        ("sms", "sent"),
        ("push", "sent"),
    }
    push = next(n for n in rows if n["channel"] == "push")
    pushed = simulated_deliveries(engine, channel="push")
    assert [d["recipient"] for d in pushed if d["body"] == push["body"]] == [push["recipient"]]
    engine.dispose()
