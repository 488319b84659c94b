"""Ops actions on a live order: change the address, retry a step that gave up; the card.

A mixin of OrderWorkflow. Both actions are updates with validators and land in the
audit trail with the operator. A step that gave up after its bounded retries (a fault,
not a business answer such as a declined card) waits up to 24 hours for `retry_step`
before the order is compensated.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import order_card
    from models.messages import CancelInput, ChangeAddressInput, OpsResult, RetryStepInput
    from models.order import OrderDocument
    from models.order_state import OrderState
    from workflows import search_attributes as sa
    from workflows.order_steps import failure_reason

RETRY_PATCH = "retry-step"  # before it, a step that gave up compensated at once
RETRY_WINDOW = timedelta(hours=24)


class OrderOps:
    order: OrderDocument
    state: OrderState
    cancel_request: CancelInput | None
    children: dict[str, Any]
    compensating: bool
    retry_by: str | None  # the operator who asked to retry the failed step

    # Provided by OrderWorkflow.
    async def _log_event(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None: ...

    def _show_card(self) -> None:
        workflow.set_current_details(order_card.card(self.state.view))

    # --- retry_step -----------------------------------------------------------------

    async def _retry_allowed(self, step: str, failure: ActivityError) -> bool:
        """Wait for ops to retry the step; False when it must fail (business answer, timeout)."""
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.non_retryable:
            return False  # an answer, not a fault: retrying cannot change it
        if not workflow.patched(RETRY_PATCH):
            return False
        view, self.retry_by = self.state.view, None
        view.failed_step = step
        workflow.upsert_search_attributes([sa.FAILED_STEP.value_set(step)])
        detail = f"{step}: {failure_reason(failure)}; retry_step within 24 h or it is undone"
        await self._log_event("STEP_FAILED", detail, notify=False, alert_ops=True)
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                lambda: (
                    self.retry_by is not None
                    or (self.cancel_request is not None and not self.compensating)
                ),
                timeout=RETRY_WINDOW,
                timeout_summary=f"ops retry of {step}",
            )
        operator, self.retry_by, view.failed_step = self.retry_by, None, None
        workflow.upsert_search_attributes([sa.FAILED_STEP.value_unset()])
        if operator is None:
            self._show_card()
            return False
        await self._log_event("STEP_RETRIED", step, notify=False, alert_ops=False, actor=operator)
        return True

    @workflow.update(name="retry_step")
    def retry_step(self, request: RetryStepInput) -> OpsResult:
        self.retry_by = request.operator
        return OpsResult(accepted=True, message=f"retrying {request.step}")

    @retry_step.validator
    def _check_retry(self, request: RetryStepInput) -> None:
        failed = self.state.view.failed_step
        if failed is None or self.retry_by is not None:
            raise ValueError("step: no step is waiting to be retried")
        if request.step != failed:
            raise ValueError(f"step: {request.step} has not failed; {failed} is waiting")

    # --- change_address -------------------------------------------------------------

    @workflow.update(name="change_address")
    async def change_address(self, request: ChangeAddressInput) -> OpsResult:
        address = request.shipping_address
        self.order.shipping_address = address
        for handle in self.children.values():
            if not handle.done():  # parcels not booked yet book there; booked ones redirect
                await handle.signal("change_address", address)
        where = f"{address.city} {address.postal_code}"
        await self._log_event(
            "ADDRESS_CHANGED",
            f"now to {where}",
            notify=True,
            alert_ops=False,
            actor=request.operator,
        )
        self._show_card()
        return OpsResult(accepted=True, message=f"parcels now go to {where}")

    @change_address.validator
    def _check_address(self, request: ChangeAddressInput) -> None:
        state = self.state
        if state.closed or state.shipped or state.any_picked_up():
            raise ValueError(
                f"order is {state.status.lower()}: the address cannot change once anything "
                "has shipped"
            )
