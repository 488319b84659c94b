"""Rotating the codec key loses no history: one recorded under the old key (the new key
first in the keyring, the old one second) still replays and decodes; without the old key
it fails, naming the key it needs.
"""

from __future__ import annotations

import base64
import json

import pytest
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from models.order import OrderDocument
from tests.replay.record_rotation import HISTORY, ROTATED_OUT
from workers.codec import new_key
from workers.converter import data_converter
from workers.settings import Settings
from workers.worker import WORKFLOWS

CURRENT = f"test-current:{new_key()}"
OLD_KEY_ID = ROTATED_OUT.partition(":")[0]


def converter(keyring: str) -> DataConverter:
    return data_converter(Settings(oms_codec_keys=keyring))


def history() -> WorkflowHistory:
    return WorkflowHistory.from_json(HISTORY.stem, HISTORY.read_text())


def test_the_history_was_written_under_the_old_key_and_is_unreadable() -> None:
    text = HISTORY.read_text()
    started = json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]
    metadata = started["input"]["payloads"][0]["metadata"]
    assert base64.b64decode(metadata["encryption-key-id"]).decode() == OLD_KEY_ID
    for personal in ("Customer 0", "customer0@example.com", "+86 138 0000 0000"):
        assert personal not in text


async def test_it_replays_with_the_new_key_first_and_the_old_one_second() -> None:
    rotated = converter(f"{CURRENT},{ROTATED_OUT}")
    await Replayer(workflows=WORKFLOWS, data_converter=rotated).replay_workflow(history())


async def test_it_decodes_after_the_rotation_while_new_payloads_use_the_new_key() -> None:
    rotated = converter(f"{CURRENT},{ROTATED_OUT}")
    started = history().events[0].workflow_execution_started_event_attributes
    (order,) = await rotated.decode(started.input.payloads, [OrderDocument])
    assert order.customer.email == "customer0@example.com"
    (fresh,) = await rotated.encode([order])
    assert fresh.metadata["encryption-key-id"] == b"test-current"


async def test_without_the_old_key_replay_fails_naming_it() -> None:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=converter(CURRENT))
    with pytest.raises(Exception, match=OLD_KEY_ID):
        await replayer.replay_workflow(history())
