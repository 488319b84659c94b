from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from temporalio.exceptions import ApplicationError

from activities.carrier import SHIPMENT_DELIVERED, CarrierActivities
from activities.carrier_sim import DELAY_NOTE, DELAYED_POSTAL_CODE, SimulatedCarrier
from activities.simulator import CarrierSimulator
from activities.tables import Shipment
from models.activity_io import BookShipmentInput, CancelShipmentInput
from models.errors import ADDRESS_UNDELIVERABLE, CARRIER_UNAVAILABLE
from models.messages import CarrierEvent
from models.view import Allocation
from tests.activities.conftest import ADDRESS

STAGES = ["PICKED_UP", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Inbox:
    """Stands in for the worker's signal sender."""

    def __init__(self, fail_times: int = 0) -> None:
        self.events: list[tuple[str, CarrierEvent]] = []
        self.fail_times = fail_times

    async def __call__(self, workflow_id: str, event: CarrierEvent) -> None:
        await asyncio.sleep(0)  # let a racing simulator run in between
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("temporal unreachable")
        self.events.append((workflow_id, event))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def carrier(seeded: Engine, clock: Clock) -> CarrierActivities:
    return CarrierActivities(SimulatedCarrier(seeded, pace=1.0, clock=clock))


def _booking(key: str = "SO-1:book:WH-A:FAST", **changes: object) -> BookShipmentInput:
    values = {
        "order_id": "SO-1",
        "idempotency_key": key,
        "workflow_id": "order-SO-1",
        "warehouse_id": "WH-A",
        "carrier": "FAST",
        "service_level": "standard",
        "allocations": [Allocation(sku="TEA", warehouse_id="WH-A", quantity=1)],
        "address": ADDRESS,
    }
    return BookShipmentInput(**(values | changes))


def test_booking_again_with_the_same_key_returns_the_same_shipment(
    carrier: CarrierActivities, seeded: Engine
) -> None:
    first = carrier.book_shipment(_booking())
    again = carrier.book_shipment(_booking())

    assert again == first and first.carrier == "FAST"
    with seeded.connect() as connection:
        rows = connection.execute(select(Shipment)).all()
    assert [(r.shipment_id, r.workflow_id, r.status) for r in rows] == [
        (first.shipment_id, "order-SO-1", "BOOKED")
    ]


@pytest.mark.parametrize("carrier_id", ["SLOW-DOWN", "NO-SUCH-CARRIER"])
def test_a_carrier_that_is_down_or_unknown_is_unavailable(
    carrier: CarrierActivities, carrier_id: str
) -> None:
    with pytest.raises(ApplicationError) as raised:
        carrier.book_shipment(_booking(carrier=carrier_id))

    assert raised.value.type == CARRIER_UNAVAILABLE and raised.value.non_retryable


def test_postal_code_00000_is_undeliverable(carrier: CarrierActivities) -> None:
    with pytest.raises(ApplicationError) as raised:
        carrier.book_shipment(_booking(address=ADDRESS.model_copy(update={"postal_code": "00000"})))

    assert raised.value.type == ADDRESS_UNDELIVERABLE and raised.value.non_retryable


async def test_the_simulator_emits_each_tracking_event_once_and_in_order_with_two_racing(
    seeded: Engine, carrier: CarrierActivities, clock: Clock
) -> None:
    booked = carrier.book_shipment(_booking())
    other = carrier.book_shipment(_booking("SO-2:book", order_id="SO-2", workflow_id="order-SO-2"))
    simulators = [CarrierSimulator(seeded, pace=1.0, clock=clock) for _ in range(2)]
    inbox = Inbox()

    assert sum(await asyncio.gather(*(s.tick(inbox) for s in simulators))) == 0  # nothing due
    for _ in range(6):
        clock.advance(8)
        await asyncio.gather(*(s.tick(inbox) for s in simulators))

    mine = [e for wf, e in inbox.events if wf == "order-SO-1"]
    assert [e.status for e in mine] == STAGES
    assert [e.event_id for e in mine] == [f"{booked.shipment_id}:{s}" for s in STAGES]
    assert {e.tracking_number for e in mine} == {booked.tracking_number}
    assert [e.location for e in mine][0] == "Alpha DC" and mine[-1].location == "Shanghai"
    assert [e.status for wf, e in inbox.events if wf == "order-SO-2"] == STAGES
    assert other.shipment_id != booked.shipment_id


async def test_a_cancelled_shipment_gets_no_more_tracking_events(
    seeded: Engine, carrier: CarrierActivities, clock: Clock
) -> None:
    booked = carrier.book_shipment(_booking())
    cancel = CancelShipmentInput(
        order_id="SO-1", idempotency_key="SO-1:cancel", shipment_id=booked.shipment_id
    )
    simulator, inbox = CarrierSimulator(seeded, clock=clock), Inbox()
    clock.advance(8)
    await simulator.tick(inbox)

    carrier.cancel_shipment(cancel)
    carrier.cancel_shipment(cancel)
    for _ in range(4):
        clock.advance(8)
        await simulator.tick(inbox)

    assert [e.status for _, e in inbox.events] == ["PICKED_UP"]


async def test_a_delivered_shipment_cannot_be_cancelled(
    seeded: Engine, carrier: CarrierActivities, clock: Clock
) -> None:
    booked = carrier.book_shipment(_booking())
    simulator, inbox = CarrierSimulator(seeded, clock=clock), Inbox()
    for _ in range(4):
        clock.advance(8)
        await simulator.tick(inbox)

    with pytest.raises(ApplicationError) as raised:
        carrier.cancel_shipment(
            CancelShipmentInput(
                order_id="SO-1", idempotency_key="k", shipment_id=booked.shipment_id
            )
        )

    assert raised.value.type == SHIPMENT_DELIVERED


def test_cancelling_an_unknown_shipment_is_a_no_op(carrier: CarrierActivities) -> None:
    carrier.cancel_shipment(
        CancelShipmentInput(order_id="SO-1", idempotency_key="k", shipment_id="X")
    )


async def test_an_event_that_could_not_be_sent_is_sent_again_later(
    seeded: Engine, carrier: CarrierActivities, clock: Clock
) -> None:
    carrier.book_shipment(_booking())
    simulator, inbox = CarrierSimulator(seeded, clock=clock), Inbox(fail_times=1)
    clock.advance(8)

    assert await simulator.tick(inbox) == 0
    assert await simulator.tick(inbox) == 0  # backing off
    clock.advance(2)
    assert await simulator.tick(inbox) == 1

    assert [e.status for _, e in inbox.events] == ["PICKED_UP"]


async def test_the_simulator_runs_until_told_to_stop(
    seeded: Engine, carrier: CarrierActivities
) -> None:
    # The real clock with a tiny pace: events are due a few milliseconds apart.
    fast = CarrierActivities(SimulatedCarrier(seeded, pace=0.001))
    fast.book_shipment(_booking())
    simulator, inbox, stop = (
        CarrierSimulator(seeded, pace=0.001, interval_s=0.01),
        Inbox(),
        asyncio.Event(),
    )

    running = asyncio.create_task(simulator.run(inbox, stop=stop))
    for _ in range(300):
        if len(inbox.events) == 4:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, timeout=2)

    assert [e.status for _, e in inbox.events] == STAGES


async def test_to_postal_code_88888_the_carrier_reports_a_delay_after_pickup(
    seeded: Engine, carrier: CarrierActivities, clock: Clock
) -> None:
    delayed = ADDRESS.model_copy(update={"postal_code": DELAYED_POSTAL_CODE})
    booked = carrier.book_shipment(_booking(address=delayed))
    simulator, inbox = CarrierSimulator(seeded, clock=clock), Inbox()
    for _ in range(7):
        clock.advance(8)
        await simulator.tick(inbox)

    statuses = [e.status for _, e in inbox.events]
    assert statuses == ["PICKED_UP", "EXCEPTION", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    notes = {e.status: e.note for _, e in inbox.events}
    assert notes["EXCEPTION"] == DELAY_NOTE and notes["IN_TRANSIT"] == ""
    assert {e.tracking_number for _, e in inbox.events} == {booked.tracking_number}
