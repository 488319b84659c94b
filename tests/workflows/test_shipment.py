"""ShipmentWorkflow as the order's child: packing scans, booking, tracking, capture, delays."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from models.messages import CancelInput, ScanItemInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import (
    parcel,
    parcel_view,
    tracking,
    view_of,
    wait_for_status,
    wait_until,
)
from workflows.order import OrderWorkflow
from workflows.shipment import ShipmentWorkflow

TWO_WAREHOUSES = [
    {"sku": "TEA-001", "quantity": 1, "unit_price": "59.90"},
    {"sku": "SNK-001", "quantity": 2, "unit_price": "9.90"},
]


async def _refusal(child, sku: str, quantity: int = 1) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await child.execute_update(
            ShipmentWorkflow.scan_item, ScanItemInput(sku=sku, quantity=quantity)
        )
    return str(refused.value.cause)


async def test_a_wrong_sku_or_an_extra_unit_is_refused_and_nothing_books_until_complete(
    start_order, shop, env
):
    async with start_order(make_order()) as handle:  # 2 x TEA-001
        view = await wait_for_status(handle, S.ALLOCATED)
        child = parcel(env.client, view)
        assert "COF-009 is not in this parcel" in await _refusal(child, "COF-009")
        assert "more than the 2 still expected" in await _refusal(child, "TEA-001", 3)
        first = await child.execute_update(ShipmentWorkflow.scan_item, ScanItemInput(sku="TEA-001"))
        assert (first.accepted, first.remaining) == (True, 1)
        assert "more than the 1 still expected" in await _refusal(child, "TEA-001", 2)
        half = await parcel_view(child)
        assert half.status == "PACKING" and half.scanned[0].quantity == 1
        assert not [c for c in shop.calls if c.startswith("book_shipment")]
        last = await child.execute_update(ShipmentWorkflow.scan_item, ScanItemInput(sku="TEA-001"))
        assert (last.remaining, last.message) == (0, "parcel complete")
        booked = await wait_until(handle, lambda v: v.shipments[0].status == "BOOKED")
        assert "not being packed" in await _refusal(child, "TEA-001")
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    assert booked.shipments[0].carrier == "ZTO"
    assert [p.workflow_id for p in shop.parcels] == [view.shipments[0].workflow_id]


async def test_a_carrier_that_is_down_falls_back_inside_the_child(start_order, shop, env, packed):
    shop.unavailable_carriers.add("ZTO")
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        child = await parcel_view(parcel(env.client, booked))
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    assert (child.carrier, child.status) == ("SF", "BOOKED")
    assert shop.calls.count("book_shipment:ZTO") == shop.calls.count("book_shipment:SF") == 1
    fallback = [e for e in booked.timeline if e.event == "CARRIER_FALLBACK"]
    assert len(fallback) == 1 and "ZTO is down" in fallback[0].detail


async def test_a_duplicate_tracking_event_sent_to_the_child_is_ignored(
    start_order, shop, env, packed
):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        child = parcel(env.client, booked)
        pickup = tracking(booked, "PICKED_UP")
        for event in (pickup, pickup, tracking(booked, "IN_TRANSIT"), pickup):
            await child.signal(ShipmentWorkflow.carrier_event, event)
        view = await wait_until(
            handle, lambda v: "PARCEL_IN_TRANSIT" in [e.event for e in v.timeline]
        )
        moved = await parcel_view(child)
    parcel_events = [e.event for e in view.timeline if e.event.startswith("PARCEL_")]
    assert parcel_events == ["PARCEL_PICKED_UP", "PARCEL_IN_TRANSIT"]
    assert moved.status == "IN_TRANSIT"  # the late PICKED_UP copy never moves it back
    assert shop.calls.count("ship_stock") == shop.calls.count("capture_payment") == 1


async def test_each_parcel_captures_its_own_share_at_pickup(start_order, shop, env, packed):
    shop.stock = {("WH-SH", "TEA-001"): 5, ("WH-BJ", "SNK-001"): 5}
    order = make_order(lines=TWO_WAREHOUSES)
    async with start_order(order) as handle:
        booked = await packed(handle)
        by_house = {s.warehouse_id: i for i, s in enumerate(booked.shipments)}
        first = parcel(env.client, booked, by_house["WH-BJ"])
        await first.signal(
            ShipmentWorkflow.carrier_event, tracking(booked, "PICKED_UP", index=by_house["WH-BJ"])
        )
        shipped = await wait_until(handle, lambda v: v.payment.status == "PARTIALLY_CAPTURED")
        assert shipped.status == S.SHIPPED
        for index in range(2):
            for status in ("PICKED_UP", "DELIVERED"):
                await handle.signal(
                    OrderWorkflow.carrier_event, tracking(booked, status, index=index)
                )
        delivered = await wait_for_status(handle, S.DELIVERED)
    amounts = {c.idempotency_key: c.amount for c in shop.captures}
    assert amounts == {
        f"{order.order_id}:capture:WH-BJ": Decimal("19.80"),
        f"{order.order_id}:capture:WH-SH": Decimal("59.90"),
    }
    assert sum(amounts.values()) == order.total
    assert delivered.payment.status == "CAPTURED"
    assert {s.payment_status for s in delivered.shipments} == {"CAPTURED"}
    # The journal got a capture voucher per parcel and a shipping cost per booking.
    captured = [v for v in shop.vouchers if v.kind == "capture"]
    assert sorted(v.amount for v in captured) == sorted(amounts.values())
    assert {v.vat_rate for v in captured} == {Decimal("0.13")}
    costs = [v for v in shop.vouchers if v.kind == "shipping_cost"]
    assert len(costs) == 2 and all(v.amount > 0 for v in costs)


async def test_the_delay_watchdog_alerts_ops_and_tells_the_customer_once(
    start_order, shop, env, packed
):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await env.sleep(timedelta(hours=23))
        assert "SHIPMENT_DELAYED" not in [r.event for r in shop.records]
        await env.sleep(timedelta(hours=2))  # a day after booking without a pickup
        await wait_until(handle, lambda v: v.shipments[0].delays == 1)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "PICKED_UP"))
        await wait_for_status(handle, S.SHIPPED)
        await env.sleep(timedelta(hours=25))  # then a day in transit without news
        view = await wait_until(handle, lambda v: v.shipments[0].delays == 2)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "DELIVERED"))
        await wait_for_status(handle, S.DELIVERED)
    delays = [r for r in shop.records if r.event == "SHIPMENT_DELAYED"]
    assert [r.alert_ops for r in delays] == [True, True]
    assert [r.notify_customer for r in delays] == [True, False]  # the customer hears once
    assert "no pickup for 24 h" in delays[0].detail
    assert "no tracking update for 24 h" in delays[1].detail
    assert [e.event for e in view.timeline].count("SHIPMENT_DELAYED") == 2


async def test_a_delay_the_carrier_reports_alerts_ops_and_tells_the_customer(
    start_order, shop, packed
):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "PICKED_UP"))
        delay = tracking(booked, "EXCEPTION").model_copy(update={"note": "storm at the hub"})
        await handle.signal(OrderWorkflow.carrier_event, delay)
        await handle.signal(OrderWorkflow.carrier_event, delay)  # the same event again
        view = await wait_until(handle, lambda v: v.shipments[0].delays == 1)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "DELIVERED"))
        await wait_for_status(handle, S.DELIVERED)
    assert view.shipments[0].status == "PICKED_UP"  # an exception moves no status
    (delayed,) = [r for r in shop.records if r.event == "SHIPMENT_DELAYED"]
    assert delayed.alert_ops and delayed.notify_customer
    assert "storm at the hub at Shanghai hub" in delayed.detail


async def test_cancel_while_packing_cancels_the_child_and_compensates(start_order, shop, env):
    shop.stock = {("WH-SH", "TEA-001"): 5, ("WH-BJ", "SNK-001"): 5}
    async with start_order(make_order(lines=TWO_WAREHOUSES)) as handle:
        view = await wait_for_status(handle, S.ALLOCATED)
        result = await handle.execute_update(OrderWorkflow.request_cancel, CancelInput())
        final = await handle.result()
        children = [await parcel(env.client, view, i).describe() for i in range(2)]
    assert result.accepted and final.status == S.CANCELLED
    assert shop.compensations() == ["void_payment", "release_stock"]
    assert {c.status for c in children} == {WorkflowExecutionStatus.CANCELED}
    assert {s.status for s in final.shipments} == {"CANCELLED"}


async def test_cancel_with_one_parcel_booked_and_one_packing_cancels_the_booking(
    start_order, shop, env
):
    shop.stock = {("WH-SH", "TEA-001"): 5, ("WH-BJ", "SNK-001"): 5}
    async with start_order(make_order(lines=TWO_WAREHOUSES)) as handle:
        view = await wait_for_status(handle, S.ALLOCATED)
        index = next(i for i, s in enumerate(view.shipments) if s.warehouse_id == "WH-SH")
        child = parcel(env.client, view, index)
        await child.execute_update(
            ShipmentWorkflow.scan_item, ScanItemInput(sku="TEA-001", quantity=1)
        )
        await wait_until(handle, lambda v: v.shipments[index].status == "BOOKED")
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput())
        final = await view_of(handle)
    assert shop.compensations() == ["cancel_shipment", "void_payment", "release_stock"]
    assert {s.status for s in final.shipments} == {"CANCELLED"}


async def test_scans_after_the_order_is_cancelled_are_refused(start_order, env):
    async with start_order(make_order()) as handle:
        view = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput())
        await handle.result()
        with pytest.raises(Exception):  # noqa: B017 - closed workflow: an RPC error
            await parcel(env.client, view).execute_update(
                ShipmentWorkflow.scan_item, ScanItemInput(sku="TEA-001")
            )
