"""The SLA ladder: warning at 80%, breach at the deadline, hard breach a day later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.messages import CancelInput, ExtendSlaInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, tracking, view_of, wait_for_status
from workflows.order import OrderWorkflow


def _attrs(described):
    return {key.name: value for key, value in described.typed_search_attributes}


def _alerts(shop):
    return [r.event for r in shop.records if r.alert_ops]


async def test_every_rung_of_the_ladder_fires_in_turn(start_order, shop, env):
    async with start_order(make_order()) as handle:
        before = await wait_for_status(handle, S.ALLOCATED)
        await env.sleep(timedelta(hours=38))  # 80% of 48 h is 38.4 h
        assert _alerts(shop) == []
        await env.sleep(timedelta(hours=1))
        assert _alerts(shop) == ["SLA_WARNING"]
        assert not (await view_of(handle)).sla.breached
        await env.sleep(timedelta(hours=10))  # past 48 h
        after = await view_of(handle)
        described = await handle.describe()
        assert _alerts(shop) == ["SLA_WARNING", "SLA_BREACHED"]
        await env.sleep(timedelta(hours=24))  # a day after the deadline
        final = await view_of(handle)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert after.sla.breached and after.priority == before.priority + 25
    assert _attrs(described)["SlaBreached"] is True
    assert _attrs(described)["OrderPriority"] == after.priority
    assert final.sla.rungs == ["SLA_WARNING", "SLA_BREACHED", "SLA_HARD_BREACH"]
    apology = [r for r in shop.records if r.event == "SLA_HARD_BREACH"][0]
    assert apology.notify_customer and "coupon SORRY-" in apology.detail
    assert "11.98" in apology.detail  # 10% of 119.80
    breach = [r for r in shop.records if r.event == "SLA_BREACHED"][0]
    assert not breach.notify_customer


async def test_an_expedited_order_has_a_24_hour_deadline(start_order, shop, env):
    async with start_order(make_order(shipping={"service_level": "expedited"})) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        await env.sleep(timedelta(hours=23))  # priority 70: 24 h window
        assert not (await view_of(handle)).sla.breached
        await env.sleep(timedelta(hours=2))
        assert (await view_of(handle)).sla.breached
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))


async def test_ops_can_move_the_deadline_and_the_ladder_follows(start_order, shop, env):
    async with start_order(make_order()) as handle:
        booked = await wait_for_status(handle, S.ALLOCATED)
        moved = await handle.execute_update(
            OrderWorkflow.extend_sla,
            ExtendSlaInput(hours=24, operator="ops-li", reason="warehouse stocktake"),
        )
        assert moved.ship_by == booked.sla.ship_by + timedelta(hours=24)
        await env.sleep(timedelta(hours=50))  # past the old deadline, before the new one
        assert not (await view_of(handle)).sla.breached
        await env.sleep(timedelta(hours=23))
        assert (await view_of(handle)).sla.breached
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    extended = [r for r in shop.records if r.event == "SLA_EXTENDED"]
    assert len(extended) == 1 and extended[0].actor == "ops-li"
    assert "warehouse stocktake" in extended[0].detail


async def test_a_shipped_order_has_no_deadline_to_extend_and_is_never_flagged(
    start_order, shop, env, packed
):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await handle.signal(OrderWorkflow.carrier_event, tracking(booked, "PICKED_UP"))
        await wait_for_status(handle, S.SHIPPED)
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(
                OrderWorkflow.extend_sla, ExtendSlaInput(hours=5, operator="ops-li")
            )
        await deliver(handle, booked)
        final = await handle.result()  # skips past the deadline and the return window
    assert not final.sla.breached and final.sla.rungs == []
    assert _alerts(shop) == []
