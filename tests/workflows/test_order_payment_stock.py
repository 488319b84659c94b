"""Declines and the re-payment window; short stock, restock, races and the backorder window."""

from __future__ import annotations

from models.messages import CancelInput, RestockInput, RetryPaymentInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import wait_for_status
from workflows.order import OrderWorkflow

DECLINED = {"method": "card", "token": "tok_decline"}


async def test_a_declined_payment_keeps_stock_and_a_new_card_goes_through(start_order, shop):
    async with start_order(make_order(payment=DECLINED)) as handle:
        waiting = await wait_for_status(handle, S.AWAITING_PAYMENT)
        assert waiting.payment.status == "DECLINED"
        await handle.signal(
            OrderWorkflow.retry_payment, RetryPaymentInput(method="card", token="tok_ok")
        )
        booked = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert booked.payment.status == "AUTHORIZED"
    assert shop.calls.count("authorize_payment") == 2
    assert shop.calls.count("reserve_stock") == 1


async def test_a_declined_payment_not_retried_within_the_window_cancels_and_releases(
    start_order, shop
):
    async with start_order(make_order(payment=DECLINED)) as handle:
        final = await handle.result()  # time skips through the one-hour window
    assert final.status == S.CANCELLED
    assert "window" in (final.cancel_reason or "")
    assert shop.compensations() == ["release_stock"]
    assert [r.event for r in shop.records if r.notify_customer][-2:] == [
        "AWAITING_PAYMENT",
        "CANCELLED",
    ]


async def test_a_second_decline_keeps_waiting_in_the_window(start_order, shop):
    async with start_order(make_order(payment=DECLINED)) as handle:
        await wait_for_status(handle, S.AWAITING_PAYMENT)
        await handle.signal(OrderWorkflow.retry_payment, RetryPaymentInput(**DECLINED))
        final = await handle.result()
    assert final.status == S.CANCELLED
    assert shop.calls.count("authorize_payment") == 2


async def test_out_of_stock_backorders_then_a_restock_reserves(start_order, shop):
    shop.stock = {("WH-SH", "TEA-001"): 1}
    async with start_order(make_order()) as handle:
        short = await wait_for_status(handle, S.BACKORDERED)
        assert short.allocations == []
        shop.stock[("WH-SH", "TEA-001")] = 20
        await handle.signal(
            OrderWorkflow.restock, RestockInput(sku="TEA-001", warehouse_id="WH-SH", quantity=19)
        )
        booked = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert booked.allocations[0].quantity == 2
    assert shop.calls.count("reserve_stock") == 1


async def test_a_backorder_without_restock_cancels_after_seven_days(start_order, shop):
    shop.stock = {}
    async with start_order(make_order()) as handle:
        final = await handle.result()
    assert final.status == S.CANCELLED
    assert "7 days" in (final.cancel_reason or "")
    assert shop.compensations() == []  # nothing was reserved, nothing to release


async def test_a_cancel_while_backordered_needs_no_compensation(start_order, shop):
    shop.stock = {}
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.BACKORDERED)
        result = await handle.execute_update(OrderWorkflow.request_cancel, CancelInput())
    assert result.status == "CANCELLED"
    assert shop.compensations() == []


async def test_stock_taken_between_read_and_reserve_is_planned_again(start_order, shop):
    shop.reserve_races = 1
    async with start_order(make_order()) as handle:
        booked = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert booked.allocations
    assert shop.calls.count("reserve_stock") == 2
    assert shop.calls.count("get_stock_levels") == 2
