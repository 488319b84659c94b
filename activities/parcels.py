"""The warehouse's packing list: parcels waiting to be scanned, one row per ShipmentWorkflow.

A ShipmentWorkflow registers its parcel here (`register_parcel`, idempotent by the
workflow id); the simulated packer (activities/simulator.py) finds due parcels here and
sends the `scan_item` updates a handheld scanner would send.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import JSON, Engine
from sqlmodel import Field, SQLModel
from temporalio import activity

from activities.db import insert_ignore
from activities.sqltypes import UtcDateTime, utcnow
from models.shipment import RegisterParcelInput

log = structlog.get_logger(__name__)
PACK_SECONDS = 4.0  # from registration to the packer's scans, times the pace


class Parcel(SQLModel, table=True):
    __tablename__ = "parcels"
    workflow_id: str = Field(primary_key=True)
    order_id: str = Field(index=True)
    warehouse_id: str
    lines: list[dict[str, object]] = Field(default_factory=list, sa_type=JSON)
    # PACKING until the packer is done with it (PACKED), or gives up (ABANDONED).
    status: str = Field(default="PACKING", index=True)
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # When the packer may next act on it (first scans, a lease or a retry); None: never.
    sim_due_at: datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    sim_failures: int = 0


PARCELS = Parcel.__table__


def create_parcel_table(engine: Engine) -> None:
    """For databases created before this table existed (create_schema makes it too)."""
    PARCELS.create(engine, checkfirst=True)  # type: ignore[attr-defined]


def pack_delay(pace: float) -> timedelta:
    return timedelta(seconds=PACK_SECONDS * pace)


class ParcelActivities:
    def __init__(self, engine: Engine, *, pace: float = 1.0) -> None:
        self._engine = engine
        self._pace = pace

    @activity.defn(name="register_parcel")
    def register_parcel(self, data: RegisterParcelInput) -> None:
        now = utcnow()
        row = {
            "workflow_id": data.workflow_id,
            "order_id": data.order_id,
            "warehouse_id": data.warehouse_id,
            "lines": [line.model_dump() for line in data.lines],
            "registered_at": now,
            "sim_due_at": now + pack_delay(self._pace),
        }
        with self._engine.begin() as connection:
            added = insert_ignore(connection, PARCELS, row, key=("workflow_id",))
        log.info(
            "register_parcel",
            order_id=data.order_id,
            workflow_id=data.workflow_id,
            outcome="registered" if added else "already_registered",
        )
