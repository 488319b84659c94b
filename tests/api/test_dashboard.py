"""The dashboard in a real headless Chromium, over the gateway on the integration system.

The page fills its counts from `/dashboard/data` and its charts from the PNG routes with
its own script; the DOM dumped after a few (virtual) seconds shows what a person would see.
"""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from cli.report_charts import CHARTS
from tests.api.conftest import Gateway, order_json
from tests.browser import dump_dom

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n"


def seen(dom: str) -> dict[str, object]:
    """What the page shows: the order count, its polls and each chart's loaded width."""
    orders = re.search(r'id="orders">(\d+)<', dom)
    polls = re.search(r'data-polls="(\d+)"', dom)
    charts = {
        name: int(width)
        for name, width in re.findall(r'<img data-chart="(\w+)"[^>]*data-loaded="(\d+)"', dom)
    }
    return {
        "orders": int(orders.group(1)) if orders else None,
        "polls": int(polls.group(1)) if polls else 0,
        "charts": charts,
        "statuses": re.findall(r"<tr><td>([A-Z_]+)</td><td class=\"n\">\d+</td></tr>", dom),
    }


async def open_dashboard(gateway: Gateway) -> dict[str, object]:
    dom = await asyncio.to_thread(dump_dom, f"{gateway.url}/dashboard", wait_ms=10_000)
    return seen(dom)


async def test_the_page_renders_its_charts_and_its_counts_follow_new_orders(
    gateway: Gateway, http: httpx.AsyncClient
) -> None:
    before_data = (await http.get("/dashboard/data")).json()
    before = await open_dashboard(gateway)

    assert before["orders"] == before_data["orders"]  # the script filled the count
    assert before["polls"] >= 2  # and kept refreshing it in place
    assert set(before["charts"]) == set(CHARTS)  # type: ignore[arg-type]
    assert all(width > 0 for width in before["charts"].values())  # type: ignore[attr-defined]

    for _ in range(3):
        assert (await http.post("/orders", json=order_json())).status_code == 202
    deadline = time.monotonic() + 30
    while (await http.get("/dashboard/data")).json()["orders"] < before_data["orders"] + 3:
        assert time.monotonic() < deadline, "the read model never saw the new orders"
        await asyncio.sleep(0.2)
    after = await open_dashboard(gateway)

    assert after["orders"] == before_data["orders"] + 3
    assert after["statuses"], "the status table stayed empty"


async def test_the_data_has_counts_throughput_breaches_and_alerts(
    http: httpx.AsyncClient,
) -> None:
    placed = await http.post("/orders", json=order_json())
    assert placed.status_code == 202

    data = (await http.get("/dashboard/data")).json()

    assert data["orders"] == sum(data["by_status"].values()) >= 1
    assert data["placed_last_hour"] >= data["placed_last_minute"] >= 1
    assert data["sla_breached"] >= 0 and isinstance(data["alerts"], list) and data["stamp"]


async def test_every_chart_is_a_png_and_an_unknown_one_is_a_404(http: httpx.AsyncClient) -> None:
    for name in CHARTS:
        answer = await http.get(f"/dashboard/charts/{name}.png", params={"hours": 2})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "image/png"
        assert answer.content.startswith(PNG)

    missing = await http.get("/dashboard/charts/weather.png")

    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "name"
