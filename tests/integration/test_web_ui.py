"""The Temporal Web UI, in headless Chromium, shows an order legibly: its static summary,
and its input decoded through the gateway's codec server (the dev server was started with
`--ui-codec-endpoint`), although Temporal itself only holds ciphertext.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client

from cli.orders import summary
from models.order import OrderDocument
from tests.browser import dump_dom, screenshot
from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration
WAIT_MS = 20_000  # at most: the UI loads the history, then asks the codec server to decode it


def order_url(system: System, order_id: str) -> str:
    origin = system.server.ui_origin
    assert origin, "the integration dev server runs without its Web UI"
    return f"{origin}/namespaces/default/workflows/order-{order_id}"


def assert_png(path: Path) -> None:
    assert path.read_bytes().startswith(b"\x89PNG")
    assert path.stat().st_size > 20_000  # a rendered page, not a blank one


async def test_the_web_ui_shows_the_order_summary_and_decoded_customer(
    system: System, client: Client, codec_server: str, tmp_path: Path
) -> None:
    data = order_data("IT-ORDER")
    name = f"Solveig Brekke {uuid.uuid4().hex[:6]}"
    data["customer"]["name"] = data["shipping_address"]["recipient"] = name
    placed = system.starter("place", "--file", str(system.write_order(data)), "--json")
    assert placed.returncode == 0, placed.stderr
    await wait_for_status(client, data["order_id"], {"ALLOCATED", "SHIPPED", "DELIVERED"})
    url = order_url(system, data["order_id"])
    run_id = (await client.get_workflow_handle(f"order-{data['order_id']}").describe()).run_id

    # The workflow's page shows its input: the order document, decoded.
    page = html.unescape(dump_dom(url, wait_ms=WAIT_MS, until=[name]))
    assert name in page, "the customer's name was not decoded through the codec server"
    assert_png(screenshot(url, tmp_path / "order.png", wait_ms=WAIT_MS, until=[name]))

    # Its User Metadata tab shows the static summary (a payload too, decoded the same way).
    static_summary = summary(OrderDocument.model_validate(data))
    metadata = f"{url}/{run_id}/user-metadata"
    page = html.unescape(dump_dom(metadata, wait_ms=WAIT_MS, until=[static_summary]))
    assert static_summary in page, "the order's static summary is not shown"
    shot = screenshot(metadata, tmp_path / "summary.png", wait_ms=WAIT_MS, until=[static_summary])
    assert_png(shot)
