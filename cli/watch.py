"""Waiting for many orders at once: one read-model query per tick for all of them.

Polling each order's `status` query would cost the worker a workflow task per poll and
distort what `load` measures; the read model (written by the record_status activity)
answers for every order of a run in one SELECT.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from sqlalchemy.exc import OperationalError

from cli import store
from cli.generate import Settled, reached_after, settled
from models.status import OrderStatus
from models.view import OrderView
from workers.settings import Settings


class ReadModelWatch:
    def __init__(
        self, settings: Settings, prefix: str, stages: frozenset[OrderStatus], tick: float = 0.1
    ) -> None:
        self._engine = store.engine_for(settings)
        self._prefix, self._stages, self._tick = prefix, stages, tick
        self._names = {stage.value for stage in stages}
        self._waiting: dict[str, tuple[float, asyncio.Future[Settled]]] = {}
        self.last_status: dict[str, str] = {}

    def expect(self, order_id: str, placed_wall: float) -> asyncio.Future[Settled]:
        future: asyncio.Future[Settled] = asyncio.get_running_loop().create_future()
        self._waiting[order_id] = (placed_wall, future)
        return future

    async def wait(self, order_id: str, placed_wall: float, timeout: float) -> Settled:
        future = self.expect(order_id, placed_wall)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._waiting.pop(order_id, None)
            return Settled(None, time.time() - placed_wall, timed_out=True)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self._waiting:
                # A busy or briefly locked database only delays this tick.
                with contextlib.suppress(OperationalError):
                    rows = await asyncio.to_thread(store.order_states, self._engine, self._prefix)
                    self._settle(rows)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._tick)

    def _settle(self, rows: list[tuple[str, str, str]]) -> None:
        for order_id, status, view_json in rows:
            self.last_status[order_id] = status
            if status not in self._names or order_id not in self._waiting:
                continue
            view = OrderView.model_validate_json(view_json)
            if not settled(view, self._stages):
                continue  # paid, but a parcel is still being packed
            placed_wall, future = self._waiting.pop(order_id)
            if not future.done():
                seconds = reached_after(view, self._stages, placed_wall)
                future.set_result(Settled(view, seconds, timed_out=False))
