"""Carrier and WMS webhooks over HTTP: signatures, tracking events, warehouse receipts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import Session
from temporalio.client import Client

from activities.db import make_engine
from activities.tables import Shipment
from api.security import SIGNATURE_HEADER, sign
from models.messages import CarrierEvent
from tests.api.conftest import Gateway, in_status, order_json, wait_until

pytestmark = pytest.mark.integration


def tracking(carrier: str, tracking_number: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"hook-{uuid.uuid4().hex[:10]}",
        "carrier": carrier,
        "tracking_number": tracking_number,
        "status": "IN_TRANSIT",
        "at": datetime.now(UTC).isoformat(),
        "location": f"Hub {uuid.uuid4().hex[:6]}",
        **fields,
    }


def receipt(sku: str = "API-WMS", **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"rcv-{uuid.uuid4().hex[:10]}",
        "type": "inbound",
        "warehouse_id": "IT-WH",
        "sku": sku,
        "quantity": 5,
        "reference": "PO-API",
        **fields,
    }


@dataclass
class Parcel:
    order_id: str
    workflow_id: str
    carrier: str
    tracking_number: str


def parcel_for(gateway: Gateway, workflow_id: str, order_id: str) -> Parcel:
    """A shipments row (as the carrier booking writes it) that the simulated carrier leaves
    alone (`sim_due_at` None), routed to `workflow_id`: nothing else sends events for it,
    and the workflow stays open, so the test alone decides what reaches it."""
    parcel = Parcel(order_id, workflow_id, "API-EXPRESS", f"APX{uuid.uuid4().hex[:12].upper()}")
    row = Shipment(
        shipment_id=f"SHP-{parcel.tracking_number}",
        order_id=order_id,
        workflow_id=workflow_id,
        warehouse_id="IT-WH",
        carrier=parcel.carrier,
        tracking_number=parcel.tracking_number,
        sim_due_at=None,
        idempotency_key=f"api-test:{parcel.tracking_number}",
    )
    with Session(make_engine(gateway.system.settings.oms_database_url)) as session:
        session.add(row)
        session.commit()
    return parcel


@pytest.fixture(scope="module")
async def parcel(http: httpx.AsyncClient, gateway: Gateway) -> Parcel:
    """A parcel of an open order (a declined card keeps it waiting for an hour)."""
    data = order_json(token="tok_decline")
    assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, data["order_id"], in_status("AWAITING_PAYMENT"))
    return parcel_for(gateway, f"order-{data['order_id']}", data["order_id"])


async def carrier_events_in_history(client: Client, workflow_id: str) -> list[str]:
    """The event ids of every `carrier_event` signal the workflow received."""
    ids = []
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.HasField("workflow_execution_signaled_event_attributes"):
            signal = event.workflow_execution_signaled_event_attributes
            if signal.signal_name == "carrier_event":
                (data,) = await client.data_converter.decode(signal.input.payloads, [CarrierEvent])
                ids.append(data.event_id)
    return ids


@pytest.mark.parametrize("path", ["/webhooks/wms", "/webhooks/carriers/SF"])
@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "garbage", "wrong-secret"],
)
async def test_unsigned_or_badly_signed_webhooks_are_401(
    http: httpx.AsyncClient, path: str, signature: str | None
) -> None:
    raw = b'{"event_id": "x", "type": "inbound"}'
    headers = {"content-type": "application/json"}
    if signature == "wrong-secret":
        headers[SIGNATURE_HEADER] = sign("not-the-secret", raw)
    elif signature is not None:
        headers[SIGNATURE_HEADER] = signature
    answer = await http.post(path, content=raw, headers=headers)
    assert answer.status_code == 401, answer.text
    # Even a malformed body is refused for its signature first: nothing is parsed.
    answer = await http.post(path, content=b"{not json", headers=headers)
    assert answer.status_code == 401, answer.text


async def test_a_tracking_event_reaches_the_workflow_once(
    http: httpx.AsyncClient, gateway: Gateway, client: Client, parcel: Parcel
) -> None:
    event = tracking(parcel.carrier, parcel.tracking_number)
    url = f"/webhooks/carriers/{parcel.carrier}"

    first = await http.post(url, **gateway.signed(event))
    again = await http.post(url, **gateway.signed(event))

    assert first.status_code == 200, first.text
    assert first.json() == {
        "accepted": True,
        "duplicate": False,
        "order_id": parcel.order_id,
        "workflow_id": parcel.workflow_id,
    }
    assert again.status_code == 200 and again.json()["duplicate"] is True
    received = await carrier_events_in_history(client, parcel.workflow_id)
    assert received.count(event["event_id"]) == 1


async def test_the_carrier_may_come_from_the_url_alone(
    http: httpx.AsyncClient, gateway: Gateway, client: Client, parcel: Parcel
) -> None:
    event = tracking(parcel.carrier, parcel.tracking_number)
    del event["carrier"]
    answer = await http.post(f"/webhooks/carriers/{parcel.carrier}", **gateway.signed(event))
    assert answer.status_code == 200, answer.text
    assert event["event_id"] in await carrier_events_in_history(client, parcel.workflow_id)


async def test_an_event_for_a_closed_workflow_is_409(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    gone = parcel_for(gateway, "order-NEVER-STARTED", "NEVER-STARTED")
    event = tracking(gone.carrier, gone.tracking_number)
    answer = await http.post(f"/webhooks/carriers/{gone.carrier}", **gateway.signed(event))
    assert answer.status_code == 409, answer.text
    assert answer.json()["errors"][0]["field"] == "tracking_number"


async def test_unknown_tracking_numbers_are_404(
    http: httpx.AsyncClient, gateway: Gateway, parcel: Parcel
) -> None:
    unknown = tracking(parcel.carrier, "NO-SUCH-PARCEL")
    other_carrier = tracking("OTHER", parcel.tracking_number)
    for url, event in [
        (f"/webhooks/carriers/{parcel.carrier}", unknown),
        ("/webhooks/carriers/OTHER", other_carrier),
    ]:
        answer = await http.post(url, **gateway.signed(event))
        assert answer.status_code == 404, answer.text
        assert answer.json()["errors"][0]["field"] == "tracking_number"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"carrier": "SOMEONE-ELSE"}, "carrier"),
        ({"at": "2026-12-03T10:00:00"}, "at"),  # no zone
        ({"status": "TELEPORTED"}, "status"),
        ({"event_id": ""}, "event_id"),
        ({"tracking_number": 12}, "tracking_number"),
    ],
)
async def test_bad_tracking_events_are_422_naming_the_field(
    http: httpx.AsyncClient, gateway: Gateway, change: dict[str, Any], field: str
) -> None:
    event = {**tracking("SF", "T-1"), **change}
    answer = await http.post("/webhooks/carriers/SF", **gateway.signed(event))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


async def test_signed_but_malformed_bodies_are_4xx(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    for raw in [b"{bad", b"[]", b"null", b"1" * 5000, b"\xff\xfe", b"[" * 100000]:
        for path in ("/webhooks/carriers/SF", "/webhooks/wms"):
            answer = await http.post(path, **gateway.signed(raw))
            assert answer.status_code in (413, 422), (path, raw[:10], answer.text)
    big = b'{"pad": "' + b"x" * 70000 + b'"}'
    answer = await http.post("/webhooks/wms", **gateway.signed(big))
    assert answer.status_code == 413, answer.text


async def test_a_wms_receipt_is_applied_once(http: httpx.AsyncClient, gateway: Gateway) -> None:
    before = (await http.get("/inventory/API-WMS")).json()[0]["on_hand"]
    event = receipt(quantity=5)

    first = await http.post("/webhooks/wms", **gateway.signed(event))
    again = await http.post("/webhooks/wms", **gateway.signed(event))

    assert first.status_code == 200, first.text
    assert first.json()["event_id"] == event["event_id"] and first.json()["applied"] is True
    assert first.json()["on_hand"] == before + 5
    assert again.status_code == 200 and again.json() == first.json()  # the same run's answer
    (row,) = (await http.get("/inventory/API-WMS")).json()
    assert row["on_hand"] == before + 5  # received once, not twice


async def test_a_receipt_wakes_a_backordered_order(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    # More than any receipt so far; a big bulk order, so from a VIP with no other orders
    # (velocity, a new account's and unusual spend's points would hold it for review).
    data = order_json(
        sku="API-WMS", quantity=500, customer_id=f"C-{uuid.uuid4().hex[:8]}", tier="vip"
    )
    assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, data["order_id"], in_status("BACKORDERED"))

    answer = await http.post("/webhooks/wms", **gateway.signed(receipt(quantity=600)))

    assert answer.status_code == 200, answer.text
    assert answer.json()["woken_orders"] == [data["order_id"]]
    await wait_until(http, data["order_id"], in_status("ALLOCATED", "SHIPPED", "DELIVERED"))


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"sku": "NO-SUCH-SKU"}, 422, "sku"),
        ({"warehouse_id": "NO-SUCH-WH"}, 422, "warehouse_id"),
        ({"quantity": None}, 422, "document"),
        ({"type": "teleport"}, 422, "type"),
        ({"type": "outbound", "quantity": 100000}, 409, None),
    ],
)
async def test_bad_wms_events_are_refused(
    http: httpx.AsyncClient,
    gateway: Gateway,
    change: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    before = (await http.get("/inventory/API-WMS")).json()
    answer = await http.post("/webhooks/wms", **gateway.signed(receipt(**change)))
    assert answer.status_code == status, answer.text
    if field:
        assert answer.json()["errors"][0]["field"] == field
    assert (await http.get("/inventory/API-WMS")).json() == before
