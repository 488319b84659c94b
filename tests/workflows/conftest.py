"""A shared time-skipping test server, and one worker per test on its own task queue."""

from __future__ import annotations

import copy
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.order import OrderDocument
from tests.unit.conftest import ORDER
from tests.workflows.fakes import FakeShop
from tests.workflows.helpers import pack
from workers.converter import DATA_CONVERTER
from workflows.order import OrderWorkflow
from workflows.search_attributes import REGISTRY
from workflows.shipment import ShipmentWorkflow

TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"
INDEXED = {
    "Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "Int": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "Double": IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    "Bool": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "KeywordList": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
}


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    # One server per test: the time-skipping server stops skipping time for good after
    # an update has waited in a handler, which would hang every later test.
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER, test_server_existing_path=str(TEST_SERVER)
    )
    # The time-skipping server knows no custom search attributes until told;
    # without them an upsert would hang the test.
    await environment.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=environment.client.namespace,
            search_attributes={name: INDEXED[kind] for name, kind in REGISTRY.items()},
        )
    )
    yield environment
    await environment.shutdown()


def make_order(**changes: Any) -> OrderDocument:
    data = copy.deepcopy(ORDER)
    data["order_id"] = f"SO-{uuid.uuid4().hex[:8]}"
    for key, value in changes.items():
        data[key] = value
    return OrderDocument.model_validate(data)


@pytest.fixture
def shop() -> FakeShop:
    return FakeShop()


@pytest.fixture
def start_order(env: WorkflowEnvironment, shop: FakeShop) -> Callable[..., Any]:
    """`async with start_order(order) as handle:` runs a worker with the shop's fakes."""

    @asynccontextmanager
    async def run(order: OrderDocument) -> AsyncIterator[WorkflowHandle[Any, Any]]:
        queue = f"test-{uuid.uuid4()}"
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[OrderWorkflow, ShipmentWorkflow],
            activities=shop.activities(),  # type: ignore[arg-type]
            workflow_failure_exception_types=[Exception],
        ):
            handle = await env.client.start_workflow(
                OrderWorkflow.run, order, id=order.workflow_id, task_queue=queue
            )
            yield handle

    return run


@pytest.fixture
def packed(env: WorkflowEnvironment) -> Callable[..., Any]:
    """`await packed(handle)`: scan every parcel of the order; returns the booked view."""

    async def run(handle: WorkflowHandle[Any, Any]) -> Any:
        return await pack(env.client, handle)

    return run
