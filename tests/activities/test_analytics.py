"""The analytics queries on a real database, filled by the real seed and record functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, update

from activities.analytics import (
    AnalyticsActivities,
    order_records,
    period,
    period_report,
    sku_demand,
    stock_records,
)
from activities.carrier_sim import SimulatedCarrier
from activities.purchasing import seed_suppliers
from activities.records import OrderRecordActivities
from activities.replenishment import ReplenishmentActivities
from activities.stock import StockActivities
from activities.tables import Notification, Order
from models.activity_io import RecordStatusInput, ReleaseInput, ReserveInput
from models.monitor_snapshot import SnapshotInput, ops_alerts
from models.monitors import run_checks
from models.replenishment_io import OpsAlertsInput
from models.status import OrderStatus
from models.suppliers import SupplierDocument
from models.view import (
    Allocation,
    LineView,
    OrderView,
    PaymentView,
    ShipmentView,
    SlaView,
    TimelineEntry,
)
from tests.activities.conftest import CUSTOMER

NOW = datetime.now(UTC)
SUPPLIERS = SupplierDocument.model_validate(
    {
        "suppliers": [
            {"supplier_id": "GOOD", "name": "Good", "category": "TEA", "price_ratio": 0.5,
             "on_time_rate": 0.98, "quality": 0.99, "lead_time_days": 6},
            {"supplier_id": "BAD", "name": "Bad", "category": "TEA", "price_ratio": 0.5,
             "on_time_rate": 0.5, "quality": 0.5, "lead_time_days": 2},
        ]
    }
)  # fmt: skip


def _record(engine: Engine, view: OrderView, sequence: int = 1) -> None:
    OrderRecordActivities(engine).record_status(
        RecordStatusInput(
            idempotency_key=f"{view.order_id}:record:{sequence}",
            sequence=sequence,
            event=view.status.value,
            view=view,
            customer=CUSTOMER,
            notify_customer=False,
        )
    )


def _reserve(engine: Engine, order_id: str, sku: str, quantity: int) -> None:
    allocation = Allocation(sku=sku, warehouse_id="WH-A", quantity=quantity)
    request = ReserveInput(order_id=order_id, idempotency_key=order_id, allocations=[allocation])
    assert StockActivities(engine).reserve_stock(request).reserved


def _delivered(engine: Engine, order_id: str, total: str, *, breached: bool = False) -> None:
    """A TEA order, booked with the simulated carrier, picked up at +2 h, delivered at +26 h."""
    booking = SimulatedCarrier(engine).book(
        order_id=order_id,
        idempotency_key=f"{order_id}:book",
        workflow_id=f"shipment-{order_id}-WH-A",
        warehouse_id="WH-A",
        carrier="FAST",
        postal_code="100000",
        destination="Beijing",
    )
    _reserve(engine, order_id, "TEA", 2)
    t0 = NOW - timedelta(hours=30)
    steps = [("RECEIVED", 0), ("RESERVED", 0.5), ("ALLOCATED", 1), ("SHIPPED", 2.1)]
    timeline = [TimelineEntry(at=t0 + timedelta(hours=h), event=e) for e, h in steps]
    timeline += [
        TimelineEntry(
            at=t0 + timedelta(hours=2), event="PARCEL_PICKED_UP", detail=f"{booking.shipment_id}"
        ),
        TimelineEntry(
            at=t0 + timedelta(hours=26),
            event="PARCEL_DELIVERED",
            detail=f"{booking.shipment_id} at Beijing",
        ),
        TimelineEntry(at=t0 + timedelta(hours=26), event="DELIVERED"),
    ]
    view = OrderView(
        order_id=order_id,
        status=OrderStatus.DELIVERED,
        lines=[LineView(sku="TEA", quantity=2)],
        payment=PaymentView(status="CAPTURED", amount=Decimal(total)),
        shipments=[
            ShipmentView(
                shipment_id=booking.shipment_id,
                warehouse_id="WH-A",
                carrier="FAST",
                tracking_number=booking.tracking_number,
                status="DELIVERED",
            )
        ],
        sla=SlaView(breached=breached),
        timeline=timeline,
    )
    _record(engine, view)


@pytest.fixture
def shop(seeded: Engine) -> Engine:
    seed_suppliers(seeded, doc=SUPPLIERS)
    _delivered(seeded, "SO-1", "119.80")
    _delivered(seeded, "SO-2", "59.90", breached=True)
    _reserve(seeded, "SO-3", "MUG", 1)
    release = ReleaseInput(order_id="SO-3", idempotency_key="SO-3:release", reservation_key="SO-3")
    StockActivities(seeded).release_stock(release)  # a cancelled order is no demand
    held = [TimelineEntry(at=NOW - timedelta(hours=1), event=e) for e in ("RECEIVED", "ON_HOLD")]
    _record(seeded, OrderView(order_id="SO-3", status=OrderStatus.ON_HOLD, timeline=held))
    return seeded


def test_order_records_carry_the_view_and_the_parcels_destination(shop: Engine) -> None:
    records = order_records(shop, start=NOW - timedelta(days=1), end=NOW + timedelta(minutes=1))

    assert [r.order_id for r in records] == ["SO-1", "SO-2", "SO-3"]
    first = records[0]
    assert first.customer_id == "C-1" and first.total == Decimal("119.80")
    (parcel,) = first.parcels
    assert (parcel.lane, parcel.carrier, parcel.transit_hours) == ("WH-A->Beijing", "FAST", 24.0)
    assert records[1].sla_breached and records[2].ever("ON_HOLD")


def test_orders_first_recorded_outside_the_period_are_left_out(shop: Engine) -> None:
    with shop.begin() as connection:
        table = Order.__table__
        connection.execute(
            update(table)
            .where(table.c.order_id == "SO-1")
            .values(created_at=NOW - timedelta(days=3))
        )

    records = order_records(shop, start=NOW - timedelta(days=1), end=NOW + timedelta(minutes=1))

    assert [r.order_id for r in records] == ["SO-2", "SO-3"]
    assert period(shop, end=NOW)[0] == NOW - timedelta(days=3)  # from the first order


def test_demand_is_reserved_units_net_of_releases(shop: Engine) -> None:
    demand = sku_demand(shop, start=NOW - timedelta(days=1), end=NOW + timedelta(minutes=1))

    assert [(d.sku, d.warehouse_id, d.units) for d in demand] == [("TEA", "WH-A", 4)]
    assert sku_demand(shop, start=NOW - timedelta(days=9), end=NOW - timedelta(days=8)) == []


def test_stock_records_carry_open_orders_and_the_best_suppliers_lead_time(shop: Engine) -> None:
    rows = {(s.sku, s.warehouse_id): s for s in stock_records(shop)}

    tea = rows[("TEA", "WH-A")]
    assert (tea.on_hand, tea.reserved, tea.lead_time_days) == (10, 4, 6)  # GOOD, not BAD
    assert rows[("MUG", "WH-A")].lead_time_days is None  # no supplier for mugs


def test_the_period_report_adds_up_what_was_recorded(shop: Engine) -> None:
    report = period_report(shop, start=NOW - timedelta(days=1), end=NOW + timedelta(minutes=1))

    assert report.totals.orders == 3 and report.totals.revenue == Decimal("179.70")
    assert report.totals.by_status == {"DELIVERED": 2, "ON_HOLD": 1}
    warehouse = next(b for b in report.breach_rates if b.name == "WH-A")
    assert (warehouse.orders, warehouse.breached) == (2, 1)
    assert report.lanes[0].median_h == 24.0
    tea = next(c for c in report.cover if (c.sku, c.warehouse_id) == ("TEA", "WH-A"))
    assert tea.available == 6 and tea.daily_demand == pytest.approx(4 / report.days)
    assert [s.sku for s in report.top_skus] == ["TEA"]


def test_an_empty_database_reports_the_last_day(engine: Engine) -> None:
    start, end = period(engine, end=NOW)

    assert end - start == timedelta(days=1)
    assert period_report(engine, start=start, end=end).totals.orders == 0


def test_the_snapshot_feeds_the_monitors_and_their_alerts_reach_the_outbox_once(
    shop: Engine,
) -> None:
    as_of = datetime.now(UTC)  # after the records were written
    snapshot = AnalyticsActivities(shop).analytics_snapshot(
        SnapshotInput(as_of=as_of, recent_hours=24, baseline_days=2)
    )

    assert snapshot.risk.recent_orders == 1 and snapshot.risk.recent_held == 1
    assert snapshot.risk.baseline_orders == 2  # placed 30 hours ago
    tea = next(c for c in snapshot.covers if (c.sku, c.warehouse_id) == ("TEA", "WH-A"))
    assert (tea.available, tea.daily_demand, tea.days_of_cover) == (6, 2.0, 3.0)
    alerts = run_checks(snapshot, ["stockout_risk"])
    assert [a.subject for a in alerts] == ["TEA@WH-A"]

    outbox = ReplenishmentActivities(shop)
    first = outbox.send_ops_alerts(OpsAlertsInput(alerts=ops_alerts(alerts, as_of)))
    again = outbox.send_ops_alerts(OpsAlertsInput(alerts=ops_alerts(alerts, as_of)))

    assert (first.written, again.written) == (1, 0)
    table = Notification.__table__
    with shop.connect() as connection:
        rows = connection.execute(select(table.c.event).where(table.c.channel == "ops")).all()
    assert [r.event for r in rows] == ["STOCKOUT_RISK"]
