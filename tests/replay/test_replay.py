"""Every checked-in history must replay against the current workflow code.

Each folder under histories/ is one recording (tests/replay/record.py), kept for good:
the first landing's plain payloads, then the second's encrypted ones with returns,
holds, zones and carrier delays. A change that breaks one of these needs
`workflow.patched(...)`, not a re-recording. (histories/rotation/ is replayed by
test_key_rotation.py with its own keyring.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from models.order import OrderDocument
from workers.converter import DATA_CONVERTER
from workers.worker import WORKFLOWS

ROOT = Path(__file__).parent / "histories"
HISTORIES = sorted(p for p in ROOT.glob("*/*.json") if p.parent.name != "rotation")
HISTORIES_OF_ORDERS = [path for path in HISTORIES if path.stem == "delivered"]
ORDERS = {"delivered", "cancelled", "declined", "backordered", "substituted"}
OTHERS = {"shipment_delivered", "replenishment", "reconciliation", "wms_receipt"}
SECOND = {"returned", "held_approved", "carrier_delay", "risk_monitors", "dispatch"}


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_histories_are_checked_in() -> None:
    # Without this an empty folder would make the replay tests pass by collecting nothing.
    recordings: dict[str, set[str]] = {}
    for path in HISTORIES:
        recordings.setdefault(path.parent.name, set()).add(path.stem)
    assert recordings["2026-12-03-first-landing"] == ORDERS | OTHERS
    assert recordings["2026-12-03-second-landing"] == ORDERS | OTHERS | SECOND


@pytest.mark.parametrize("path", HISTORIES, ids=[f"{p.parent.name}/{p.stem}" for p in HISTORIES])
async def test_history_replays_against_current_code(path: Path) -> None:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(load(path))  # raises on any nondeterminism


@workflow.defn(name="OrderWorkflow", sandboxed=False)
class ChangedOrderWorkflow:
    """Stands in for an incompatible change: it ends where the real one scheduled work."""

    @workflow.run
    async def run(self, order: OrderDocument) -> None:
        return None


async def test_replay_fails_when_the_workflow_changed_incompatibly() -> None:
    assert HISTORIES_OF_ORDERS, "no order history checked in"
    replayer = Replayer(workflows=[ChangedOrderWorkflow], data_converter=DATA_CONVERTER)
    with pytest.raises(Exception, match="(?i)nondetermin"):
        await replayer.replay_workflow(load(HISTORIES_OF_ORDERS[0]))
