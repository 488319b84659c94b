"""The ship-by deadline: a breach flags the order, alerts ops and raises its priority."""

from __future__ import annotations

from datetime import timedelta

from models.messages import CancelInput
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, view_of, wait_for_status
from workflows.order import OrderWorkflow


def _attrs(described):
    return {key.name: value for key, value in described.typed_search_attributes}


async def test_an_order_not_shipped_by_its_deadline_is_flagged(start_order, shop, env):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        before = await view_of(handle)
        await env.sleep(timedelta(hours=47))
        assert not (await view_of(handle)).sla.breached
        await env.sleep(timedelta(hours=2))
        after = await view_of(handle)
        described = await handle.describe()
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))
    assert after.sla.breached
    assert after.priority == before.priority + 25
    assert _attrs(described)["SlaBreached"] is True
    assert _attrs(described)["OrderPriority"] == after.priority
    alerts = [r for r in shop.records if r.alert_ops]
    assert [a.event for a in alerts] == ["SLA_BREACHED"]
    assert not alerts[0].notify_customer


async def test_an_expedited_order_has_a_24_hour_deadline(start_order, shop, env):
    async with start_order(make_order(shipping={"service_level": "expedited"})) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        await env.sleep(timedelta(hours=19))  # priority 70: 24 h window
        assert not (await view_of(handle)).sla.breached
        await env.sleep(timedelta(hours=6))
        assert (await view_of(handle)).sla.breached
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="test over"))


async def test_an_order_shipped_in_time_is_never_flagged(start_order, shop, env):
    async with start_order(make_order()) as handle:
        booked = await wait_for_status(handle, S.ALLOCATED)
        await deliver(handle, booked)
        await wait_for_status(handle, S.DELIVERED)
        final = await handle.result()  # skips past the deadline and the return window
    assert not final.sla.breached
    assert not [r for r in shop.records if r.alert_ops]
