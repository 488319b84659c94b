"""The worker's Prometheus endpoint: the SDK's metrics and the business metrics."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from structlog.testing import capture_logs
from temporalio.client import Client

from tests.integration.conftest import System, order_data, wait_for_status
from workers.metrics import worker_runtime
from workers.settings import load_settings

pytestmark = pytest.mark.integration


async def scrape(system: System) -> dict[str, float]:
    """Every sample's value summed by sample name."""
    url = f"http://127.0.0.1:{system.metrics_port}/metrics"
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(url)
    assert answer.status_code == 200
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


async def test_the_worker_serves_sdk_and_business_metrics(system: System, client: Client) -> None:
    path = system.write_order(order_data(sku="IT-ORDER"))
    placed = system.starter("place", "--file", str(path), "--json")
    assert placed.returncode == 0, placed.stderr
    await wait_for_status(
        client, json.loads(placed.stdout)["order_id"], {"ALLOCATED", "SHIPPED", "DELIVERED"}
    )

    deadline, totals = time.monotonic() + 30, {}
    while time.monotonic() < deadline:
        totals = await scrape(system)
        if totals.get("oms_orders_placed_total", 0) >= 1:
            break
        await asyncio.sleep(0.5)
    assert totals.get("oms_orders_placed_total", 0) >= 1, sorted(totals)
    assert totals.get("oms_order_events_total", 0) >= 3  # RECEIVED, RESERVED, ALLOCATED
    assert totals.get("oms_order_step_latency_seconds_count", 0) >= 3
    assert totals.get("temporal_workflow_task_execution_latency_count", 0) >= 1
    assert totals.get("temporal_activity_execution_latency_count", 0) >= 1
    assert totals.get("oms_notifications_total", 0) >= 1  # the outbox sender's sends


def test_a_taken_metrics_port_leaves_the_worker_running_without_metrics() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = load_settings(oms_metrics_port=taken.getsockname()[1])
        with capture_logs() as logs:
            assert worker_runtime(settings) is None  # the SDK's default runtime instead
    assert [line["outcome"] for line in logs] == ["disabled"]
    assert worker_runtime(load_settings(oms_metrics_port=0)) is None
