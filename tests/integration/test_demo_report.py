"""The merchant's report built from a real demo run (`starter.py demo`'s scenarios)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from temporalio.client import Client

from cli.demo import run_demo
from tests.integration.conftest import System

pytestmark = pytest.mark.integration


async def test_the_report_of_a_demo_run_counts_its_orders_in_every_section(
    system: System, client: Client
) -> None:
    since = datetime.now(UTC).isoformat()
    demo = await run_demo(client, system.settings, timeout=60, url="-")
    assert all(row["as_expected"] for row in demo["orders"]), demo["orders"]

    done = system.starter("report", "--from", since, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    placed = len(demo["orders"])
    assert report["totals"]["orders"] == placed
    assert sum(h["orders"] for h in report["volume_by_hour"]) == placed
    statuses = Counter(report["totals"]["by_status"])
    # Orders that wait on someone stay where the demo left them; the rest moved on.
    for waiting in ("AWAITING_PAYMENT", "BACKORDERED", "CANCELLED"):
        assert statuses[waiting] == demo["by_status"].get(waiting, 0), (waiting, statuses)
    assert report["cancellations"][0]["reason"] == "customer changed their mind"
    assert report["backorders"]["orders"] >= 1
    assert {t["step"] for t in report["lead_times"]} >= {"reserve", "pay", "total"}
    assert report["breach_rates"][0]["orders"] == placed
    assert report["top_skus"] and report["cover"]

    page = system.workdir / "demo-report.html"
    html = system.starter("report", "--from", since, "--html", str(page))
    assert html.returncode == 0, html.stderr
    written = page.read_text()
    for section in ("volume", "fulfilment", "customer-care", "stock", "recommendations"):
        assert f'<section id="{section}">' in written
    assert written.count("data:image/png;base64,") == 6
