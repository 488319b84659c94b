"""The simulated outside parties: the carriers' tracking webhooks and the warehouse packer.

CarrierSimulator sends tracking events to the shipment workflows; WarehousePacker
(below) scans the parcels waiting to be packed.

Each booked shipment gets PICKED_UP, IN_TRANSIT, OUT_FOR_DELIVERY and DELIVERED about
8, 16, 24 and 32 seconds (times the pace) after booking; one the carrier delays gets an
EXCEPTION event (with its note) after the pickup, then goes on. Several worker processes may
run a simulator against one database: a simulator first takes a short lease on a due
shipment with a conditional update, sends the event, and only then advances the stage.
So events go out in order and once; after a crash mid-send the lease runs out and the
event is sent again, which the workflow drops by its `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import Engine, select, update

from activities.carrier_sim import DELAYED_STAGES, SHIPMENTS, STAGES, stage_delay
from activities.parcels import PARCELS
from activities.sqltypes import utcnow
from activities.tables import Warehouse
from models.messages import CarrierEvent, ScanItemInput, ScanResult
from models.view import LineView

log = structlog.get_logger(__name__)
SendEvent = Callable[[str, CarrierEvent], Awaitable[None]]
WAREHOUSES = Warehouse.__table__
LEASE = timedelta(seconds=30)  # longer than any send; a crashed sender's claim runs out
MAX_FAILURES = 12  # then the shipment is left alone (the workflow is probably gone)


@dataclass(frozen=True)
class _Claim:
    shipment_id: str
    workflow_id: str
    stage: int
    event: CarrierEvent
    last: bool  # the final event: nothing more is due after it


class CarrierSimulator:
    def __init__(
        self,
        engine: Engine,
        *,
        pace: float = 1.0,
        interval_s: float = 0.5,
        batch: int = 200,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._pace = pace
        self._interval_s = interval_s
        self._batch = batch
        self._clock = clock

    async def run(self, send_event: SendEvent, *, stop: asyncio.Event) -> None:
        log.info("carrier_simulator", outcome="started", pace=self._pace)
        while not stop.is_set():
            try:
                await self.tick(send_event)
            except Exception:  # the database may be briefly unavailable; keep simulating
                log.exception("carrier_simulator", outcome="tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval_s)
        log.info("carrier_simulator", outcome="stopped")

    async def tick(self, send_event: SendEvent) -> int:
        """One pass: send every due event; returns how many were sent."""
        claims = await asyncio.to_thread(self._claim_due)
        sent = await asyncio.gather(*(self._send(claim, send_event) for claim in claims))
        return sum(sent)

    async def _send(self, claim: _Claim, send_event: SendEvent) -> bool:
        try:
            await send_event(claim.workflow_id, claim.event)
        except Exception as error:
            log.warning(
                "carrier_event",
                workflow_id=claim.workflow_id,
                status=claim.event.status,
                outcome="send_failed",
                error=str(error),
            )
            await asyncio.to_thread(self._retry_later, claim)
            return False
        await asyncio.to_thread(self._advance, claim)
        log.info(
            "carrier_event",
            workflow_id=claim.workflow_id,
            status=claim.event.status,
            outcome="sent",
        )
        return True

    def _claim_due(self) -> list[_Claim]:
        now = self._clock()
        due = (
            select(SHIPMENTS, WAREHOUSES.c.name.label("warehouse_name"))
            .join_from(
                SHIPMENTS,
                WAREHOUSES,
                WAREHOUSES.c.warehouse_id == SHIPMENTS.c.warehouse_id,
                isouter=True,
            )
            .where(SHIPMENTS.c.sim_due_at <= now)  # NULL once the last event went out
            .where(SHIPMENTS.c.status != "CANCELLED")
            .order_by(SHIPMENTS.c.sim_due_at)
            .limit(self._batch)
        )
        claims = []
        with self._engine.begin() as connection:
            for row in connection.execute(due).mappings().all():
                taken = connection.execute(
                    update(SHIPMENTS)
                    .where(SHIPMENTS.c.shipment_id == row["shipment_id"])
                    .where(SHIPMENTS.c.sim_stage == row["sim_stage"])
                    .where(SHIPMENTS.c.sim_due_at <= now, SHIPMENTS.c.status != "CANCELLED")
                    .values(sim_due_at=now + LEASE)
                ).rowcount
                if taken == 1:
                    claims.append(_claim(row, now))
        return claims

    def _advance(self, claim: _Claim) -> None:
        last = claim.last
        with self._engine.begin() as connection:
            connection.execute(
                update(SHIPMENTS)
                .where(SHIPMENTS.c.shipment_id == claim.shipment_id)
                .where(SHIPMENTS.c.sim_stage == claim.stage, SHIPMENTS.c.status != "CANCELLED")
                .values(
                    sim_stage=claim.stage + 1,
                    status=claim.event.status,
                    sim_failures=0,
                    sim_due_at=None if last else self._clock() + stage_delay(self._pace),
                )
            )

    def _retry_later(self, claim: _Claim) -> None:
        with self._engine.begin() as connection:
            failures = connection.scalar(
                select(SHIPMENTS.c.sim_failures).where(SHIPMENTS.c.shipment_id == claim.shipment_id)
            )
            failures = (failures or 0) + 1
            backoff = timedelta(seconds=min(60, 2**failures))
            connection.execute(
                update(SHIPMENTS)
                .where(SHIPMENTS.c.shipment_id == claim.shipment_id)
                .where(SHIPMENTS.c.sim_stage == claim.stage, SHIPMENTS.c.status != "CANCELLED")
                .values(
                    sim_failures=failures,
                    sim_due_at=None if failures >= MAX_FAILURES else self._clock() + backoff,
                )
            )


def _claim(row: dict, now: datetime) -> _Claim:
    stages = DELAYED_STAGES if row["sim_exception"] else STAGES
    status = stages[row["sim_stage"]]
    origin = row["warehouse_name"] or row["warehouse_id"]
    location = {
        "PICKED_UP": origin,
        "EXCEPTION": f"{origin} sorting hub",
        "IN_TRANSIT": f"{origin} sorting hub",
        "OUT_FOR_DELIVERY": f"{row['destination']} delivery station",
        "DELIVERED": row["destination"],
    }[status]
    event = CarrierEvent(
        event_id=f"{row['shipment_id']}:{status}",
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        status=status,
        at=now,
        location=location,
        note=(row["sim_exception"] or "") if status == "EXCEPTION" else "",
    )
    last = row["sim_stage"] + 1 == len(stages)
    return _Claim(row["shipment_id"], row["workflow_id"], row["sim_stage"], event, last)


class PackingDesk(Protocol):
    """How the packer reaches a parcel's workflow (the worker wires it to Temporal)."""

    async def to_scan(self, workflow_id: str) -> list[LineView] | None:
        """The units still to scan; None when the parcel is no longer being packed."""
        ...

    async def scan(self, workflow_id: str, scan: ScanItemInput) -> ScanResult: ...


class WarehousePacker:
    """The simulated warehouse staff: scans every registered parcel, line by line.

    A parcel is due PACK_SECONDS (times the pace) after registration. Like the carrier
    simulator, a packer leases a due parcel before scanning, so several worker processes
    never pack one parcel twice; it asks the workflow what is left before scanning, so
    a re-run after a crash never scans a unit twice.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        interval_s: float = 0.5,
        batch: int = 100,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._interval_s = interval_s
        self._batch = batch
        self._clock = clock

    async def run(self, desk: PackingDesk, *, stop: asyncio.Event) -> None:
        log.info("warehouse_packer", outcome="started")
        while not stop.is_set():
            try:
                await self.tick(desk)
            except Exception:  # the database may be briefly unavailable; keep packing
                log.exception("warehouse_packer", outcome="tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval_s)
        log.info("warehouse_packer", outcome="stopped")

    async def tick(self, desk: PackingDesk) -> int:
        """One pass: pack every due parcel; returns how many were packed."""
        due = await asyncio.to_thread(self._claim_due)
        packed = await asyncio.gather(*(self._pack(workflow_id, desk) for workflow_id in due))
        return sum(packed)

    async def _pack(self, workflow_id: str, desk: PackingDesk) -> bool:
        try:
            left = await desk.to_scan(workflow_id)
            for line in left or []:
                await desk.scan(workflow_id, ScanItemInput(sku=line.sku, quantity=line.quantity))
        except Exception as error:
            log.warning(
                "pack_parcel", workflow_id=workflow_id, outcome="scan_failed", error=str(error)
            )
            await asyncio.to_thread(self._retry_later, workflow_id)
            return False
        await asyncio.to_thread(self._set, workflow_id, status="PACKED", sim_due_at=None)
        log.info("pack_parcel", workflow_id=workflow_id, outcome="packed" if left else "skipped")
        return bool(left)

    def _claim_due(self) -> list[str]:
        now = self._clock()
        due = (
            select(PARCELS.c.workflow_id)
            .where(PARCELS.c.status == "PACKING", PARCELS.c.sim_due_at <= now)
            .order_by(PARCELS.c.sim_due_at)
            .limit(self._batch)
        )
        claimed = []
        with self._engine.begin() as connection:
            for workflow_id in connection.scalars(due).all():
                taken = connection.execute(
                    update(PARCELS)
                    .where(PARCELS.c.workflow_id == workflow_id, PARCELS.c.sim_due_at <= now)
                    .where(PARCELS.c.status == "PACKING")
                    .values(sim_due_at=now + LEASE)
                ).rowcount
                if taken == 1:
                    claimed.append(workflow_id)
        return claimed

    def _set(self, workflow_id: str, **values: object) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(PARCELS).where(PARCELS.c.workflow_id == workflow_id).values(**values)
            )

    def _retry_later(self, workflow_id: str) -> None:
        with self._engine.begin() as connection:
            failures = connection.scalar(
                select(PARCELS.c.sim_failures).where(PARCELS.c.workflow_id == workflow_id)
            )
        failures = (failures or 0) + 1
        if failures >= MAX_FAILURES:
            self._set(workflow_id, status="ABANDONED", sim_failures=failures, sim_due_at=None)
        else:
            backoff = timedelta(seconds=min(60, 2**failures))
            self._set(workflow_id, sim_failures=failures, sim_due_at=self._clock() + backoff)
