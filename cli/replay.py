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
    from workers.worker import WORKFLOWS

    # Every workflow type the worker runs, so `--query` may match any of them; and the
    # same data converter as the worker, or payloads would not decode the same way.
    return Replayer(workflows=WORKFLOWS, data_converter=DATA_CONVERTER)


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
    ok: list[str] = []
    failures: dict[str, str] = {}
    async with replayer().workflow_replay_iterator(_histories(args, client)) as results:
        async for result in results:  # one result per history, in order
            workflow_id = result.history.workflow_id
            if result.replay_failure is None:
                ok.append(workflow_id)
            else:
                failures[workflow_id] = str(result.replay_failure)
    replayed = len(ok) + len(failures)
    if not replayed:
        # Replaying nothing proves nothing: say so instead of passing.
        raise CommandError("no histories matched: nothing was replayed")
    report = {"replayed": replayed, "ok": ok, "failed": failures}

    def human(r: dict[str, object]) -> str:
        lines = [f"ok      {wid}" for wid in ok]
        lines += [f"FAILED  {wid}: {err}" for wid, err in failures.items()]
        lines.append(f"{len(ok)}/{replayed} histories replay cleanly")
        return "\n".join(lines)

    emit(report, args.json, human)
    return 1 if failures else 0
