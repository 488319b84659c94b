"""`starter.py replay`: run stored or live histories against the current workflow code."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from cli.documents import read_json
from cli.output import CommandError, emit
from workers.converter import DATA_CONVERTER


def replayer() -> Replayer:
    from workflows.order import OrderWorkflow

    # The same data converter as the worker, or payloads would not decode the same way.
    return Replayer(workflows=[OrderWorkflow], data_converter=DATA_CONVERTER)


async def _from_files(paths: Iterable[str]) -> AsyncIterator[WorkflowHistory]:
    for path in paths:
        # A history file holds events only; its name stands in for the workflow id.
        yield WorkflowHistory.from_json(Path(path).stem, read_json(path))


async def _histories(
    args: argparse.Namespace, client: Client | None
) -> AsyncIterator[WorkflowHistory]:
    if args.file:
        async for history in _from_files(args.file):
            yield history
    elif client is not None and args.workflow_id:
        yield await client.get_workflow_handle(args.workflow_id).fetch_history()
    elif client is not None:
        async for history in client.list_workflows(args.query).map_histories():
            yield history


async def replay(args: argparse.Namespace, client: Client | None) -> int:
    seen: list[str] = []

    async def counted() -> AsyncIterator[WorkflowHistory]:
        async for history in _histories(args, client):
            seen.append(history.workflow_id)
            yield history

    results = await replayer().replay_workflows(counted(), raise_on_replay_failure=False)
    if not seen:
        # Replaying nothing proves nothing: say so instead of passing.
        raise CommandError("no histories matched: nothing was replayed")
    failures = {wid: str(err) for wid, err in results.replay_failures.items()}
    report = {
        "replayed": len(seen),
        "ok": [wid for wid in seen if wid not in failures],
        "failed": failures,
    }

    def human(r: dict[str, object]) -> str:
        lines = [f"ok      {wid}" for wid in report["ok"]]
        lines += [f"FAILED  {wid}: {err}" for wid, err in failures.items()]
        lines.append(f"{len(seen) - len(failures)}/{len(seen)} histories replay cleanly")
        return "\n".join(lines)

    emit(report, args.json, human)
    return 1 if failures else 0
