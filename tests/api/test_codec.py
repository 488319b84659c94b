"""The codec server over real HTTP: the token, CORS for the Web UI, encode and decode."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from tests.api.conftest import Gateway
from workers.codec import EncryptionCodec, new_key, parse_keyring
from workers.converter import DATA_CONVERTER

pytestmark = pytest.mark.integration
WEB_UI = "http://localhost:8233"
CUSTOMER = {"name": "Zhang Wei", "email": "zhang.wei@example.com", "phone": "+86 137 5555 0101"}


def as_json(payloads: list[Payload]) -> dict[str, Any]:
    """Temporal's codec-server JSON, as the CLI and the Web UI send it."""

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    items = [
        {"metadata": {k: b64(v) for k, v in p.metadata.items()}, "data": b64(p.data)}
        for p in payloads
    ]
    return {"payloads": items}


def from_json(body: dict[str, Any]) -> list[Payload]:
    return [
        Payload(
            metadata={k: base64.b64decode(v) for k, v in item["metadata"].items()},
            data=base64.b64decode(item.get("data", "")),
        )
        for item in body["payloads"]
    ]


def bearer(gateway: Gateway) -> dict[str, str]:
    return {"Authorization": f"Bearer {gateway.system.settings.oms_codec_token}"}


async def plain() -> list[Payload]:
    return await pydantic_data_converter.encode([CUSTOMER])


@pytest.mark.parametrize("path", ["/codec/encode", "/codec/decode"])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc"])
async def test_without_the_token_the_codec_answers_401(
    http: httpx.AsyncClient, path: str, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    answer = await http.post(path, json=as_json(await plain()), headers=headers)
    assert answer.status_code == 401, answer.text
    assert "Bearer" in answer.json()["detail"]


async def test_a_wrong_token_in_the_path_answers_401(http: httpx.AsyncClient) -> None:
    answer = await http.post("/codec/not-the-token/decode", json=as_json(await plain()))
    assert answer.status_code == 401


async def test_encode_then_decode_gives_the_payload_back(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    original = await plain()
    encoded = await http.post("/codec/encode", json=as_json(original), headers=bearer(gateway))
    assert encoded.status_code == 200, encoded.text
    (sealed,) = from_json(encoded.json())
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"]
    assert b"Zhang Wei" not in sealed.data

    decoded = await http.post("/codec/decode", json=encoded.json(), headers=bearer(gateway))
    assert decoded.status_code == 200, decoded.text
    assert from_json(decoded.json()) == original
    # The worker's converter reads what the codec server wrote: one keyring.
    assert await DATA_CONVERTER.decode([sealed], [dict]) == [CUSTOMER]


async def test_the_token_may_be_a_path_segment_for_the_web_ui(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    (sealed,) = await DATA_CONVERTER.encode([CUSTOMER])
    token = gateway.system.settings.oms_codec_token
    answer = await http.post(f"/codec/{token}/decode", json=as_json([sealed]))
    assert answer.status_code == 200, answer.text
    assert from_json(answer.json()) == await plain()


async def test_the_web_ui_origin_passes_the_cors_preflight(http: httpx.AsyncClient) -> None:
    answer = await http.options(
        "/codec/decode",
        headers={
            "Origin": WEB_UI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization,x-namespace",
        },
    )
    assert answer.status_code in (200, 204), answer.text
    assert answer.headers["access-control-allow-origin"] == WEB_UI
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = {h.strip() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "authorization", "x-namespace"} <= allowed


async def test_a_browser_from_the_web_ui_still_needs_the_token(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    headers = {"Origin": WEB_UI, "X-Namespace": "default"}
    refused = await http.post("/codec/decode", json=as_json(await plain()), headers=headers)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == WEB_UI  # the UI can read why
    allowed = await http.post(
        "/codec/decode", json=as_json(await plain()), headers={**headers, **bearer(gateway)}
    )
    assert allowed.status_code == 200


async def test_another_origin_is_refused(http: httpx.AsyncClient, gateway: Gateway) -> None:
    headers = {"Origin": "http://evil.example", **bearer(gateway)}
    answer = await http.post("/codec/decode", json=as_json(await plain()), headers=headers)
    assert answer.status_code == 403
    assert "access-control-allow-origin" not in answer.headers


async def test_a_payload_under_an_unknown_key_is_refused_naming_the_key(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    stranger = EncryptionCodec(parse_keyring(f"retired-2020:{new_key()}"))
    sealed = await stranger.encode(await plain())
    answer = await http.post("/codec/decode", json=as_json(sealed), headers=bearer(gateway))
    assert answer.status_code == 422
    assert "retired-2020" in answer.json()["detail"]


async def test_a_payload_that_is_not_base64_is_refused(
    http: httpx.AsyncClient, gateway: Gateway
) -> None:
    body = {"payloads": [{"metadata": {"encoding": "!!"}, "data": "x"}]}
    answer = await http.post("/codec/decode", json=body, headers=bearer(gateway))
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("payloads[0]")
