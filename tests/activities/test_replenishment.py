"""Replenishment and reconciliation activities against a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select, update
from temporalio.testing import ActivityEnvironment

from activities.ledger import list_inventory, stock_drift
from activities.purchasing import open_purchase_orders, receive_purchase_order, seed_suppliers
from activities.replenishment import ReplenishmentActivities
from activities.stock import StockActivities
from activities.tables import Notification, Stock, StockLedger
from models.activity_io import ReleaseInput, ReserveInput
from models.replenishment_io import (
    DemandHistoryInput,
    DriftQuery,
    OpsAlert,
    OpsAlertsInput,
    PurchaseOrderLine,
    RecordPurchaseOrdersInput,
    SafetyStockLevel,
    SetSafetyStockInput,
    StockPositionsInput,
    SuppliersInput,
)
from models.suppliers import SupplierDocument
from models.view import Allocation

TODAY = datetime.now(UTC).date()  # the release below is dated now
LEDGER, STOCK = StockLedger.__table__, Stock.__table__
SUPPLIERS = Path(__file__).parents[2] / "data" / "suppliers.json"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _backdate(engine: Engine, key: str, when: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(update(LEDGER).where(LEDGER.c.idempotency_key.like(key)).values(at=when))


def _reserve(engine: Engine, key: str, sku: str, quantity: int, day: date) -> None:
    allocation = Allocation(sku=sku, warehouse_id="WH-A", quantity=quantity)
    request = ReserveInput(order_id=key, idempotency_key=key, allocations=[allocation])
    assert StockActivities(engine).reserve_stock(request).reserved
    _backdate(engine, key, _at(day))


def _po(key: str = "run-1:TEA:WH-A", quantity: int = 12) -> PurchaseOrderLine:
    return PurchaseOrderLine(
        idempotency_key=key,
        sku="TEA",
        warehouse_id="WH-A",
        supplier_id="SUP-A",
        quantity=quantity,
        unit_cost=Decimal("29.95"),
        expected_on=TODAY + timedelta(days=5),
        reasons=["below the reorder point"],
    )


def test_demand_is_daily_reserved_units_net_of_releases_from_the_pairs_first_day(
    seeded: Engine,
) -> None:
    _backdate(seeded, "seed:%", _at(TODAY - timedelta(days=4), 8))  # stock arrived 4 days ago
    _reserve(seeded, "SO-1", "HOT", 3, TODAY - timedelta(days=4))
    _reserve(seeded, "SO-2", "HOT", 2, TODAY - timedelta(days=4))
    _reserve(seeded, "SO-3", "HOT", 4, TODAY - timedelta(days=2))
    _reserve(seeded, "SO-4", "HOT", 1, TODAY - timedelta(days=1))
    _reserve(seeded, "SO-5", "HOT", 5, TODAY)  # today is not a whole day yet
    release = ReleaseInput(order_id="SO-3", idempotency_key="SO-3:release", reservation_key="SO-3")
    StockActivities(seeded).release_stock(release)  # a cancelled order is no demand

    history = ReplenishmentActivities(seeded).load_demand_history(
        DemandHistoryInput(as_of=TODAY, days=3)
    )

    series = {(s.sku, s.warehouse_id): s.daily for s in history.series}
    assert series[("HOT", "WH-A")] == [0, 0, 1]  # the window: the last three whole days
    assert series[("MUG", "WH-A")] == [0, 0, 0]
    longer = ReplenishmentActivities(seeded).load_demand_history(
        DemandHistoryInput(as_of=TODAY, days=30)
    )
    hot = next(s.daily for s in longer.series if (s.sku, s.warehouse_id) == ("HOT", "WH-A"))
    assert hot == [5, 0, 0, 1]  # starts on the day the stock row first moved


def test_a_pair_first_seen_today_has_no_history_yet(seeded: Engine) -> None:
    today = datetime.now(UTC).date()

    history = ReplenishmentActivities(seeded).load_demand_history(
        DemandHistoryInput(as_of=today, days=56)
    )

    assert history.series and all(s.daily == [] for s in history.series)


def test_positions_count_open_purchase_orders_as_on_order(seeded: Engine) -> None:
    activities = ReplenishmentActivities(seeded)
    activities.record_purchase_orders(RecordPurchaseOrdersInput(orders=[_po()]))

    positions = activities.load_stock_positions(StockPositionsInput(sku="TEA")).positions

    tea_a = next(p for p in positions if p.warehouse_id == "WH-A")
    assert (tea_a.on_hand, tea_a.reserved, tea_a.safety_stock, tea_a.on_order) == (10, 0, 2, 12)
    assert tea_a.inventory_position == 22 and tea_a.list_price == Decimal("59.90")
    assert next(p for p in positions if p.warehouse_id == "WH-B").on_order == 0


def test_a_retried_purchase_order_is_recorded_once_under_the_same_id(seeded: Engine) -> None:
    activities = ReplenishmentActivities(seeded)
    request = RecordPurchaseOrdersInput(orders=[_po()])

    first = activities.record_purchase_orders(request)
    again = activities.record_purchase_orders(request)

    assert len(first.created) == 1 and first.existing == []
    assert again.created == [] and again.existing == first.created
    (row,) = open_purchase_orders(seeded, sku="TEA")
    assert row["po_id"] == first.created[0] and row["quantity"] == 12
    assert row["reasons"] == ["below the reorder point"]


def test_receiving_a_purchase_order_books_the_stock_in_once_and_closes_it(seeded: Engine) -> None:
    (po_id,) = (
        ReplenishmentActivities(seeded)
        .record_purchase_orders(RecordPurchaseOrdersInput(orders=[_po()]))
        .created
    )

    assert receive_purchase_order(seeded, po_id=po_id)
    assert not receive_purchase_order(seeded, po_id=po_id)

    tea_a = next(r for r in list_inventory(seeded, sku="TEA") if r["warehouse_id"] == "WH-A")
    assert tea_a["on_hand"] == 22
    assert open_purchase_orders(seeded) == [] and stock_drift(seeded) == []


def test_safety_stock_is_set_by_a_conditional_update(seeded: Engine) -> None:
    activities = ReplenishmentActivities(seeded)
    levels = [
        SafetyStockLevel(sku="TEA", warehouse_id="WH-A", safety_stock=2),  # unchanged
        SafetyStockLevel(sku="TEA", warehouse_id="WH-B", safety_stock=7),
        SafetyStockLevel(sku="NOPE", warehouse_id="WH-A", safety_stock=1),  # no such row
    ]

    result = activities.set_safety_stock(SetSafetyStockInput(levels=levels))

    assert result.changed == 1
    levels_now = {r["warehouse_id"]: r["safety_stock"] for r in list_inventory(seeded, sku="TEA")}
    assert levels_now == {"WH-A": 2, "WH-B": 7}


def test_ops_alerts_land_in_the_outbox_once_per_key(seeded: Engine) -> None:
    activities = ReplenishmentActivities(seeded, ops_recipient="ops@example.com")
    alert = OpsAlert(idempotency_key="run-1:low:TEA@WH-A", event="BELOW_SAFETY_STOCK", body="low")

    first = activities.send_ops_alerts(OpsAlertsInput(alerts=[alert]))
    again = activities.send_ops_alerts(OpsAlertsInput(alerts=[alert]))

    assert (first.written, again.written) == (1, 0)
    with seeded.connect() as connection:
        rows = connection.execute(select(Notification.__table__)).mappings().all()
    assert [(r["channel"], r["recipient"], r["event"]) for r in rows] == [
        ("ops", "ops@example.com", "BELOW_SAFETY_STOCK")
    ]


def test_drift_is_found_only_where_counters_and_ledger_disagree(seeded: Engine) -> None:
    activities = ReplenishmentActivities(seeded)
    assert activities.find_stock_drift(DriftQuery()).rows == []

    with seeded.begin() as connection:  # a counter changed without its ledger row
        connection.execute(
            update(STOCK).where(STOCK.c.sku == "MUG").values(on_hand=STOCK.c.on_hand + 1)
        )

    (row,) = ActivityEnvironment().run(activities.find_stock_drift, DriftQuery()).rows
    assert (row.sku, row.warehouse_id, row.on_hand, row.ledger_on_hand) == ("MUG", "WH-A", 4, 3)


def test_demo_suppliers_seed_idempotently_and_filter_by_category(engine: Engine) -> None:
    doc = SupplierDocument.model_validate_json(SUPPLIERS.read_text())
    assert seed_suppliers(engine, doc=doc) == seed_suppliers(engine, doc=doc) == len(doc.suppliers)

    activities = ReplenishmentActivities(engine)
    tea = activities.list_suppliers(SuppliersInput(categories=["TEA"])).offers

    assert len(activities.list_suppliers(SuppliersInput()).offers) == len(doc.suppliers)
    assert tea and {o.category for o in tea} == {"TEA"}
    assert {o.category for o in doc.suppliers} == {"TEA", "SNK", "ELC", "HOM", "BLK"}
