"""AES-GCM payload encryption: personal data never reaches Temporal in the clear.

Each payload is serialized whole (metadata and data), encrypted with AES-256-GCM under a
fresh random 12-byte nonce, and replaced by a payload with
`encoding: binary/encrypted`, `encryption-key-id: <id>` and data `nonce + ciphertext`.

Keys come as a keyring "id1:base64key,id2:base64key": the first key encrypts, every key
decrypts. To rotate, put a new key first and keep the old ones until no history needs them.
Payloads that are not encrypted (histories recorded before the codec) pass through.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32


class CodecError(ValueError):
    """A keyring that cannot be used, or a payload that cannot be decrypted."""


@dataclass(frozen=True)
class Keyring:
    """Key ids in order (the first one encrypts) and their 256-bit keys."""

    keys: dict[str, bytes]

    @property
    def current(self) -> str:
        return next(iter(self.keys))


def parse_keyring(text: str) -> Keyring:
    """`"id1:base64key,id2:base64key"` -> Keyring; CodecError names what is wrong."""
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id:
            raise CodecError(f"codec keyring: entry {key_id or '?'!r} is not 'id:base64key'")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise CodecError(f"codec keyring: key {key_id!r} is not base64") from None
        if len(key) != KEY_BYTES:
            raise CodecError(f"codec keyring: key {key_id!r} has {len(key)} bytes, not 32")
        if key_id in keys:
            raise CodecError(f"codec keyring: key id {key_id!r} appears twice")
        keys[key_id] = key
    if not keys:
        raise CodecError("codec keyring is empty: set OMS_CODEC_KEYS to 'id:base64key,...'")
    return Keyring(keys)


def new_key() -> str:
    """A fresh random key, base64, for a keyring entry."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self.keyring.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), None)
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before the codec, or never encrypted: as it is
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            known = ", ".join(self.keyring.keys)
            raise CodecError(
                f"payload encrypted with key id {key_id!r}, which is not in the codec keyring"
                f" ({known}): add that key to OMS_CODEC_KEYS (after the current one)"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, None)
        except InvalidTag:
            raise CodecError(
                f"payload under key id {key_id!r} does not decrypt: wrong key or tampered data"
            ) from None
        original = Payload()
        original.ParseFromString(plain)
        return original
