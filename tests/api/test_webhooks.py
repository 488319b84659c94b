"""Carrier and WMS webhooks over HTTP: signatures, tracking events, warehouse receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from api.security import SIGNATURE_HEADER, sign
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


@pytest.fixture(scope="module")
async def shipped(http: httpx.AsyncClient) -> dict[str, Any]:
    """An order with a booked shipment: its view, with carrier and tracking number."""
    data = order_json()
    assert (await http.post("/orders", json=data)).status_code == 202
    return await wait_until(http, data["order_id"], lambda v: bool(v["shipments"]))


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


async def test_a_tracking_event_reaches_the_order_once(
    http: httpx.AsyncClient, gateway: Gateway, shipped: dict[str, Any]
) -> None:
    (parcel,) = shipped["shipments"]
    event = tracking(parcel["carrier"], parcel["tracking_number"])
    url = f"/webhooks/carriers/{parcel['carrier']}"

    first = await http.post(url, **gateway.signed(event))
    again = await http.post(url, **gateway.signed(event))

    assert first.status_code == 200, first.text
    assert first.json() == {
        "accepted": True,
        "duplicate": False,
        "order_id": shipped["order_id"],
        "workflow_id": f"order-{shipped['order_id']}",
    }
    assert again.status_code == 200 and again.json()["duplicate"] is True
    view = await wait_until(
        http,
        shipped["order_id"],
        lambda v: any(event["location"] in entry["detail"] for entry in v["timeline"]),
    )
    noted = [e for e in view["timeline"] if event["location"] in e["detail"]]
    assert [e["event"] for e in noted] == ["PARCEL_IN_TRANSIT"]  # once, not twice


async def test_the_carrier_may_come_from_the_url_alone(
    http: httpx.AsyncClient, gateway: Gateway, shipped: dict[str, Any]
) -> None:
    (parcel,) = shipped["shipments"]
    event = tracking(parcel["carrier"], parcel["tracking_number"])
    del event["carrier"]
    answer = await http.post(f"/webhooks/carriers/{parcel['carrier']}", **gateway.signed(event))
    assert answer.status_code == 200, answer.text


async def test_unknown_tracking_numbers_are_404(
    http: httpx.AsyncClient, gateway: Gateway, shipped: dict[str, Any]
) -> None:
    (parcel,) = shipped["shipments"]
    unknown = tracking(parcel["carrier"], "NO-SUCH-PARCEL")
    other_carrier = tracking("OTHER", parcel["tracking_number"])
    for url, event in [
        (f"/webhooks/carriers/{parcel['carrier']}", unknown),
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
    data = order_json(sku="API-WMS", quantity=500)  # more than any receipt so far
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
