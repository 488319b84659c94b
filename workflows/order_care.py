"""Around the main line of OrderWorkflow: risk holds, the SLA ladder, complaints, survey.

A mixin, like order_steps.py; every ops action lands in the audit trail with the
operator as the actor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models import priority, returns, sla
    from models.backorder import DecisionResult
    from models.messages import (
        ComplaintAnswerInput,
        ComplaintInput,
        ComplaintResult,
        ExtendSlaInput,
        ExtendSlaResult,
        HoldReviewInput,
        SurveyAnswerInput,
        SurveyResult,
        VerifyIdentityInput,
    )
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.risk import RiskAssessment
    from models.status import OrderStatus
    from models.view import ComplaintView
    from workflows import search_attributes as sa
    from workflows.order_returns import RETURNS_PATCH
    from workflows.order_steps import OrderStopped

S = OrderStatus
HOLD_WINDOW = timedelta(hours=24)  # an unreviewed, unverified hold cancels after this
SURVEY_AFTER = timedelta(days=3)  # after delivery
SURVEY_WINDOW = timedelta(days=7)  # the survey can be answered this long


class HoldOutcome:
    def __init__(self, approved: bool, actor: str, note: str) -> None:
        self.approved, self.actor, self.note = approved, actor, note


class OrderCare:
    order: OrderDocument
    state: OrderState
    hold: HoldOutcome | None
    sla_changes: int
    returns_open: bool
    returns_decided: bool
    if TYPE_CHECKING:  # provided by OrderReturns, which comes later in the MRO

        async def _serve_returns(self) -> None: ...

    # Provided by OrderWorkflow.
    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None: ...
    async def _log_event(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None: ...
    async def _wait_or_stop(
        self, ready: Callable[[], bool], timeout: timedelta, summary: str
    ) -> None: ...

    # --- risk holds -----------------------------------------------------------------

    async def _hold_if_risky(self, assessment: RiskAssessment) -> None:
        if assessment.level != "high":
            return
        reasons = "; ".join(assessment.reasons)
        await self._record(S.ON_HOLD, f"risk score {assessment.score}: {reasons}")
        await self._wait_or_stop(lambda: self.hold is not None, HOLD_WINDOW, "hold review")
        if self.hold is None:
            raise OrderStopped(S.CANCELLED, "not reviewed or verified within 24 hours")
        verdict = "HOLD_APPROVED" if self.hold.approved else "HOLD_REJECTED"
        detail = f"by {self.hold.actor}" + (f": {self.hold.note}" if self.hold.note else "")
        await self._log_event(verdict, detail, notify=False, alert_ops=False, actor=self.hold.actor)
        if not self.hold.approved:
            raise OrderStopped(S.REJECTED, f"rejected after review {detail}")

    async def _decide_hold(self, approved: bool, review: HoldReviewInput) -> DecisionResult:
        self.hold = HoldOutcome(approved, review.operator, review.note)
        await workflow.wait_condition(lambda: self.state.status != S.ON_HOLD)
        verb = "released" if approved else "rejected"
        return DecisionResult(accepted=True, status=self.state.status.value, message=verb)

    @workflow.update(name="approve_hold")
    async def approve_hold(self, review: HoldReviewInput) -> DecisionResult:
        return await self._decide_hold(True, review)

    @workflow.update(name="reject_hold")
    async def reject_hold(self, review: HoldReviewInput) -> DecisionResult:
        return await self._decide_hold(False, review)

    @approve_hold.validator
    def _check_approve(self, review: HoldReviewInput) -> None:
        self._must_be_on_hold()

    @reject_hold.validator
    def _check_reject(self, review: HoldReviewInput) -> None:
        self._must_be_on_hold()

    def _must_be_on_hold(self) -> None:
        if self.state.status != S.ON_HOLD or self.hold is not None:
            raise ValueError(f"order is {self.state.status.lower()}, not on hold")

    @workflow.signal(name="verify_identity")
    def verify_identity(self, proof: VerifyIdentityInput) -> None:
        if self.state.status == S.ON_HOLD and self.hold is None:
            self.hold = HoldOutcome(True, "customer", f"verified by {proof.method}")

    # --- the SLA ladder -------------------------------------------------------------

    async def _watch_sla(self) -> None:
        """Fire each rung when its time comes, until the order ships or closes."""
        start, view = workflow.now(), self.state.view
        while not (self.state.shipped or self.state.closed):
            assert view.sla.ship_by is not None
            due = [
                (n, at) for n, at in sla.rungs(start, view.sla.ship_by) if n not in view.sla.rungs
            ]
            if not due:
                return
            name, at = due[0]
            changes = self.sla_changes
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda changes=changes: (  # type: ignore[misc]
                        self.state.shipped or self.state.closed or self.sla_changes != changes
                    ),
                    timeout=max(at - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=name.lower().replace("_", " "),
                )
                continue  # shipped, closed, or the deadline moved: look again
            view.sla.rungs.append(name)
            await self._climb(name)

    async def _climb(self, rung: str) -> None:
        view = self.state.view
        ship_by = f"{view.sla.ship_by:%Y-%m-%d %H:%M} UTC"
        if rung == "SLA_WARNING":
            await self._log_event(
                rung, f"80% of the time to {ship_by} is gone", notify=False, alert_ops=True
            )
        elif rung == "SLA_BREACHED":
            view.sla.breached = True
            view.priority = priority.escalate(view.priority)
            workflow.upsert_search_attributes(
                [sa.SLA_BREACHED.value_set(True), sa.ORDER_PRIORITY.value_set(view.priority)]
            )
            detail = f"not shipped by {ship_by}; priority {view.priority}"
            await self._log_event(rung, detail, notify=False, alert_ops=True)
        else:
            amount = sla.apology_coupon(self.order.total)
            coupon = f"SORRY-{self.order.order_id}"
            detail = f"we are sorry for the delay: coupon {coupon} worth {amount}"
            await self._log_event(rung, detail, notify=True, alert_ops=True)

    @workflow.update(name="extend_sla")
    async def extend_sla(self, request: ExtendSlaInput) -> ExtendSlaResult:
        sla_view = self.state.view.sla
        assert sla_view.ship_by is not None
        sla_view.ship_by += timedelta(hours=request.hours)
        self.sla_changes += 1
        detail = f"+{request.hours:g} h to {sla_view.ship_by:%Y-%m-%d %H:%M} UTC: {request.reason}"
        await self._log_event(
            "SLA_EXTENDED", detail, notify=False, alert_ops=False, actor=request.operator
        )
        return ExtendSlaResult(ship_by=sla_view.ship_by)

    @extend_sla.validator
    def _check_extend(self, request: ExtendSlaInput) -> None:
        if self.state.shipped or self.state.closed or self.state.view.sla.ship_by is None:
            raise ValueError(f"order is {self.state.status.lower()}: no ship-by deadline to move")

    # --- complaints and the survey --------------------------------------------------

    @workflow.update(name="file_complaint")
    async def file_complaint(self, complaint: ComplaintInput) -> ComplaintResult:
        complaints = self.state.view.complaints
        complaint_id = f"CMP-{self.order.order_id}-{len(complaints) + 1}"
        complaints.append(
            ComplaintView(
                complaint_id=complaint_id,
                category=complaint.category,
                text=complaint.text,
                at=workflow.now(),
            )
        )
        detail = f"{complaint_id} ({complaint.category})"
        await self._log_event("COMPLAINT", detail, notify=False, alert_ops=True, actor="customer")
        return ComplaintResult(complaint_id=complaint_id)

    @workflow.update(name="answer_complaint")
    async def answer_complaint(self, answer: ComplaintAnswerInput) -> DecisionResult:
        found = next(c for c in self.state.view.complaints if c.complaint_id == answer.complaint_id)
        found.answer, found.answered_by = answer.answer, answer.operator
        detail = f"{answer.complaint_id}: {answer.answer}"
        await self._log_event(
            "COMPLAINT_ANSWERED", detail, notify=True, alert_ops=False, actor=answer.operator
        )
        return DecisionResult(accepted=True, status=self.state.status.value, message="answered")

    @answer_complaint.validator
    def _check_answer(self, answer: ComplaintAnswerInput) -> None:
        open_ids = {c.complaint_id for c in self.state.view.complaints if c.answer is None}
        if answer.complaint_id not in open_ids:
            raise ValueError(f"complaint_id: no open complaint {answer.complaint_id}")

    async def _after_delivery(self) -> None:
        """The survey a few days after delivery; complete once returns and survey close."""
        survey = self.state.view.survey
        serving: asyncio.Task[None] | None = None
        if workflow.patched(RETURNS_PATCH):
            self.returns_open = True
            serving = asyncio.create_task(self._serve_returns())
        self.returns_decided = True
        await workflow.sleep(SURVEY_AFTER, summary="survey delay")
        survey.sent_at = workflow.now()
        await self._log_event("SURVEY_SENT", "how did we do?", notify=True, alert_ops=False)
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: survey.score is not None, timeout=SURVEY_WINDOW, timeout_summary="survey"
            )
        left = returns.RETURN_WINDOW - SURVEY_AFTER - (workflow.now() - survey.sent_at)
        if left > timedelta(0):
            await workflow.sleep(left, summary="return window")
        if serving is not None:
            self.returns_open = False
            await serving  # the returns already requested run to their end
        await self._record(S.COMPLETED, "return window and survey closed", notify=False)

    @workflow.update(name="answer_survey")
    async def answer_survey(self, answer: SurveyAnswerInput) -> SurveyResult:
        survey = self.state.view.survey
        survey.score, survey.comment = answer.score, answer.comment
        await self._log_event(
            "SURVEY_ANSWERED",
            f"score {answer.score}",
            notify=False,
            alert_ops=False,
            actor="customer",
        )
        return SurveyResult(accepted=True)

    @answer_survey.validator
    def _check_survey(self, answer: SurveyAnswerInput) -> None:
        survey = self.state.view.survey
        if survey.sent_at is None or survey.score is not None or self.state.closed:
            raise ValueError("no survey is open for this order")
