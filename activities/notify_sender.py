"""The outbox sender: delivers `notifications` rows through their channel's provider.

At most once per row, and a row is one message per recorded step and channel (unique
idempotency key), so a retried step or a second worker never sends twice. A row is
claimed (pending -> sending, one conditional UPDATE) before its provider is called; a
crash after the claim leaves it `sending` for ops to look at, never to be sent again.
A transient failure puts it back to pending with a growing delay, up to `max_attempts`
claims; a permanent or uncertain one marks it failed with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine, Index, func, inspect, or_, select, update
from temporalio.common import MetricMeter

from activities.db import reading
from activities.notify_providers import (
    DeliveryError,
    Provider,
    TransientFailure,
    create_delivery_table,
)
from activities.sqltypes import utcnow
from activities.tables import Notification

log = structlog.get_logger(__name__)
OUTBOX = Notification.__table__
DELIVERY_COLUMNS = ("status", "attempts", "claimed_at", "next_attempt_at", "provider_id", "error")


@dataclass(frozen=True)
class Claim:
    id: int
    order_id: str
    channel: str
    recipient: str
    event: str
    body: str
    attempts: int


def subject_for(claim: Claim) -> str:
    if claim.channel == "ops":
        return f"[OMS ops] {claim.event}" + (f" order {claim.order_id}" if claim.order_id else "")
    return f"Your order {claim.order_id}: {claim.event.replace('_', ' ').lower()}"


class NotificationSender:
    def __init__(
        self,
        engine: Engine,
        providers: Mapping[str, Provider],
        *,
        interval_s: float = 1.0,
        batch: int = 50,
        max_attempts: int = 6,
        retry_base_s: float = 5.0,
        retry_cap_s: float = 300.0,
        meter: MetricMeter | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._providers = providers
        self._interval_s, self._batch = interval_s, batch
        self._max_attempts = max_attempts
        self._retry_base_s, self._retry_cap_s = retry_base_s, retry_cap_s
        self._clock = clock
        self._counter = (
            meter.create_counter("oms_notifications", "Sends by outcome") if meter else None
        )

    async def run(self, *, stop: asyncio.Event) -> None:
        log.info("notification_sender", outcome="started", channels=sorted(self._providers))
        while not stop.is_set():
            try:
                # On stop, the pass in flight finishes its message and hands the rest back.
                if await asyncio.to_thread(self.tick, stop.is_set) == self._batch:
                    continue  # a backlog: the next batch right away
            except Exception:  # the database may be briefly unavailable; keep going
                log.exception("notification_sender", outcome="tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval_s)
        log.info("notification_sender", outcome="stopped")

    def tick(self, stopping: Callable[[], bool] = lambda: False) -> int:
        """One pass: claim due rows and deliver them; returns how many it claimed."""
        claims = self.claim()
        for index, claim in enumerate(claims):
            if stopping():
                self._release(claims[index:])
                break
            self.deliver(claim)
        return len(claims)

    def claim(self) -> list[Claim]:
        now = self._clock()
        is_due = (
            OUTBOX.c.status == "pending",
            or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= now),
        )
        due = (
            select(OUTBOX)
            .where(*is_due, OUTBOX.c.channel.in_(list(self._providers)))
            .order_by(OUTBOX.c.id)
            .limit(self._batch)
        )
        with reading(self._engine) as connection:  # an idle pass takes no write lock
            rows = connection.execute(due).mappings().all()
        claims = []
        if not rows:
            return claims
        with self._engine.begin() as connection:
            for row in rows:  # another sender may have taken it since: the WHERE re-checks
                taken = connection.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == row["id"], *is_due)
                    .values(
                        status="sending",
                        claimed_at=now,
                        attempts=func.coalesce(OUTBOX.c.attempts, 0) + 1,
                    )
                ).rowcount
                if taken == 1:
                    fields = {name: row[name] for name in Claim.__dataclass_fields__}
                    claims.append(Claim(**fields | {"attempts": (row["attempts"] or 0) + 1}))
        return claims

    def deliver(self, claim: Claim) -> bool:
        """Send one claimed row; True when the provider took it."""
        provider = self._providers[claim.channel]
        try:
            provider_id = provider.send(claim.recipient, subject_for(claim), claim.body)
        except TransientFailure as error:
            if claim.attempts < self._max_attempts:
                delay = min(self._retry_base_s * 2 ** (claim.attempts - 1), self._retry_cap_s)
                later = self._clock() + timedelta(seconds=delay)
                self._finish(
                    claim, "retry", status="pending", next_attempt_at=later, error=str(error)
                )
            else:
                reason = f"gave up after {claim.attempts} attempts: {error}"
                self._finish(claim, "failed", status="failed", error=reason)
            return False
        except DeliveryError as error:
            self._finish(claim, "failed", status="failed", error=str(error))
            return False
        except Exception as error:  # a bug or an outage mid-send: the outcome is unknown
            self._finish(claim, "failed", status="failed", error=f"outcome unknown: {error!r}")
            return False
        self._finish(claim, "sent", status="sent", sent_at=self._clock(), provider_id=provider_id)
        return True

    def _finish(self, claim: Claim, outcome: str, **values: object) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == claim.id, OUTBOX.c.status == "sending")
                .values(**values)
            )
        if self._counter:
            self._counter.add(1, {"channel": claim.channel, "outcome": outcome})
        # No personal data in logs: never the recipient, the body or the provider's reply.
        log.info(
            "notification",
            order_id=claim.order_id,
            channel=claim.channel,
            order_event=claim.event,
            attempt=claim.attempts,
            outcome=outcome,
        )

    def _release(self, claims: list[Claim]) -> None:
        """Claims never acted on go back, as they were: nothing was sent for them."""
        with self._engine.begin() as connection:
            for claim in claims:
                connection.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == claim.id, OUTBOX.c.status == "sending")
                    .values(status="pending", attempts=claim.attempts - 1)
                )


def prepare_outbox(engine: Engine) -> None:
    """Add the delivery columns to a database made before them (no migration tool)."""
    create_delivery_table(engine)
    present = {column["name"] for column in inspect(engine).get_columns(OUTBOX.name)}
    for name in DELIVERY_COLUMNS:
        if name in present:
            continue
        kind = OUTBOX.c[name].type.compile(dialect=engine.dialect)
        with contextlib.suppress(Exception), engine.begin() as connection:  # another worker won
            connection.exec_driver_sql(f"ALTER TABLE {OUTBOX.name} ADD COLUMN {name} {kind}")
    for index in OUTBOX.indexes:
        with contextlib.suppress(Exception):
            Index.create(index, engine, checkfirst=True)
