"""Orders over HTTP: place (idempotent), status, cancel, list; inventory; health."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
from temporalio.client import Client

from tests.api.conftest import in_status, order_json, wait_until

pytestmark = pytest.mark.integration


async def test_placing_answers_202_and_a_repeat_200_with_one_workflow(
    http: httpx.AsyncClient, client: Client
) -> None:
    data = order_json()
    first = await http.post("/orders", json=data)
    again = await http.post("/orders", json=data)

    assert first.status_code == 202, first.text
    assert again.status_code == 200, again.text
    body = first.json()
    assert body["order_id"] == data["order_id"]
    assert body["workflow_id"] == f"order-{data['order_id']}"
    assert body["status"]
    assert again.json()["workflow_id"] == body["workflow_id"]
    runs = await client.count_workflows(f"WorkflowId = '{body['workflow_id']}'")
    assert runs.count == 1
    view = await wait_until(http, data["order_id"], in_status("ALLOCATED", "SHIPPED", "DELIVERED"))
    assert view["order_id"] == data["order_id"] and view["lines"][0]["sku"] == "API-ORDER"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["lines"][0].update(quantity=0), "lines[0].quantity"),
        (lambda d: d["lines"][0].update(quantity="2"), "lines[0].quantity"),
        (lambda d: d["lines"][0].update(sku="NO-SUCH-SKU"), "lines[0].sku"),
        (lambda d: d["customer"].update(email="not-an-email"), "customer.email"),
        (lambda d: d.pop("placed_at"), "placed_at"),
    ],
)
async def test_a_bad_order_is_422_naming_the_field_and_starts_nothing(
    http: httpx.AsyncClient, client: Client, change, field: str
) -> None:
    data = order_json()
    change(data)
    answer = await http.post("/orders", json=data)

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field
    assert answer.json()["detail"].startswith(f"{field}: ")
    assert (await client.count_workflows(f"WorkflowId = 'order-{data['order_id']}'")).count == 0


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('"quantity": 1e400', "lines[0].quantity"),
        ('"quantity": ' + "9" * 4000, "lines[0].quantity"),
        ('"quantity": -' + "9" * 30, "lines[0].quantity"),
        ('"quantity": 1, "unit_price": 1e999', "lines[0].unit_price"),
    ],
)
async def test_huge_numbers_are_422_naming_the_field(
    http: httpx.AsyncClient, text: str, field: str
) -> None:
    data = order_json()
    data["lines"][0].pop("unit_price")
    raw = json.dumps(data).replace('"quantity": 1', text)
    if "unit_price" not in text:
        raw = raw.replace(text, text + ', "unit_price": "10.00"')
    answer = await http.post("/orders", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


async def test_malformed_bodies_are_4xx_never_5xx(http: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    for raw in [b"{bad", b"[]", b"null", b'"text"', b"1" * 5000, b"\xff\xfe", b"[" * 10000]:
        answer = await http.post("/orders", content=raw, headers=headers)
        assert 400 <= answer.status_code < 500, (raw[:20], answer.status_code, answer.text)


@pytest.mark.parametrize(
    "path",
    [
        "/orders/NO-SUCH-ORDER",
        "/orders/%F0%9F%92%A9",
        "/orders/%ED%A0%80",
        "/orders/%00",
        "/orders/" + "A" * 300,
        "/inventory/NO-SUCH-SKU",
        "/inventory/%F0%9F%92%A9",
        "/inventory/%ED%A0%80",
    ],
)
async def test_unknown_or_weird_ids_are_4xx(http: httpx.AsyncClient, path: str) -> None:
    answer = await http.get(path)
    assert answer.status_code in (404, 422), answer.text
    if "NO-SUCH" in path:
        assert answer.status_code == 404


async def test_cancelling_an_unknown_order_is_404(http: httpx.AsyncClient) -> None:
    answer = await http.post("/orders/NO-SUCH-ORDER/cancel", json={"reason": "x"})
    assert answer.status_code == 404, answer.text


async def test_a_cancel_before_shipment_is_accepted(http: httpx.AsyncClient) -> None:
    # A declined card keeps the order waiting for a new payment: a stable moment to cancel.
    data = order_json(token="tok_decline")
    assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, data["order_id"], in_status("AWAITING_PAYMENT"))

    answer = await http.post(f"/orders/{data['order_id']}/cancel", json={"reason": "changed mind"})

    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] is True and answer.json()["status"] == "CANCELLED"


async def test_a_cancel_after_shipment_is_409_with_the_reason(http: httpx.AsyncClient) -> None:
    data = order_json()
    assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, data["order_id"], in_status("SHIPPED", "DELIVERED"))

    answer = await http.post(f"/orders/{data['order_id']}/cancel", json={"reason": "too late"})

    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["accepted"] is False and body["status"] in ("SHIPPED", "DELIVERED")
    assert body["detail"] and body["detail"] == body["message"]


async def test_the_list_filters_by_status_and_customer(http: httpx.AsyncClient) -> None:
    customer = f"C-API-{uuid.uuid4().hex[:6]}"
    waiting = order_json(customer_id=customer, token="tok_decline")
    shipped = order_json(customer_id=customer)
    for data in (waiting, shipped):
        assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, waiting["order_id"], in_status("AWAITING_PAYMENT"))
    await wait_until(http, shipped["order_id"], in_status("SHIPPED", "DELIVERED"))

    async def listed(**params: object) -> list[dict]:
        given = {k: v for k, v in params.items() if v is not None}
        answer = await http.get("/orders", params={"customer_id": customer, **given})
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def eventually(expected: set[str], *statuses: str | None) -> list[dict]:
        """Rows for any of `statuses` once they are `expected` (visibility lags a little)."""
        deadline, rows = time.monotonic() + 15, []
        while time.monotonic() < deadline:
            rows = [row for status in statuses for row in await listed(status=status)]
            if {row["order_id"] for row in rows} == expected:
                break
            await asyncio.sleep(0.3)
        return rows

    both = {waiting["order_id"], shipped["order_id"]}
    rows = await eventually(both, None)
    assert {r["order_id"] for r in rows} == both
    assert all(r["customer_id"] == customer and r["priority"] is not None for r in rows)
    rows = await eventually({waiting["order_id"]}, "AWAITING_PAYMENT")
    assert [(r["order_id"], r["status"]) for r in rows] == [
        (waiting["order_id"], "AWAITING_PAYMENT")
    ]
    # The parcel may move on from SHIPPED to DELIVERED while we look.
    rows = await eventually({shipped["order_id"]}, "SHIPPED", "DELIVERED")
    assert [r["order_id"] for r in rows] == [shipped["order_id"]]
    assert await listed(status="CANCELLED") == []
    assert await listed(sla_breached="true") == []
    assert len(await listed(limit=1)) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"status": "NOT_A_STATUS"},
        {"customer_id": "C-1' OR WorkflowType != 'x"},
        {"customer_id": 'C-1" OR 1=1'},
        {"sla_breached": "perhaps"},
        {"limit": "0"},
        {"limit": "99999999999999999999999"},
    ],
)
async def test_bad_list_filters_are_422(http: httpx.AsyncClient, params: dict[str, str]) -> None:
    answer = await http.get("/orders", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == next(iter(params))


async def test_inventory_lists_the_skus_rows(http: httpx.AsyncClient) -> None:
    answer = await http.get("/inventory/API-ORDER")
    assert answer.status_code == 200, answer.text
    (row,) = answer.json()
    assert row["sku"] == "API-ORDER" and row["warehouse_id"] == "IT-WH"
    assert row["available"] == row["on_hand"] - row["reserved"]


async def test_healthz_reports_temporal_reachable(http: httpx.AsyncClient) -> None:
    answer = await http.get("/healthz")
    assert answer.status_code == 200, answer.text
    assert answer.json()["temporal"] is True and answer.json()["database"] is True


async def test_an_oversized_body_is_413(http: httpx.AsyncClient) -> None:
    raw = b'{"pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    answer = await http.post("/orders", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "x" * 501}, "reason"), ({"reason": 12}, "reason"), (None, "document")],
)
async def test_a_bad_cancel_body_is_422(http: httpx.AsyncClient, body: object, field: str) -> None:
    answer = await http.post("/orders/NO-SUCH-ORDER/cancel", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


async def test_a_return_before_delivery_is_409_and_for_an_unknown_order_404(
    http: httpx.AsyncClient,
) -> None:
    data = order_json()
    assert (await http.post("/orders", json=data)).status_code == 202
    await wait_until(http, data["order_id"], in_status("ALLOCATED", "SHIPPED"))
    body = {"lines": [{"sku": "API-ORDER", "quantity": 1}], "reason": "too big"}

    early = await http.post(f"/orders/{data['order_id']}/returns", json=body)
    unknown = await http.post("/orders/NO-SUCH-ORDER/returns", json=body)
    empty = await http.post(f"/orders/{data['order_id']}/returns", json={"reason": "x"})

    assert early.status_code == 409, early.text
    assert "only a delivered order can be returned" in early.json()["detail"]
    assert unknown.status_code == 404, unknown.text
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "lines"
