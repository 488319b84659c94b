"""How OrderWorkflow calls activities: by name, with one timeout and retry policy each.

Calling by name keeps the workflow sandbox free of the database code the activity
modules import; the input and result models in models.activity_io are the contract.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy

T = TypeVar("T")

# Transient faults are retried with backoff, but not forever: after this many attempts
# the step counts as failed and the order is compensated.
BOUNDED_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=10,
)
TIMEOUT = timedelta(seconds=30)


def task_priority(order_priority: int) -> Priority:
    """Temporal priority keys run 1 (first) to 5; order priority runs 1 to 100 (highest)."""
    return Priority(priority_key=1 + (100 - max(1, min(100, order_priority))) // 25)


async def call(
    name: str,
    arg: Any,
    *,
    result_type: type[T] | None = None,
    summary: str,
    priority: int = 50,
    timeout: timedelta = TIMEOUT,
) -> Any:
    return await workflow.execute_activity(
        name,
        arg,
        result_type=result_type,
        start_to_close_timeout=timeout,
        retry_policy=BOUNDED_RETRY,
        summary=summary,
        priority=task_priority(priority),
    )
