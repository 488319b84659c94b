"""The AES-GCM payload codec: ciphertext with the key id, rotation, and old payloads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from models.order import OrderDocument
from workers.codec import ENCODING, KEY_ID, CodecError, new_key, parse_keyring
from workers.converter import DATA_CONVERTER, data_converter
from workers.settings import Settings

OLD, NEW = f"old:{new_key()}", f"new:{new_key()}"
PERSONAL = ("Li Lei", "li@example.com", "+86 138 0000 0000", "1 Century Ave")


def converter(keyring: str) -> DataConverter:
    return data_converter(Settings(oms_codec_keys=keyring))


@pytest.fixture
def order(make_order: Callable[..., OrderDocument]) -> OrderDocument:
    return make_order()


async def test_round_trip_gives_back_the_order_and_hides_personal_data(
    order: OrderDocument,
) -> None:
    codec = converter(NEW)
    (payload,) = await codec.encode([order])
    assert payload.metadata["encoding"] == ENCODING
    for secret in PERSONAL:
        assert secret.encode() not in payload.SerializeToString()
    (back,) = await codec.decode([payload], [OrderDocument])
    assert back == order


async def test_the_key_id_is_in_the_metadata(order: OrderDocument) -> None:
    (payload,) = await converter(f"{NEW},{OLD}").encode([order])
    assert payload.metadata[KEY_ID] == b"new"


async def test_each_payload_gets_its_own_nonce(order: OrderDocument) -> None:
    first, second = await converter(NEW).encode([order, order])
    assert first.data != second.data


async def test_payloads_from_before_a_rotation_still_decode(order: OrderDocument) -> None:
    (under_old,) = await converter(OLD).encode([order])
    rotated = converter(f"{NEW},{OLD}")
    (back,) = await rotated.decode([under_old], [OrderDocument])
    assert back == order
    (fresh,) = await rotated.encode([order])
    assert fresh.metadata[KEY_ID] == b"new"


async def test_a_missing_key_fails_naming_its_id(order: OrderDocument) -> None:
    (under_old,) = await converter(OLD).encode([order])
    with pytest.raises(CodecError, match="'old'"):
        await converter(NEW).decode([under_old], [OrderDocument])


async def test_a_tampered_payload_does_not_decrypt(order: OrderDocument) -> None:
    (payload,) = await converter(NEW).encode([order])
    payload.data = payload.data[:-1] + bytes([payload.data[-1] ^ 1])
    with pytest.raises(CodecError, match="does not decrypt"):
        await converter(NEW).decode([payload], [OrderDocument])


async def test_payloads_written_before_the_codec_pass_through(order: OrderDocument) -> None:
    (plain,) = await pydantic_data_converter.encode([order])
    (back,) = await converter(NEW).decode([plain], [OrderDocument])
    assert back == order


async def test_the_shared_converter_encrypts(order: OrderDocument) -> None:
    (payload,) = await DATA_CONVERTER.encode([order])
    assert payload.metadata["encoding"] == ENCODING


@pytest.mark.parametrize(
    ("keyring", "complaint"),
    [
        ("", "empty"),
        ("no-colon", "not 'id:base64key'"),
        ("k:not base64!", "not base64"),
        ("k:c2hvcnQ=", "not 32"),
        (f"{NEW},{NEW}", "twice"),
    ],
)
def test_a_bad_keyring_is_refused_with_a_reason(keyring: str, complaint: str) -> None:
    with pytest.raises(CodecError, match=complaint):
        parse_keyring(keyring)


def test_the_first_key_encrypts() -> None:
    assert parse_keyring(f" {NEW} , {OLD} ").current == "new"
