"""Cancellation at each stage: compensations run once each, in reverse order of the steps."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.messages import CancelInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, tracking, wait_for_status
from workflows.order import OrderWorkflow

CANCEL = CancelInput(reason="changed my mind")


async def test_cancel_before_stock_undoes_nothing(start_order, shop):
    release = shop.gate("validate_order")
    async with start_order(make_order()) as handle:
        await asyncio.wait_for(shop.entered["validate_order"].wait(), 10)
        pending = asyncio.create_task(handle.execute_update(OrderWorkflow.request_cancel, CANCEL))
        await asyncio.sleep(0.2)
        release.set()
        result = await asyncio.wait_for(pending, 15)
        final = await handle.result()
    assert (result.accepted, result.status, result.message) == (True, "CANCELLED", CANCEL.reason)
    assert final.status == S.CANCELLED
    assert "reserve_stock" not in shop.calls
    assert shop.compensations() == []


async def test_cancel_after_stock_releases_it_once(start_order, shop):
    declined = make_order(payment={"method": "card", "token": "tok_decline"})
    async with start_order(declined) as handle:
        await wait_for_status(handle, S.AWAITING_PAYMENT)
        result = await handle.execute_update(OrderWorkflow.request_cancel, CANCEL)
        final = await handle.result()
    assert result.accepted and final.status == S.CANCELLED
    assert shop.compensations() == ["release_stock"]


async def test_cancel_during_authorization_voids_then_releases(start_order, shop):
    release = shop.gate("authorize_payment")
    async with start_order(make_order()) as handle:
        await asyncio.wait_for(shop.entered["authorize_payment"].wait(), 10)
        await handle.signal(OrderWorkflow.cancel, CANCEL)
        await asyncio.sleep(0.2)
        release.set()
        final = await handle.result()
    assert final.status == S.CANCELLED
    assert final.payment.status == "VOIDED"
    assert shop.compensations() == ["void_payment", "release_stock"]


async def test_cancel_after_payment_and_booking_undoes_all_in_reverse(start_order, shop, packed):
    async with start_order(make_order()) as handle:
        await packed(handle)
        result = await handle.execute_update(OrderWorkflow.request_cancel, CANCEL)
        final = await handle.result()
    assert result.status == "CANCELLED"
    assert shop.compensations() == ["cancel_shipment", "void_payment", "release_stock"]
    assert final.shipments[0].status == "CANCELLED"
    cancelled = [r for r in shop.records if r.event == "CANCELLED"]
    assert len(cancelled) == 1 and cancelled[0].notify_customer


async def test_cancel_after_shipment_is_refused_by_the_validator(start_order, shop, packed):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "PICKED_UP"))
        await wait_for_status(handle, S.SHIPPED)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(OrderWorkflow.request_cancel, CANCEL)
        assert "already shipped" in str(refused.value.cause)
        await handle.signal(OrderWorkflow.cancel, CANCEL)  # the signal is ignored, and noted
        await deliver(handle, booked)
        final = await handle.result()
    assert final.status == S.COMPLETED
    assert "CANCEL_IGNORED" in [e.event for e in final.timeline]
    assert shop.compensations() == []


async def test_repeated_cancels_compensate_only_once(start_order, shop):
    release = shop.gate("authorize_payment")
    async with start_order(make_order()) as handle:
        await asyncio.wait_for(shop.entered["authorize_payment"].wait(), 10)
        await handle.signal(OrderWorkflow.cancel, CANCEL)
        await handle.signal(OrderWorkflow.cancel, CancelInput(reason="again"))
        pending = asyncio.create_task(handle.execute_update(OrderWorkflow.request_cancel, CANCEL))
        await asyncio.sleep(0.2)
        release.set()
        result = await asyncio.wait_for(pending, 15)
        final = await handle.result()
    assert result.accepted and final.cancel_reason == CANCEL.reason
    assert shop.compensations() == ["void_payment", "release_stock"]
