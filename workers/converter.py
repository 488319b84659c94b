"""The one data converter used by worker, starter, gateway, tests and the Replayer.

Pydantic JSON for the values, then the AES-GCM codec (workers/codec.py) over every payload,
so personal data is ciphertext in Temporal's database and in `temporal workflow show`.
"""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from workers.codec import EncryptionCodec, parse_keyring
from workers.settings import Settings, load_settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic conversion plus the codec over the settings' keyring."""
    codec = EncryptionCodec(parse_keyring(settings.oms_codec_keys))
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


# Built from the loaded settings (temporal-dev.yaml, then OMS_CODEC_KEYS): every process
# of one deployment reads the same keyring, so they all encrypt and decrypt alike.
DATA_CONVERTER: DataConverter = data_converter(load_settings())
