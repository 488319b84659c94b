"""Ops actions: retry a step that gave up, change the address; the order card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowUpdateFailedError

from models.messages import ChangeAddressInput, RetryStepInput
from models.order import Address
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, scan_all, view_of, wait_for_status, wait_until
from workflows.order import OrderWorkflow
from workflows.search_attributes import FAILED_STEP

RETRY_WAIT = timedelta(minutes=10)  # longer than the bounded retries of one step


def new_address() -> Address:
    old = make_order().shipping_address
    return old.model_copy(
        update={"city": "Hangzhou", "province": "Zhejiang", "postal_code": "310000"}
    )


async def test_ops_retry_a_step_that_gave_up_and_the_order_goes_on(start_order, shop, env):
    shop.broken.add("reserve_stock")
    async with start_order(make_order()) as handle:
        await env.sleep(RETRY_WAIT)
        view = await wait_until(handle, lambda v: v.failed_step == "reserve_stock")
        assert view.status == S.RECEIVED
        described = await handle.describe()
        assert described.typed_search_attributes.get(FAILED_STEP) == "reserve_stock"
        with pytest.raises(WorkflowUpdateFailedError) as wrong:
            await handle.execute_update(
                OrderWorkflow.retry_step, RetryStepInput(step="authorize_payment", operator="ops")
            )
        shop.broken.clear()
        result = await handle.execute_update(
            OrderWorkflow.retry_step, RetryStepInput(step="reserve_stock", operator="ops-zhao")
        )
        view = await wait_for_status(handle, S.ALLOCATED)
        described = await handle.describe()
    assert described.typed_search_attributes.get(FAILED_STEP) is None
    assert "authorize_payment has not failed" in str(wrong.value.cause)
    assert result.accepted and view.failed_step is None
    events = {r.event: r for r in shop.records}
    assert events["STEP_FAILED"].alert_ops and "reserve_stock" in events["STEP_FAILED"].detail
    assert events["STEP_RETRIED"].actor == "ops-zhao"


async def test_a_failed_step_nobody_retries_is_undone_after_a_day(start_order, shop):
    shop.broken.add("reserve_stock")
    async with start_order(make_order()) as handle:
        final = await handle.result()  # time skips through the retries and the 24 h
    assert final.status == S.CANCELLED and "step failed" in (final.cancel_reason or "")
    assert [r.event for r in shop.records].count("STEP_FAILED") == 1


async def test_retry_step_is_refused_when_nothing_failed(start_order):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                OrderWorkflow.retry_step, RetryStepInput(step="reserve_stock", operator="ops")
            )
    assert "no step is waiting" in str(refused.value.cause)


async def test_a_new_address_before_booking_is_where_the_parcel_is_booked(start_order, shop, env):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        change = ChangeAddressInput(shipping_address=new_address(), operator="ops-qian")
        result = await handle.execute_update(OrderWorkflow.change_address, change)
        await scan_all(env.client, handle)
        await wait_until(handle, lambda v: all(s.status == "BOOKED" for s in v.shipments))
    assert result.accepted and "Hangzhou" in result.message
    assert [b.address.city for b in shop.bookings] == ["Hangzhou"]
    changed = [r for r in shop.records if r.event == "ADDRESS_CHANGED"]
    assert changed[0].actor == "ops-qian" and changed[0].notify_customer


async def test_a_booked_parcel_is_redirected_and_a_shipped_order_refuses(start_order, shop, packed):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        change = ChangeAddressInput(shipping_address=new_address(), operator="ops-qian")
        await handle.execute_update(OrderWorkflow.change_address, change)
        await wait_until(
            handle, lambda v: any(t.event == "SHIPMENT_REDIRECTED" for t in v.timeline)
        )
        await deliver(handle, booked)
        await wait_for_status(handle, S.DELIVERED)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(OrderWorkflow.change_address, change)
    assert [(r.shipment_id, r.address.city) for r in shop.redirects] == [
        (booked.shipments[0].shipment_id, "Hangzhou")
    ]
    assert "cannot change once anything has shipped" in str(refused.value.cause)


async def test_the_order_card_shows_status_lines_and_what_it_waits_for(start_order, shop):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        view = await view_of(handle)
    details = metadata.current_details
    assert f"Order {view.order_id}: ALLOCATED" in details
    assert "2 x TEA-001" in details and "WH-SH" in details
    assert "waiting for: packing scans" in details
    assert "Li Lei" not in details  # no personal data on the card
