"""Returns: within the window a pickup, restock and refund; after it, a refusal."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.messages import CarrierEvent
from models.returns import ReturnRequestInput
from models.status import OrderStatus as S
from models.view import LineView, OrderView
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, wait_for_status, wait_until
from workflows.order import OrderWorkflow

# Two lines, so a return of one is a partial refund: 2 x 59.90 + 1 x 30.00.
LINES = [
    {"sku": "TEA-001", "quantity": 2, "unit_price": "59.90"},
    {"sku": "TEA-002", "quantity": 1, "unit_price": "30.00"},
]
STOCK = {("WH-SH", "TEA-001"): 10, ("WH-SH", "TEA-002"): 10}


def back(view: OrderView, status: str, *, event_id: str | None = None) -> CarrierEvent:
    rma = view.returns[-1]
    return CarrierEvent(
        event_id=event_id or f"{rma.rma_id}:{status}",
        carrier=rma.carrier,
        tracking_number=rma.tracking_number,
        status=status,
        at=datetime.now(UTC),
    )


async def delivered(handle, packed) -> OrderView:
    await deliver(handle, await packed(handle))
    return await wait_for_status(handle, S.DELIVERED)


def one_tea(reason: str = "too strong") -> ReturnRequestInput:
    return ReturnRequestInput(lines=[LineView(sku="TEA-001", quantity=1)], reason=reason)


async def test_a_return_within_the_window_is_collected_restocked_and_refunded(
    start_order, shop, packed
):
    shop.stock.update(STOCK)
    async with start_order(make_order(lines=LINES)) as handle:
        await delivered(handle, packed)
        result = await handle.execute_update(OrderWorkflow.request_return, one_tea())
        assert result.accepted and result.rma_id.startswith("RMA-")
        view = await wait_until(handle, lambda v: v.returns[0].status == "AWAITING_PICKUP")
        for status in ("PICKED_UP", "PICKED_UP", "DELIVERED"):  # one duplicate
            await handle.signal(OrderWorkflow.carrier_event, back(view, status))
        view = await wait_until(handle, lambda v: v.returns[0].status == "REFUNDED")
        final = await handle.result()
    rma = view.returns[0]
    assert rma.amount == Decimal("59.90") and rma.warehouse_id == "WH-SH"
    assert len(rma.events) == 2  # the duplicate pickup event was ignored
    assert [r.amount for r in shop.refunds] == [Decimal("59.90")]
    assert [(v.kind, v.amount) for v in shop.vouchers if v.kind == "refund"] == [
        ("refund", Decimal("59.90"))
    ]
    assert shop.stock[("WH-SH", "TEA-001")] == 10 - 2 + 1
    assert final.status == S.COMPLETED and final.payment.status == "PARTIALLY_REFUNDED"
    events = [r.event for r in shop.records]
    assert events.index("RETURN_REQUESTED") < events.index("RETURN_BOOKED")
    assert events.index("RETURN_BOOKED") < events.index("RETURN_REFUNDED")
    assert events.index("RETURN_REFUNDED") < events.index("COMPLETED")


async def test_a_return_after_seven_days_is_refused(start_order, env, packed):
    async with start_order(make_order()) as handle:
        await delivered(handle, packed)
        await env.sleep(timedelta(days=7, hours=1))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(OrderWorkflow.request_return, one_tea())
        final = await handle.result()
    assert "return window closed" in str(refused.value.cause)
    assert final.returns == [] and final.status == S.COMPLETED


async def test_a_return_of_more_than_was_delivered_or_before_delivery_is_refused(
    start_order, packed
):
    async with start_order(make_order()) as handle:
        with pytest.raises(WorkflowUpdateFailedError) as early:
            await handle.execute_update(OrderWorkflow.request_return, one_tea())
        await delivered(handle, packed)
        too_many = ReturnRequestInput(lines=[LineView(sku="TEA-001", quantity=3)], reason="x")
        with pytest.raises(WorkflowUpdateFailedError) as excess:
            await handle.execute_update(OrderWorkflow.request_return, too_many)
        stranger = ReturnRequestInput(lines=[LineView(sku="NOPE-1", quantity=1)], reason="x")
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await handle.execute_update(OrderWorkflow.request_return, stranger)
        both = ReturnRequestInput(lines=[LineView(sku="TEA-001", quantity=2)], reason="x")
        assert (await handle.execute_update(OrderWorkflow.request_return, both)).accepted
        with pytest.raises(WorkflowUpdateFailedError) as again:
            await handle.execute_update(OrderWorkflow.request_return, one_tea())
    assert "only a delivered order" in str(early.value.cause)
    assert "only 2 x TEA-001" in str(excess.value.cause)
    assert "NOPE-1 is not in this order" in str(unknown.value.cause)
    assert "only 0 x TEA-001" in str(again.value.cause)


async def test_a_return_that_never_arrives_expires_without_a_refund(start_order, shop, packed):
    async with start_order(make_order()) as handle:
        await delivered(handle, packed)
        await handle.execute_update(OrderWorkflow.request_return, one_tea())
        final = await handle.result()  # time skips past the 14 days the parcel may take
    assert final.returns[0].status == "EXPIRED"
    assert shop.refunds == [] and "restock_return" not in shop.calls
    expired = [r for r in shop.records if r.event == "RETURN_EXPIRED"]
    assert len(expired) == 1 and expired[0].alert_ops and expired[0].notify_customer


async def test_a_return_no_carrier_takes_fails_and_alerts_ops(start_order, shop, packed):
    async with start_order(make_order()) as handle:
        await delivered(handle, packed)
        shop.unavailable_carriers.update({"ZTO", "SF"})
        await handle.execute_update(OrderWorkflow.request_return, one_tea())
        final = await handle.result()
    assert final.returns[0].status == "FAILED" and shop.refunds == []
    assert [r.event for r in shop.records if r.alert_ops][-1] == "RETURN_FAILED"


async def test_a_return_asked_the_moment_the_order_is_delivered_waits_for_the_window(
    start_order, shop, packed
):
    gate = shop.gate("record_status:DELIVERED")
    async with start_order(make_order()) as handle:
        await deliver(handle, await packed(handle))
        await shop.entered["record_status:DELIVERED"].wait()
        await wait_for_status(handle, S.DELIVERED)  # seen before the window opened
        asking = asyncio.create_task(handle.execute_update(OrderWorkflow.request_return, one_tea()))
        await asyncio.sleep(0.5)
        gate.set()
        result = await asking
    assert result.accepted and result.rma_id
