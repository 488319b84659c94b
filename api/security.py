"""Webhook signatures: `X-OMS-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-OMS-Signature"
_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value a sender puts on `body` (senders and tests use this too)."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time comparison; a missing or malformed header is simply not valid."""
    if not header or not header.startswith(_PREFIX):
        return False
    expected = sign(secret, body).encode("ascii")
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)
