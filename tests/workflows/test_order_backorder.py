"""The customer's answer to a backorder: wait, take a similar item, or cancel."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.backorder import BackorderDecisionInput
from models.messages import CancelInput, RestockInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import view_of, wait_for_status
from workflows.order import OrderWorkflow

SHORT = {("WH-SH", "TEA-001"): 0, ("WH-SH", "TEA-002"): 10, ("WH-BJ", "TEA-003"): 1}


async def test_a_backordered_order_offers_similar_items_in_stock(start_order, shop):
    shop.stock = dict(SHORT)
    async with start_order(make_order()) as handle:
        view = await wait_for_status(handle, S.BACKORDERED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert view.backorder is not None
    assert view.backorder.short_skus and "TEA-001" in view.backorder.short_skus[0]
    # TEA-003 has 1 of the 2 needed: not offered.
    assert [(s.for_sku, s.sku) for s in view.backorder.substitutes] == [("TEA-001", "TEA-002")]
    assert [(e.sku, str(e.eta)) for e in view.backorder.restock] == [("TEA-001", "2026-12-20")]
    backordered = [r for r in shop.records if r.event == "BACKORDERED"][0]
    assert "TEA-002" in backordered.detail and backordered.notify_customer
    assert "TEA-001 expected by 2026-12-20" in backordered.detail


async def test_taking_a_substitute_reserves_it_instead(start_order, shop):
    shop.stock = dict(SHORT)
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.BACKORDERED)
        answer = await handle.execute_update(
            OrderWorkflow.backorder_decision,
            BackorderDecisionInput(choice="substitute", substitute_sku="TEA-002"),
        )
        booked = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert answer.accepted and "TEA-002" in answer.message
    assert [(a.sku, a.quantity) for a in booked.allocations] == [("TEA-002", 2)]
    assert [line.sku for line in booked.lines] == ["TEA-002"]
    assert booked.backorder is None


async def test_choosing_to_wait_keeps_the_order_until_restock(start_order, shop):
    shop.stock = dict(SHORT)
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.BACKORDERED)
        await handle.execute_update(
            OrderWorkflow.backorder_decision, BackorderDecisionInput(choice="wait")
        )
        waiting = await view_of(handle)
        assert waiting.status == S.BACKORDERED and waiting.backorder.decision == "wait"
        shop.stock[("WH-SH", "TEA-001")] = 5
        await handle.signal(
            OrderWorkflow.restock, RestockInput(sku="TEA-001", warehouse_id="WH-SH", quantity=5)
        )
        booked = await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert booked.allocations[0].sku == "TEA-001"


async def test_choosing_to_cancel_cancels_with_nothing_to_undo(start_order, shop):
    shop.stock = dict(SHORT)
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.BACKORDERED)
        await handle.execute_update(
            OrderWorkflow.backorder_decision, BackorderDecisionInput(choice="cancel")
        )
        final = await handle.result()
    assert final.status == S.CANCELLED
    assert "backorder" in (final.cancel_reason or "")
    assert shop.compensations() == []


async def test_decisions_that_do_not_apply_are_refused(start_order, shop):
    shop.stock = dict(SHORT)
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.BACKORDERED)
        with pytest.raises(WorkflowUpdateFailedError) as not_offered:
            await handle.execute_update(
                OrderWorkflow.backorder_decision,
                BackorderDecisionInput(choice="substitute", substitute_sku="TEA-003"),
            )
        assert "not offered" in str(not_offered.value.cause)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="done"))
    shop.stock[("WH-SH", "TEA-001")] = 10
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        with pytest.raises(WorkflowUpdateFailedError) as not_backordered:
            await handle.execute_update(
                OrderWorkflow.backorder_decision, BackorderDecisionInput(choice="wait")
            )
        assert "not backordered" in str(not_backordered.value.cause)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="done"))
