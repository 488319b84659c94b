"""OrderWorkflow's main line with fake activities: delivery, tracking, carriers, rejection."""

from __future__ import annotations

from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, scan_all, tracking, wait_for_status, wait_until
from workflows.order import OrderWorkflow


async def test_happy_path_reaches_delivery_then_completes_after_the_return_window(
    start_order, shop, packed
):
    async with start_order(make_order()) as handle:
        allocated = await wait_for_status(handle, S.ALLOCATED)
        assert allocated.shipments[0].status == "PACKING"
        assert allocated.shipments[0].workflow_id == f"shipment-{allocated.order_id}-WH-SH"
        booked = await packed(handle)
        assert booked.allocations[0].warehouse_id == "WH-SH"
        assert booked.shipments[0].carrier == "ZTO"  # the cheapest standard carrier
        assert booked.payment.status == "AUTHORIZED"
        assert booked.sourcing is not None and booked.sourcing.candidates[0].chosen
        assert booked.sourcing.profile_version == "builtin-1"  # the fakes send no profile
        await deliver(handle, booked)
        delivered = await wait_for_status(handle, S.DELIVERED)
        assert delivered.payment.status == "CAPTURED"
        final = await handle.result()
    assert final.status == S.COMPLETED
    events = [entry.event for entry in final.timeline]
    for status in ("RECEIVED", "RESERVED", "ALLOCATED", "SHIPPED", "DELIVERED", "COMPLETED"):
        assert status in events
    for step in ("SHIPMENT_PACKED", "SHIPMENT_BOOKED", "PARCEL_PICKED_UP", "CAPTURED"):
        assert step in events
    assert shop.calls.count("ship_stock") == 1
    assert shop.calls.count("capture_payment") == 1
    assert shop.compensations() == []
    notified = [r.event for r in shop.records if r.notify_customer]
    assert notified == ["RECEIVED", "RESERVED", "ALLOCATED", "SHIPPED", "DELIVERED", "SURVEY_SENT"]


async def test_search_attributes_follow_the_order(start_order, env, packed):
    async with start_order(
        make_order(customer={**make_order().customer.model_dump(), "tier": "vip"})
    ) as handle:
        await packed(handle)
        described = await handle.describe()
    attrs = {key.name: value for key, value in described.typed_search_attributes}
    assert attrs["OrderStatus"] == "ALLOCATED"
    assert attrs["CustomerTier"] == "vip"
    assert attrs["OrderPriority"] == 70
    assert attrs["Warehouses"] == ["WH-SH"]
    assert attrs["Carrier"] == "ZTO"
    assert attrs["SlaBreached"] is False


async def test_a_duplicate_tracking_event_forwarded_by_the_order_is_ignored(start_order, packed):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        pickup = tracking(booked, "PICKED_UP")
        await handle.signal(OrderWorkflow.carrier_event, pickup)
        await handle.signal(OrderWorkflow.carrier_event, pickup)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "IN_TRANSIT"))
        await wait_for_status(handle, S.SHIPPED)
        view = await wait_until(
            handle, lambda v: "PARCEL_IN_TRANSIT" in [e.event for e in v.timeline]
        )
    parcel_events = [e.event for e in view.timeline if e.event.startswith("PARCEL_")]
    assert parcel_events == ["PARCEL_PICKED_UP", "PARCEL_IN_TRANSIT"]


async def test_an_unavailable_carrier_falls_back_to_the_next(start_order, shop, packed):
    shop.unavailable_carriers.add("ZTO")
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
    assert booked.shipments[0].carrier == "SF"
    assert shop.calls.count("book_shipment:ZTO") == 1
    assert "CARRIER_FALLBACK" in [e.event for e in booked.timeline]


async def test_no_carrier_at_all_cancels_and_undoes_payment_and_stock(start_order, shop, env):
    shop.unavailable_carriers.update({"ZTO", "SF"})
    async with start_order(make_order()) as handle:
        await scan_all(env.client, handle)
        final = await handle.result()
    assert final.status == S.CANCELLED
    assert "no carrier can take the parcel" in (final.cancel_reason or "")
    assert shop.compensations() == ["void_payment", "release_stock"]


async def test_an_order_with_an_unknown_sku_is_rejected_without_touching_stock(start_order, shop):
    shop.unknown_skus.add("TEA-001")
    async with start_order(make_order()) as handle:
        final = await handle.result()
    assert final.status == S.REJECTED
    assert "lines[0].sku" in (final.cancel_reason or "")
    assert "reserve_stock" not in shop.calls


async def test_a_multi_warehouse_order_ships_one_parcel_per_warehouse(start_order, shop, packed):
    shop.stock = {("WH-SH", "TEA-001"): 5, ("WH-BJ", "SNK-001"): 5}
    lines = [
        {"sku": "TEA-001", "quantity": 1, "unit_price": "59.90"},
        {"sku": "SNK-001", "quantity": 2, "unit_price": "9.90"},
    ]
    async with start_order(make_order(lines=lines)) as handle:
        booked = await packed(handle)
        assert sorted(s.warehouse_id for s in booked.shipments) == ["WH-BJ", "WH-SH"]
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "PICKED_UP", index=0))
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "DELIVERED", index=0))
        shipped = await wait_for_status(handle, S.SHIPPED)
        assert shipped.status == S.SHIPPED  # one parcel delivered is not the order delivered
        await deliver(handle, booked)
        await wait_for_status(handle, S.DELIVERED)
    assert shop.calls.count("ship_stock") == 2


async def test_a_step_that_keeps_failing_gives_up_and_compensates(start_order, shop, env):
    shop.broken.add("book_shipment")
    async with start_order(make_order()) as handle:
        await scan_all(env.client, handle)
        final = await handle.result()  # time skips through the bounded retries
    assert final.status == S.CANCELLED
    assert shop.calls.count("book_shipment:ZTO") == 10  # BOUNDED_RETRY.maximum_attempts
    assert shop.compensations() == ["void_payment", "release_stock"]


async def test_a_catalog_outage_is_not_a_rejection(start_order, shop):
    shop.broken.add("validate_order")
    async with start_order(make_order()) as handle:
        final = await handle.result()
    assert final.status == S.CANCELLED and "step failed" in (final.cancel_reason or "")
    assert "reserve_stock" not in shop.calls
