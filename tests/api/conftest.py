"""The HTTP gateway as a process (`python -m api`) on a free port, over the integration
session's dev server, worker and database; tests talk to it over real HTTP with httpx.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from activities.catalog import seed_catalog
from activities.db import make_engine
from api.security import SIGNATURE_HEADER, sign
from cli.generate import make_order
from cli.up import start_gateway, stop_process, wait_for_gateway
from models.catalog import CatalogDocument
from tests.integration.conftest import System, client, system  # noqa: F401  (fixtures)
from workers.devserver import free_port

SECRET = "api-test-secret-" + uuid.uuid4().hex[:8]
API_SKUS = ["API-ORDER", "API-WMS"]
API_STOCK = CatalogDocument.model_validate(
    {
        "products": [{"sku": s, "name": s, "price": "10.00"} for s in API_SKUS],
        "stock": [
            {"warehouse_id": "IT-WH", "sku": "API-ORDER", "on_hand": 200},
            {"warehouse_id": "IT-WH", "sku": "API-WMS", "on_hand": 0},
        ],
    }
)


@dataclass
class Gateway:
    url: str
    system: System

    def signed(self, body: Any, secret: str = SECRET) -> dict[str, Any]:
        """Keyword arguments for httpx: the JSON body as bytes, with its signature."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return {
            "content": raw,
            "headers": {"content-type": "application/json", SIGNATURE_HEADER: sign(secret, raw)},
        }


@pytest.fixture(scope="session")
def gateway(system: System) -> Iterator[Gateway]:  # noqa: F811
    seed_catalog(make_engine(system.settings.oms_database_url), doc=API_STOCK)
    port, log = free_port(), system.workdir / "gateway.log"
    process = start_gateway(system.settings, port, log, OMS_WEBHOOK_SECRET=SECRET)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_gateway(process, url, log)
        yield Gateway(url, system)
    finally:
        stop_process(process)


@pytest_asyncio.fixture(scope="session")
async def http(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway.url, timeout=60) as session:
        yield session


def order_json(
    sku: str = "API-ORDER", quantity: int = 1, customer_id: str | None = None, **options: Any
) -> dict[str, Any]:
    """A valid order document with a fresh order id (and optionally its own customer)."""
    order_id = f"API-{uuid.uuid4().hex[:10]}"
    order = make_order(order_id, [(sku, quantity, Decimal("10.00"))], **options)
    data: dict[str, Any] = json.loads(order.model_dump_json())
    if customer_id:
        data["customer"]["customer_id"] = customer_id
    return data


async def wait_until(
    http: httpx.AsyncClient, order_id: str, done: Any, timeout: float = 30
) -> dict[str, Any]:
    """Poll `GET /orders/{id}` until `done(view)` (bounded)."""
    deadline, view = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        answer = await http.get(f"/orders/{order_id}")
        if answer.status_code == 200:
            view = answer.json()
            if done(view):
                return view
        await asyncio.sleep(0.2)
    raise AssertionError(f"{order_id}: condition not met after {timeout}s (last view: {view})")


def in_status(*statuses: str) -> Any:
    return lambda view: view["status"] in statuses
