"""Schemathesis over the gateway's OpenAPI schema: no input makes it answer 5xx.

The schema is built from `create_app()` at collection (that connects nothing), because
schemathesis' lazy fixture loader does not run on pytest 9; the first test proves it is
exactly what the running gateway serves at /openapi.json. Webhook cases are signed with
the test secret, so their bodies get past the signature check into the parsing behind it.
"""

from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.security import SIGNATURE_HEADER, sign
from tests.api.conftest import SECRET, Gateway

pytestmark = pytest.mark.integration
schema = schemathesis.openapi.from_dict(create_app().openapi())


def test_the_schema_under_test_is_the_one_served(gateway: Gateway) -> None:
    served = httpx.get(f"{gateway.url}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(create_app().openapi()))


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_gateway_answer_5xx(case, gateway: Gateway) -> None:
    if case.path.startswith("/webhooks/"):
        response = _signed_call(case, gateway.url)
    else:
        response = case.call(base_url=gateway.url, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])


def _signed_call(case, base_url: str) -> httpx.Response:
    """Send the case as schemathesis would, with a valid signature over the exact bytes."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    if "json" in kwargs:
        raw = json.dumps(kwargs.pop("json")).encode()
        kwargs["headers"]["Content-Type"] = "application/json"
    else:
        data = kwargs.pop("data", b"")
        raw = data.encode() if isinstance(data, str) else bytes(data or b"")
    kwargs["headers"][SIGNATURE_HEADER] = sign(SECRET, raw)
    return httpx.request(
        kwargs["method"],
        kwargs["url"],
        content=raw,
        headers=kwargs["headers"],
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        timeout=60,
    )
