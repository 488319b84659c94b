"""The simulated carrier's booking desk: what a carrier's API would answer, kept in `shipments`.

    CarrierError
      CarrierRefused      the carrier does not take the booking (unknown, or down)
      AddressRefused      the carrier cannot deliver to the address
      ShipmentStateError  the shipment cannot be cancelled any more (delivered)

Deterministic failure modes: a carrier id ending in "-DOWN" is unavailable, the
postal code "00000" is undeliverable, and to postal code "88888" the carrier reports a
weather delay (an EXCEPTION tracking event) after pickup, then delivers.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, exists, select, update

from activities.db import insert_ignore
from activities.sqltypes import utcnow
from activities.tables import Carrier, Shipment

SHIPMENTS = Shipment.__table__
CARRIERS = Carrier.__table__
STAGES = ("PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
DELAYED_STAGES = ("PICKED_UP", "EXCEPTION", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED")
STAGE_SECONDS = 8.0  # between tracking events, times the pace
UNDELIVERABLE_POSTAL_CODE = "00000"
DELAYED_POSTAL_CODE = "88888"
DELAY_NOTE = "held at the hub by bad weather"


class CarrierError(Exception):
    pass


class CarrierRefused(CarrierError):
    pass


class AddressRefused(CarrierError):
    pass


class ShipmentStateError(CarrierError):
    pass


@dataclass(frozen=True)
class Booking:
    shipment_id: str
    carrier: str
    tracking_number: str


def stage_delay(pace: float) -> timedelta:
    return timedelta(seconds=STAGE_SECONDS * pace)


class SimulatedCarrier:
    def __init__(
        self, engine: Engine, *, pace: float = 1.0, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._engine = engine
        self._pace = pace
        self._clock = clock

    def book(
        self,
        *,
        order_id: str,
        idempotency_key: str,
        workflow_id: str,
        warehouse_id: str,
        carrier: str,
        postal_code: str,
        destination: str,
    ) -> Booking:
        """The same key always answers with the same shipment and tracking number."""
        with self._engine.begin() as connection:
            if booked := _booking(connection, idempotency_key):
                return booked
            if carrier.endswith("-DOWN") or not connection.scalar(
                select(exists().where(CARRIERS.c.carrier_id == carrier))
            ):
                raise CarrierRefused(f"carrier {carrier} is not taking bookings")
            if postal_code == UNDELIVERABLE_POSTAL_CODE:
                raise AddressRefused(f"{carrier} cannot deliver to postal code {postal_code}")
            now = self._clock()
            row = {
                "shipment_id": f"SHP-{uuid.uuid4().hex[:12].upper()}",
                "order_id": order_id,
                "workflow_id": workflow_id,
                "warehouse_id": warehouse_id,
                "carrier": carrier,
                "tracking_number": _tracking_number(carrier),
                "destination": destination,
                "booked_at": now,
                "sim_due_at": now + stage_delay(self._pace),
                "sim_exception": DELAY_NOTE if postal_code == DELAYED_POSTAL_CODE else None,
                "idempotency_key": idempotency_key,
            }
            insert_ignore(connection, SHIPMENTS, row, key=("idempotency_key",))
            booked = _booking(connection, idempotency_key)
        assert booked is not None
        return booked

    def redirect(self, *, shipment_id: str, postal_code: str, destination: str) -> None:
        """A new delivery address, accepted until the carrier has picked the parcel up."""
        if postal_code == UNDELIVERABLE_POSTAL_CODE:
            raise AddressRefused(f"cannot deliver to postal code {postal_code}")
        with self._engine.begin() as connection:
            status = connection.scalar(
                select(SHIPMENTS.c.status)
                .where(SHIPMENTS.c.shipment_id == shipment_id)
                .with_for_update()
            )
            if status != "BOOKED":
                raise ShipmentStateError(
                    f"shipment {shipment_id} is {status}: too late to redirect"
                )
            connection.execute(
                update(SHIPMENTS)
                .where(SHIPMENTS.c.shipment_id == shipment_id)
                .values(destination=destination)
            )

    def cancel(self, *, shipment_id: str) -> str | None:
        """Cancels unless delivered; returns the status before, None for an unknown id."""
        with self._engine.begin() as connection:
            status = connection.scalar(
                select(SHIPMENTS.c.status)
                .where(SHIPMENTS.c.shipment_id == shipment_id)
                .with_for_update()
            )
            if status == "DELIVERED":
                raise ShipmentStateError(f"shipment {shipment_id} was already delivered")
            if status is not None and status != "CANCELLED":
                connection.execute(
                    update(SHIPMENTS)
                    .where(SHIPMENTS.c.shipment_id == shipment_id)
                    .values(status="CANCELLED", sim_due_at=None)
                )
            return status


def _booking(connection: Connection, idempotency_key: str) -> Booking | None:
    row = connection.execute(
        select(SHIPMENTS.c.shipment_id, SHIPMENTS.c.carrier, SHIPMENTS.c.tracking_number).where(
            SHIPMENTS.c.idempotency_key == idempotency_key
        )
    ).one_or_none()
    return None if row is None else Booking(*row)


def _tracking_number(carrier: str) -> str:
    prefix = "".join(ch for ch in carrier.upper() if ch.isalpha())[:3] or "TRK"
    return f"{prefix}{secrets.randbelow(10**12):012d}"
