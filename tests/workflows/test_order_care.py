"""Risk holds, complaints and the satisfaction survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from models.messages import (
    CancelInput,
    ComplaintAnswerInput,
    ComplaintInput,
    HoldReviewInput,
    SurveyAnswerInput,
    VerifyIdentityInput,
)
from models.status import OrderStatus as S
from tests.workflows.conftest import make_order
from tests.workflows.helpers import deliver, view_of, wait_for_status
from workflows.order import OrderWorkflow

# 55 x 100.00 (+40), a bulk line (+25), a recipient who is not the customer (+15): high.
RISKY = {
    "lines": [{"sku": "TEA-001", "quantity": 55, "unit_price": "100.00"}],
    "shipping_address": {
        **make_order().shipping_address.model_dump(),
        "recipient": "Someone Else",
    },
}
REVIEW = HoldReviewInput(operator="ops-wang", note="called the customer")


async def test_a_risky_order_waits_on_hold_until_ops_approve(start_order, shop):
    async with start_order(make_order(**RISKY)) as handle:
        held = await wait_for_status(handle, S.ON_HOLD)
        assert held.risk_level == "high" and "reserve_stock" not in shop.calls
        answer = await handle.execute_update(OrderWorkflow.approve_hold, REVIEW)
        booked = await wait_for_status(handle, S.ALLOCATED)
        with pytest.raises(WorkflowUpdateFailedError):  # no longer on hold
            await handle.execute_update(OrderWorkflow.approve_hold, REVIEW)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    assert answer.accepted and answer.status != "ON_HOLD"
    assert booked.allocations
    approved = [r for r in shop.records if r.event == "HOLD_APPROVED"]
    assert approved[0].actor == "ops-wang" and "called the customer" in approved[0].detail


async def test_ops_can_reject_a_held_order(start_order, shop):
    async with start_order(make_order(**RISKY)) as handle:
        await wait_for_status(handle, S.ON_HOLD)
        answer = await handle.execute_update(OrderWorkflow.reject_hold, REVIEW)
        final = await handle.result()
    assert answer.status == "REJECTED" and final.status == S.REJECTED
    assert "ops-wang" in (final.cancel_reason or "")
    assert shop.compensations() == [] and "reserve_stock" not in shop.calls


async def test_the_customer_can_verify_identity_to_release_the_hold(start_order, shop):
    async with start_order(make_order(**RISKY)) as handle:
        await wait_for_status(handle, S.ON_HOLD)
        await handle.signal(
            OrderWorkflow.verify_identity, VerifyIdentityInput(method="sms_code", reference="829")
        )
        await wait_for_status(handle, S.ALLOCATED)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    approved = [r for r in shop.records if r.event == "HOLD_APPROVED"]
    assert approved[0].actor == "customer" and "sms_code" in approved[0].detail


async def test_an_unreviewed_hold_cancels_after_a_day(start_order, shop):
    async with start_order(make_order(**RISKY)) as handle:
        final = await handle.result()
    assert final.status == S.CANCELLED and "24 hours" in (final.cancel_reason or "")


async def test_hold_decisions_are_refused_for_an_order_not_on_hold(start_order):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(OrderWorkflow.reject_hold, REVIEW)
        assert "not on hold" in str(refused.value.cause)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))


async def test_a_complaint_is_recorded_alerts_ops_and_is_answered(start_order, shop):
    async with start_order(make_order()) as handle:
        await wait_for_status(handle, S.ALLOCATED)
        filed = await handle.execute_update(
            OrderWorkflow.file_complaint, ComplaintInput(category="delivery", text="where is it?")
        )
        answer = ComplaintAnswerInput(
            complaint_id=filed.complaint_id, operator="ops-li", answer="it ships today"
        )
        await handle.execute_update(OrderWorkflow.answer_complaint, answer)
        with pytest.raises(WorkflowUpdateFailedError):  # already answered
            await handle.execute_update(OrderWorkflow.answer_complaint, answer)
        view = await view_of(handle)
        await handle.execute_update(OrderWorkflow.request_cancel, CancelInput(reason="over"))
    assert view.complaints[0].answer == "it ships today"
    assert view.complaints[0].answered_by == "ops-li"
    events = {r.event: r for r in shop.records}
    assert events["COMPLAINT"].alert_ops and events["COMPLAINT_ANSWERED"].notify_customer


async def test_the_survey_goes_out_three_days_after_delivery_and_takes_one_answer(
    start_order, shop, env, packed
):
    async with start_order(make_order()) as handle:
        booked = await packed(handle)
        await deliver(handle, booked)
        await wait_for_status(handle, S.DELIVERED)
        with pytest.raises(WorkflowUpdateFailedError):  # not sent yet
            await handle.execute_update(OrderWorkflow.answer_survey, SurveyAnswerInput(score=5))
        await env.sleep(timedelta(days=2))
        assert "SURVEY_SENT" not in [r.event for r in shop.records]
        await env.sleep(timedelta(days=1, hours=1))
        assert (await view_of(handle)).survey.sent_at is not None
        result = await handle.execute_update(
            OrderWorkflow.answer_survey, SurveyAnswerInput(score=4, comment="fast")
        )
        with pytest.raises(WorkflowUpdateFailedError):  # one answer only
            await handle.execute_update(OrderWorkflow.answer_survey, SurveyAnswerInput(score=1))
        final = await handle.result()
    assert result.accepted and final.survey.score == 4
    assert final.status == S.COMPLETED
    sent = [r for r in shop.records if r.event == "SURVEY_SENT"]
    assert len(sent) == 1 and sent[0].notify_customer


async def test_a_blocked_customer_is_held_with_the_reason(start_order, shop):
    shop.history = shop.history.model_copy(update={"blocked": ["email"]})
    async with start_order(make_order()) as handle:
        view = await wait_for_status(handle, S.ON_HOLD)
        await handle.execute_update(OrderWorkflow.reject_hold, REVIEW)
        final = await handle.result()
    assert view.risk_level == "high"
    assert "on the block list: email" in view.timeline[-1].detail
    assert final.status == S.REJECTED
