"""Order records, percentiles, volume and revenue by hour and day, on hand-built data.

`placed` and `parcel` build records with known times; the other analytics tests use them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from models.analytics import (
    OrderRecord,
    ParcelRecord,
    percentile,
    record_from_view,
    volume_by_day,
    volume_by_hour,
)
from models.status import OrderStatus
from models.view import (
    ComplaintView,
    LineView,
    OrderView,
    PaymentView,
    ShipmentView,
    SlaView,
    SurveyView,
    TimelineEntry,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday, midnight UTC


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def placed(
    order_id: str,
    status: str = "DELIVERED",
    *,
    hour: float = 0,
    steps: dict[str, float] | None = None,
    total: str = "10.00",
    **fields: object,
) -> OrderRecord:
    """An order placed at T0 + `hour`; `steps` maps statuses to hours after placing."""
    times = {"RECEIVED": 0.0, **(steps or {})}
    events = [TimelineEntry(at=at(hour + h), event=e) for e, h in times.items()]
    return OrderRecord.model_validate(
        {
            "order_id": order_id,
            "status": status,
            "placed_at": at(hour),
            "total": Decimal(total),
            "events": sorted(events, key=lambda e: e.at),
            **fields,
        }
    )


def parcel(
    warehouse: str = "WH-A",
    carrier: str = "FAST",
    *,
    picked: float | None = None,
    delivered: float | None = None,
    destination: str = "Shanghai",
    delays: int = 0,
) -> ParcelRecord:
    return ParcelRecord(
        shipment_id=f"SHP-{warehouse}-{carrier}-{picked}-{delivered}",
        warehouse_id=warehouse,
        carrier=carrier,
        destination=destination,
        picked_up_at=at(picked) if picked is not None else None,
        delivered_at=at(delivered) if delivered is not None else None,
        delays=delays,
    )


def test_a_record_takes_times_parcels_complaints_and_survey_from_the_view() -> None:
    timeline = [
        TimelineEntry(at=at(1), event="RECEIVED"),
        TimelineEntry(at=at(2), event="ALLOCATED"),
        TimelineEntry(at=at(5), event="PARCEL_PICKED_UP", detail="SHP-1 at Shanghai DC"),
        TimelineEntry(at=at(6), event="PARCEL_PICKED_UP", detail="SHP-2 at Beijing DC"),
        TimelineEntry(at=at(29), event="PARCEL_DELIVERED", detail="SHP-1 at Shanghai"),
    ]
    view = OrderView(
        order_id="SO-1",
        status=OrderStatus.SHIPPED,
        lines=[LineView(sku="TEA", quantity=2)],
        payment=PaymentView(amount=Decimal("119.80")),
        shipments=[
            ShipmentView(
                shipment_id="SHP-1",
                warehouse_id="WH-A",
                carrier="FAST",
                tracking_number="F1",
                status="DELIVERED",
            ),
            ShipmentView(
                shipment_id="SHP-2", warehouse_id="WH-B", carrier="CHEAP", tracking_number="C2"
            ),
            ShipmentView(shipment_id="", warehouse_id="WH-C", carrier="", tracking_number=""),
        ],
        sla=SlaView(breached=True),
        timeline=timeline,
        complaints=[ComplaintView(complaint_id="C1", category="late", text="slow", at=at(30))],
        survey=SurveyView(sent_at=at(40), score=4),
    )

    record = record_from_view(
        view, placed_at=at(0), customer_id="C-1", destinations={"SHP-1": "Shanghai"}
    )

    assert record.placed_at == at(1)  # the RECEIVED entry, not the fallback
    assert record.total == Decimal("119.80") and record.sla_breached
    first, second = record.parcels  # the parcel still packing has no carrier yet
    assert (first.picked_up_at, first.delivered_at, first.transit_hours) == (at(5), at(29), 24.0)
    assert first.lane == "WH-A->Shanghai" and second.lane == "WH-B->?"
    assert second.picked_up_at == at(6) and second.transit_hours is None
    assert [c.category for c in record.complaints] == ["late"]
    assert record.survey_sent and record.survey_score == 4
    assert record.first("ALLOCATED") == at(2) and not record.ever("CANCELLED")


def test_a_record_without_a_received_entry_uses_the_fallback_time() -> None:
    record = record_from_view(OrderView(order_id="SO-2"), placed_at=at(3))

    assert record.placed_at == at(3) and record.parcels == [] and not record.survey_sent


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(10, 0, -1)]  # 10 .. 1, unsorted on purpose

    assert percentile(values, 50) == 5.0
    assert percentile(values, 90) == 9.0
    assert percentile(values, 99) == 10.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_volume_by_hour_counts_every_order_and_leaves_cancelled_ones_out_of_revenue() -> None:
    records = [
        placed("A", hour=9.25, total="10.00"),
        placed("B", hour=9.75, total="5.50"),
        placed("C", "CANCELLED", hour=9.5, total="100.00"),
        placed("D", "REJECTED", hour=14, total="7.00"),
        placed("E", hour=24 + 14, total="1.00"),  # the next day, same hour of day
    ]

    hours = volume_by_hour(records)

    assert len(hours) == 24
    assert (hours[9].orders, hours[9].revenue) == (3, Decimal("15.50"))
    assert (hours[14].orders, hours[14].revenue) == (2, Decimal("1.00"))
    assert sum(h.orders for h in hours) == 5


def test_volume_by_day_lists_every_day_of_the_period_even_empty_ones() -> None:
    records = [
        placed("A", hour=1, total="10.00"),
        placed("B", hour=2, total="2.00"),
        placed("C", hour=48 + 3, total="4.00"),
        placed("X", hour=24 * 9),  # outside the period
    ]

    days = volume_by_day(records, date(2026, 12, 1), date(2026, 12, 3))

    assert [(d.day.day, d.orders, d.revenue) for d in days] == [
        (1, 2, Decimal("12.00")),
        (2, 0, Decimal("0.00")),
        (3, 1, Decimal("4.00")),
    ]
