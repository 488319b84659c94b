"""Safety stock, reorder points, supplier scores and the replenishment decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from models.replenishment import Policy, decide, plan, safety_stock, z_value
from models.replenishment_io import DemandSeries, DriftRow, StockPosition
from models.replenishment_records import (
    alerts,
    drift_alert,
    purchase_orders,
    reorder_lines,
    safety_stock_changes,
)
from models.suppliers import ScoreWeights, SupplierOffer, score_suppliers

TODAY = date(2026, 12, 3)


def offer(supplier_id: str = "SUP-A", **changes: object) -> SupplierOffer:
    values: dict[str, object] = {
        "supplier_id": supplier_id,
        "name": supplier_id,
        "category": "TEA",
        "price_ratio": 0.5,
        "on_time_rate": 0.9,
        "quality": 0.9,
        "lead_time_days": 5,
    }
    return SupplierOffer.model_validate(values | changes)


def position(**changes: object) -> StockPosition:
    values: dict[str, object] = {
        "sku": "TEA-001",
        "warehouse_id": "WH-SH",
        "on_hand": 60,
        "reserved": 20,
        "safety_stock": 0,
        "list_price": "59.90",
    }
    return StockPosition.model_validate(values | changes)


STEADY = [10] * 28  # ten a day: forecast 10, no error


def test_z_values_match_the_normal_table() -> None:
    assert z_value(0.95) == pytest.approx(1.6449, abs=1e-4)
    assert z_value(0.99) == pytest.approx(2.3263, abs=1e-4)


def test_safety_stock_is_z_times_sigma_times_root_lead_time_rounded_up() -> None:
    assert safety_stock(2.0, 4, 0.95) == 7  # 1.645 * 2 * 2 = 6.58
    assert safety_stock(3.0, 9, 0.99) == 21  # 2.326 * 3 * 3 = 20.94
    assert safety_stock(0.0, 9, 0.99) == 0


def test_reorders_up_to_the_order_up_to_level_when_under_the_reorder_point() -> None:
    decision = decide(position(), STEADY, [offer()], Policy())

    assert (decision.reorder_point, decision.order_up_to) == pytest.approx((50.0, 120.0))
    assert decision.inventory_position == 40
    assert decision.reorder and decision.quantity == 80
    assert decision.supplier is not None and decision.supplier.supplier_id == "SUP-A"
    assert decision.unit_cost == Decimal("29.95")  # half the list price
    assert not decision.below_safety_stock
    assert decision.reasons[-1].startswith("order 80 up to 120.0: SUP-A score 0.940")


def test_stock_already_on_order_counts_toward_the_position() -> None:
    decision = decide(position(on_order=30), STEADY, [offer()], Policy())

    assert decision.inventory_position == 70
    assert not decision.reorder and decision.quantity == 0
    assert "no reorder" in decision.reasons[-1]


def test_the_numbers_behind_a_noisy_forecast() -> None:
    # Plain smoothing of [10, 14]: level 11.2 per day, one residual of 4, so sigma 4.
    policy = Policy(min_history_days=1)
    decision = decide(position(on_hand=20, reserved=5), [10, 14], [offer(lead_time_days=4)], policy)

    assert decision.safety_stock == 14  # 1.645 * 4 * sqrt(4) = 13.16
    assert decision.reorder_point == pytest.approx(11.2 * 4 + 14)
    assert decision.order_up_to == pytest.approx(11.2 * 11 + 14)
    assert decision.quantity == 123  # 137.2 - 15, rounded up
    assert any("z 1.645 x sigma 4.00 x sqrt(4d)" in reason for reason in decision.reasons)


def test_available_under_safety_stock_raises_an_alert() -> None:
    decision = decide(
        position(on_hand=12, reserved=2, safety_stock=15), [1, 1, 1], [offer()], Policy()
    )

    assert decision.safety_stock == 15  # three days of history: the configured level stays
    assert decision.below_safety_stock and decision.reorder
    (alert,) = alerts([decision], "run-1")
    assert alert.event == "BELOW_SAFETY_STOCK"
    assert alert.idempotency_key == "run-1:low:TEA-001@WH-SH"
    assert "available 10 is under safety stock 15" in alert.body


def test_a_reorder_nobody_supplies_is_flagged_for_ops() -> None:
    decision = decide(position(), STEADY, [offer(category="ELC")], Policy())

    assert not decision.reorder and decision.no_supplier
    assert [a.event for a in alerts([decision], "run-1")] == ["NO_SUPPLIER"]


def test_the_cheapest_supplier_wins_when_reliability_is_close() -> None:
    cheap = offer("SUP-A")
    dear = offer("SUP-B", price_ratio=0.625, on_time_rate=1.0, quality=1.0)

    ranked = score_suppliers([dear, cheap], ScoreWeights())

    assert [s.offer.supplier_id for s in ranked] == ["SUP-A", "SUP-B"]
    assert [s.score for s in ranked] == pytest.approx([0.94, 0.92])  # 0.4+0.315+0.225; 0.32+...
    assert "price 0.80 at 62% of list, on-time 100%, quality 100%" in ranked[1].reason


def test_reliability_wins_when_it_is_weighted_above_price() -> None:
    weights = ScoreWeights(price=0.2, on_time=0.5, quality=0.3)
    dear = offer("SUP-B", price_ratio=0.625, on_time_rate=1.0, quality=1.0)

    ranked = score_suppliers([offer("SUP-A"), dear], weights)

    assert ranked[0].offer.supplier_id == "SUP-B"
    assert ranked[0].score == pytest.approx(0.96)


def test_equal_scores_are_broken_by_supplier_id() -> None:
    ranked = score_suppliers([offer("SUP-Z"), offer("SUP-M")], ScoreWeights())

    assert [s.offer.supplier_id for s in ranked] == ["SUP-M", "SUP-Z"]


def test_the_chosen_suppliers_lead_time_sets_the_reorder_point() -> None:
    slow = decide(position(), STEADY, [offer(lead_time_days=9)], Policy())

    assert slow.lead_time_days == 9 and slow.reorder_point == pytest.approx(90.0)


def test_a_plan_turns_reorders_into_keyed_purchase_orders() -> None:
    history = [DemandSeries(sku="TEA-001", warehouse_id="WH-SH", daily=STEADY)]
    covered = position(warehouse_id="WH-BJ", on_hand=500)
    decisions = plan([position(), covered], history, [offer()], Policy())

    (order,) = purchase_orders(decisions, "oms-replenishment-1:run-1", TODAY)

    assert order.idempotency_key == "oms-replenishment-1:run-1:TEA-001:WH-SH"
    assert (order.quantity, order.supplier_id) == (80, "SUP-A")
    assert order.expected_on == date(2026, 12, 8)
    assert [line.quantity for line in reorder_lines(decisions)] == [80]
    # WH-BJ has no history: its configured safety stock stays, so nothing changes.
    assert safety_stock_changes([position(), covered], decisions) == []


def test_only_moved_safety_stocks_are_written() -> None:
    decisions = plan(
        [position(safety_stock=5)],
        [DemandSeries(sku="TEA-001", warehouse_id="WH-SH", daily=STEADY)],
        [offer()],
        Policy(),
    )

    (level,) = safety_stock_changes([position(safety_stock=5)], decisions)

    assert level.safety_stock == 0  # steady demand: no forecast error to cover


def test_drift_makes_one_alert_listing_the_rows_and_none_without_it() -> None:
    rows = [
        DriftRow(
            sku=f"S-{i}",
            warehouse_id="WH",
            on_hand=5,
            reserved=0,
            ledger_on_hand=4,
            ledger_reserved=0,
        )
        for i in range(3)
    ]

    alert = drift_alert(rows, "rec-1", shown=2)

    assert drift_alert([], "rec-1") is None
    assert alert is not None and alert.event == "STOCK_DRIFT"
    assert alert.idempotency_key == "rec-1:drift"
    assert "3 stock rows differ" in alert.body and "... and 1 more" in alert.body
    assert "S-0@WH: counters on_hand 5 reserved 0, ledger on_hand 4 reserved 0" in alert.body
