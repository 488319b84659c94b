"""`starter.py report` on the integration system's database, after real orders ran.

The report's period starts when this test does, so only its own orders (on its own SKU)
are counted: two delivered and one whose card was declined and that the customer then
cancelled.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from temporalio.client import Client

from activities.catalog import seed_catalog
from activities.db import make_engine
from models.catalog import CatalogDocument
from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration

SKU = "IT-REPORT"
STOCK = CatalogDocument.model_validate(
    {
        "products": [{"sku": SKU, "name": "Report test item", "price": "10.00"}],
        "stock": [{"warehouse_id": "IT-WH", "sku": SKU, "on_hand": 50}],
    }
)
PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_report_counts_what_was_placed_in_text_json_and_html(
    system: System, client: Client
) -> None:
    seed_catalog(make_engine(system.settings.oms_database_url), doc=STOCK)
    since = datetime.now(UTC).isoformat()
    orders = [order_data(SKU, 1), order_data(SKU, 2), order_data(SKU, 1, token="tok_decline")]
    for data in orders:
        placed = system.starter("place", "--file", str(system.write_order(data)), "--json")
        assert placed.returncode == 0, placed.stderr
    delivered, declined = orders[:2], orders[2]
    for data in delivered:
        await wait_for_status(client, data["order_id"], {"DELIVERED", "COMPLETED"})
    await wait_for_status(client, declined["order_id"], {"AWAITING_PAYMENT"})
    cancel = system.starter("cancel", declined["order_id"], "--reason", "Changed my mind")
    assert cancel.returncode == 0, cancel.stderr
    await wait_for_status(client, declined["order_id"], {"CANCELLED"})

    done = system.starter("report", "--from", since, "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    totals = report["totals"]
    assert totals["orders"] == 3
    assert totals["by_status"] == {"CANCELLED": 1, "DELIVERED": 2}
    paid = sum(
        Decimal(str(o["lines"][0]["unit_price"])) * o["lines"][0]["quantity"] for o in delivered
    )
    assert Decimal(totals["revenue"]) >= paid  # the lines, plus any shipping fee
    assert totals["parcels"] == 2
    assert sum(h["orders"] for h in report["volume_by_hour"]) == 3
    steps = {t["step"]: t for t in report["lead_times"]}
    assert steps["total"]["count"] == 2 and steps["pay"]["count"] == 2
    assert [w["warehouse_id"] for w in report["lead_times_by_warehouse"]] == ["IT-WH", "IT-WH"]
    overall = report["breach_rates"][0]
    assert (overall["by"], overall["orders"]) == ("all", 3)
    assert report["cancellations"] == [
        {"status": "CANCELLED", "reason": "changed my mind", "count": 1}
    ]
    assert report["top_skus"][0]["sku"] == SKU
    assert report["top_skus"][0]["units"] == 3  # the cancelled order gave its unit back
    cover = next(c for c in report["cover"] if c["sku"] == SKU)
    assert cover["available"] == 47 and cover["daily_demand"] > 0

    text = system.starter("report", "--from", since)
    assert text.returncode == 0, text.stderr
    assert "orders 3," in text.stdout and "1 x CANCELLED: changed my mind" in text.stdout

    page = system.workdir / "report.html"
    html = system.starter("report", "--from", since, "--html", str(page), "--json")
    assert html.returncode == 0, html.stderr
    assert json.loads(html.stdout)["totals"] == totals
    written = page.read_text()
    for section in ("volume", "fulfilment", "customer-care", "stock", "recommendations"):
        assert f'<section id="{section}">' in written
    charts = re.findall(
        r'<img id="chart-(\w+)" alt="\w+" src="data:image/png;base64,([^"]+)"', written
    )
    assert [name for name, _ in charts] == [
        "volume_by_hour",
        "volume_by_day",
        "lead_time",
        "breach_rates",
        "complaints",
        "days_of_cover",
    ]
    assert all(base64.b64decode(data).startswith(PNG) for _, data in charts)
    assert SKU in written and "changed my mind" in written


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--from", "2026-02-30"], "--from"),
        (["--to", "yesterday"], "--to"),
        (["--from", "2026-12-05", "--to", "2026-12-01"], "--from"),
    ],
)
def test_bad_dates_exit_2_with_one_line_naming_the_option(
    system: System, args: list[str], field: str
) -> None:
    done = system.starter("report", *args)

    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"report: {field}:")
