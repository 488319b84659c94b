"""Personal data is ciphertext in Temporal: `temporal workflow show` finds none of it, and
the same export through the codec server (what an authorized operator runs) shows it all.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from typing import Any

import pytest
from temporalio.client import Client

from tests.integration.conftest import System, order_data, wait_for_status

pytestmark = pytest.mark.integration
BASE64 = re.compile(r'"([A-Za-z0-9+/]{16,}={0,2})"')


def customer_order() -> tuple[dict[str, Any], dict[str, str]]:
    """An order whose customer's details appear nowhere else in the session."""
    tag = uuid.uuid4().hex[:6]
    personal = {
        "name": f"Ingrid Halvorsen {tag}",
        "email": f"ingrid.{tag}@example.net",
        "phone": f"+86 136 {int(tag, 16) % 10000:04d} 7788",
        "street": f"{int(tag, 16) % 900 + 100} Fjord Lane",
    }
    data = order_data("IT-ORDER")
    data["customer"].update(name=personal["name"], email=personal["email"])
    data["customer"]["phone"] = personal["phone"]
    data["shipping_address"].update(
        recipient=personal["name"], phone=personal["phone"], street=personal["street"]
    )
    return data, personal


def readable(export: str) -> str:
    """The export plus every base64 string in it decoded: plaintext cannot hide there."""
    decoded = []
    for blob in BASE64.findall(export):
        try:
            decoded.append(base64.b64decode(blob).decode("utf-8", errors="ignore"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join([export, *decoded])


def show(system: System, workflow_id: str, *codec: str) -> str:
    done = system.temporal("workflow", "show", "-w", workflow_id, "-o", "json", *codec)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # a whole, valid export
    return done.stdout


async def test_history_export_has_no_personal_data_until_decoded_by_the_codec_server(
    system: System, client: Client, codec_server: str
) -> None:
    data, personal = customer_order()
    placed = system.starter("place", "--file", str(system.write_order(data)), "--json")
    assert placed.returncode == 0, placed.stderr
    # By ALLOCATED the document went through intake, stock, payment and notifications.
    await wait_for_status(client, data["order_id"], {"ALLOCATED", "SHIPPED", "DELIVERED"})
    workflow_id = f"order-{data['order_id']}"

    stored = readable(show(system, workflow_id))
    for field, value in personal.items():
        assert value not in stored, f"the customer's {field} is readable in the history"
    assert "binary/encrypted" in stored  # the payloads are there, encrypted

    token = system.settings.oms_codec_token
    decoded = readable(
        show(
            system,
            workflow_id,
            "--codec-endpoint",
            f"{codec_server}/codec",
            "--codec-auth",
            f"Bearer {token}",
        )
    )
    for field, value in personal.items():
        assert value in decoded, f"the codec server did not reveal the customer's {field}"


async def test_the_codec_server_refuses_the_cli_without_the_token(
    system: System, client: Client, codec_server: str
) -> None:
    data, personal = customer_order()
    placed = system.starter("place", "--file", str(system.write_order(data)), "--json")
    assert placed.returncode == 0, placed.stderr
    await wait_for_status(client, data["order_id"], {"ALLOCATED", "SHIPPED", "DELIVERED"})
    done = system.temporal(
        "workflow", "show", "-w", f"order-{data['order_id']}", "-o", "json",
        "--codec-endpoint", f"{codec_server}/codec", "--codec-auth", "Bearer not-the-token",
    )  # fmt: skip
    assert personal["name"] not in readable(done.stdout)
