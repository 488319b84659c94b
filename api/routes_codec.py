"""The codec server: `POST /codec/encode` and `POST /codec/decode` for the Temporal CLI and
Web UI, with the worker's keyring, so an authorized operator reads the personal data
that Temporal only ever stores encrypted.

Temporal's codec-server JSON: `{"payloads": [{"metadata": {key: base64}, "data": base64}]}`
in and out. Every call presents the codec token (OMS_CODEC_TOKEN), either as
`Authorization: Bearer <token>` (the CLI: `--codec-auth "Bearer <token>"`), or as a path
segment, `/codec/<token>/decode`: the dev server's Web UI sends no custom header (its
"pass access token" sends the UI's own OIDC login, and only over HTTPS), so its endpoint
carries the token. Browsers may call from the origins in OMS_CODEC_ORIGINS only (CORS).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from temporalio.api.common.v1 import Payload

from api.errors import ApiError
from api.settings import GatewaySettings
from api.state import GatewayDep
from workers.codec import CodecError, EncryptionCodec, parse_keyring

PREFIX = "/codec"
ALLOWED_HEADERS = "content-type, authorization, x-namespace"
router = APIRouter(prefix=PREFIX, tags=["codec"])


class CodecPayload(BaseModel):
    metadata: dict[str, str] = Field(default_factory=dict, description="values in base64")
    data: str = Field(default="", description="base64")


class CodecPayloads(BaseModel):
    payloads: list[CodecPayload] = Field(max_length=10_000)


def ui_endpoint(gateway_url: str, token: str) -> str:
    """The endpoint for `--ui-codec-endpoint`: the UI appends /decode and /encode to it."""
    base = gateway_url.rstrip("/") + PREFIX
    return f"{base}/{quote(token, safe='')}" if token else base


@lru_cache(maxsize=4)
def _codec(keyring: str) -> EncryptionCodec:
    return EncryptionCodec(parse_keyring(keyring))


def _check(gateway: GatewayDep, presented: str) -> EncryptionCodec:
    expected = gateway.settings.oms_codec_token
    if not expected:
        raise ApiError(401, "the codec server has no token: set OMS_CODEC_TOKEN")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise ApiError(401, "codec: a valid `Authorization: Bearer <token>` is required")
    return _codec(gateway.settings.oms_codec_keys)


def _by_header(
    gateway: GatewayDep, authorization: Annotated[str | None, Header()] = None
) -> EncryptionCodec:
    scheme, _, given = (authorization or "").partition(" ")
    return _check(gateway, given.strip() if scheme.lower() == "bearer" else "")


def _by_path(gateway: GatewayDep, token: str) -> EncryptionCodec:
    return _check(gateway, token)


CodecDep = Annotated[EncryptionCodec, Depends(_by_header)]
PathCodecDep = Annotated[EncryptionCodec, Depends(_by_path)]
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid codec token"},
    422: {"description": "a payload is not valid base64, or does not decrypt"},
}


def _payloads(body: CodecPayloads) -> list[Payload]:
    payloads = []
    for index, item in enumerate(body.payloads):
        try:
            metadata = {k: base64.b64decode(v, validate=True) for k, v in item.metadata.items()}
            data = base64.b64decode(item.data, validate=True)
        except (binascii.Error, ValueError):
            field = f"payloads[{index}]"
            raise ApiError(422, f"{field}: not base64", field=field) from None
        payloads.append(Payload(metadata=metadata, data=data))
    return payloads


def _answer(payloads: list[Payload]) -> dict[str, Any]:
    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return {
        "payloads": [
            {"metadata": {k: b64(v) for k, v in p.metadata.items()}, "data": b64(p.data)}
            for p in payloads
        ]
    }


async def _convert(codec: EncryptionCodec, body: CodecPayloads, decode: bool) -> dict[str, Any]:
    payloads = _payloads(body)
    try:
        done = await (codec.decode(payloads) if decode else codec.encode(payloads))
    except CodecError as error:
        raise ApiError(422, f"payloads: {error}", field="payloads") from None
    return _answer(done)


@router.post("/encode", responses=RESPONSES, summary="Encrypt payloads (bearer token)")
async def encode(body: CodecPayloads, codec: CodecDep) -> dict[str, Any]:
    return await _convert(codec, body, decode=False)


@router.post("/decode", responses=RESPONSES, summary="Decrypt payloads (bearer token)")
async def decode(body: CodecPayloads, codec: CodecDep) -> dict[str, Any]:
    return await _convert(codec, body, decode=True)


@router.post("/{token}/encode", responses=RESPONSES, summary="Encrypt payloads (token in path)")
async def encode_with_path_token(body: CodecPayloads, codec: PathCodecDep) -> dict[str, Any]:
    return await _convert(codec, body, decode=False)


@router.post("/{token}/decode", responses=RESPONSES, summary="Decrypt payloads (token in path)")
async def decode_with_path_token(body: CodecPayloads, codec: PathCodecDep) -> dict[str, Any]:
    return await _convert(codec, body, decode=True)


def _origins(request: Request) -> set[str]:
    gateway = getattr(request.app.state, "gateway", None)
    own = gateway.gateway if gateway is not None else GatewaySettings()
    return {o.strip().rstrip("/") for o in own.oms_codec_origins.split(",") if o.strip()}


async def cors(request: Request, call_next: Any) -> Response:
    """HTTP middleware: CORS for /codec only (the Web UI's origin), preflight included."""
    if not request.url.path.startswith(PREFIX + "/"):
        response: Response = await call_next(request)
        return response
    origin = request.headers.get("origin")
    allowed = origin is not None and origin.rstrip("/") in _origins(request)
    if origin is not None and not allowed:
        detail = f"codec: origin {origin} is not allowed (OMS_CODEC_ORIGINS)"
        return JSONResponse({"detail": detail, "errors": []}, status_code=403)
    if request.method == "OPTIONS" and origin is not None:
        response = Response(status_code=204)
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        if request.headers.get("access-control-request-private-network") == "true":
            response.headers["Access-Control-Allow-Private-Network"] = "true"
    else:
        response = await call_next(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Vary"] = "Origin"
    return response


def install(app: FastAPI) -> None:
    app.middleware("http")(cors)
    app.include_router(router)
