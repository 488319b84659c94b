"""The gateway's request metrics at GET /metrics, over real HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration


async def samples(http: httpx.AsyncClient, name: str) -> list[dict[str, str]]:
    """The label sets of every sample of metric family `name` (values under "value")."""
    answer = await http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    found = []
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == name:
                found.append(sample.labels | {"value": str(sample.value)})
    return found


async def test_requests_are_counted_by_route_template_not_by_raw_path(
    http: httpx.AsyncClient,
) -> None:
    order_id = f"NOPE-{uuid.uuid4().hex[:8]}"
    assert (await http.get(f"/orders/{order_id}")).status_code == 404
    assert (await http.post("/orders", json={"order_id": order_id})).status_code == 422
    assert (await http.get(f"/no/such/{order_id}")).status_code == 404

    counted = await samples(http, "oms_http_requests_total")

    def count(method: str, route: str, status: str) -> float:
        hits = [
            s for s in counted if (s["method"], s["route"], s["status"]) == (method, route, status)
        ]
        return sum(float(s["value"]) for s in hits)

    assert count("GET", "/orders/{order_id}", "404") >= 1
    assert count("POST", "/orders", "422") >= 1
    assert count("GET", "unmatched", "404") >= 1
    assert not any(order_id in s["route"] for s in counted)


async def test_request_latency_is_a_histogram_per_route(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).status_code in (200, 503)

    buckets = await samples(http, "oms_http_request_duration_seconds_bucket")
    health = [b for b in buckets if (b["method"], b["route"]) == ("GET", "/healthz")]
    assert health and max(float(b["value"]) for b in health if b["le"] == "+Inf") >= 1
