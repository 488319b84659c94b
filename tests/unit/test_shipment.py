"""One parcel's rules: packing scans, payment shares, tracking, the delay watchdog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from models.messages import CarrierEvent
from models.shipment import (
    Packing,
    Tracking,
    delay_deadline,
    delay_notice,
    lines_of,
    split_amount,
)
from models.view import Allocation, LineView, ShipmentView

AT = datetime(2026, 12, 3, 10, tzinfo=UTC)


def _parcel(status: str = "BOOKED") -> ShipmentView:
    return ShipmentView(
        shipment_id="SHP-1",
        warehouse_id="WH-SH",
        carrier="ZTO",
        tracking_number="Z1",
        status=status,
    )


def _event(status: str, event_id: str | None = None, tracking: str = "Z1") -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id or status, carrier="ZTO", tracking_number=tracking, status=status, at=AT
    )


def test_a_sku_not_in_the_parcel_is_refused_with_the_reason():
    packing = Packing([LineView(sku="TEA-001", quantity=2)])
    assert packing.refusal("COF-009", 1) == "sku: COF-009 is not in this parcel"


def test_a_unit_beyond_what_is_expected_is_refused():
    packing = Packing([LineView(sku="TEA-001", quantity=2)])
    assert packing.scan("TEA-001", 1) == 1
    assert "more than the 1 still expected" in (packing.refusal("TEA-001", 2) or "")
    assert packing.refusal("TEA-001", 1) is None


def test_the_parcel_is_complete_only_when_every_line_is_fully_scanned():
    packing = Packing([LineView(sku="TEA-001", quantity=2), LineView(sku="SNK-001", quantity=1)])
    packing.scan("TEA-001", 2)
    assert not packing.complete and packing.remaining == 1
    packing.scan("SNK-001", 1)
    assert packing.complete
    assert packing.refusal("SNK-001", 1) == "the parcel is already fully packed"


def test_lines_of_a_parcel_sum_the_allocations_per_sku():
    allocations = [
        Allocation(sku="B", warehouse_id="W", quantity=1),
        Allocation(sku="A", warehouse_id="W", quantity=2),
        Allocation(sku="B", warehouse_id="W", quantity=3),
    ]
    assert lines_of(allocations) == [LineView(sku="A", quantity=2), LineView(sku="B", quantity=4)]


def test_payment_shares_follow_the_value_shipped_and_sum_to_the_total():
    allocations = [
        Allocation(sku="TEA-001", warehouse_id="WH-SH", quantity=1),
        Allocation(sku="SNK-001", warehouse_id="WH-BJ", quantity=2),
    ]
    prices = {"TEA-001": Decimal("59.90"), "SNK-001": Decimal("9.90")}
    shares = split_amount(Decimal("79.70"), allocations, prices)
    assert shares == {"WH-BJ": Decimal("19.80"), "WH-SH": Decimal("59.90")}


def test_rounding_leftovers_go_to_the_last_share():
    allocations = [Allocation(sku="A", warehouse_id=w, quantity=1) for w in ("W1", "W2", "W3")]
    shares = split_amount(Decimal("10.00"), allocations, {"A": Decimal("1")})
    assert sum(shares.values()) == Decimal("10.00")
    assert shares["W3"] == Decimal("3.34")


def test_a_tracking_event_applies_once_and_never_moves_the_parcel_back():
    parcel, tracking = _parcel(), Tracking()
    assert tracking.apply(parcel, _event("IN_TRANSIT"))
    assert not tracking.apply(parcel, _event("IN_TRANSIT"))  # same event_id
    assert tracking.apply(parcel, _event("PICKED_UP"))  # late, but news
    assert parcel.status == "IN_TRANSIT"


def test_events_for_another_parcel_or_before_booking_are_ignored():
    tracking = Tracking()
    assert not tracking.apply(_parcel(), _event("PICKED_UP", tracking="OTHER"))
    unbooked = _parcel("PACKING").model_copy(update={"tracking_number": ""})
    assert not tracking.apply(unbooked, _event("PICKED_UP", tracking=""))


def test_the_watchdog_waits_a_day_for_pickup_and_a_day_between_events():
    assert delay_deadline("PACKING", AT) is None
    assert delay_deadline("BOOKED", AT) == AT + timedelta(hours=24)
    assert delay_deadline("IN_TRANSIT", AT) == AT + timedelta(hours=24)
    assert delay_deadline("DELIVERED", AT) is None


def test_the_customer_hears_about_a_delay_only_the_first_time():
    parcel = _parcel()
    detail, tell = delay_notice(parcel, AT, AT + timedelta(hours=24))
    assert tell and detail == "ZTO Z1: no pickup for 24 h"
    parcel.delays = 1
    assert delay_notice(parcel, AT, AT + timedelta(hours=48))[1] is False
