"""The order's parcels: one ShipmentWorkflow child per warehouse, followed to the door.

A mixin of OrderWorkflow; each child reports its steps with the `shipment_progress`
signal, and the order records them, moves to SHIPPED at the first pickup and to
DELIVERED when every parcel is delivered.
"""

from __future__ import annotations

import asyncio
from itertools import groupby
from typing import Any

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    ChildWorkflowError,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from models import shipment
    from models.activity_io import PaymentResult, ValidateOrderResult
    from models.messages import CancelInput, ShipmentProgress
    from models.order import OrderDocument
    from models.order_state import OrderState
    from models.shipment import ShipmentInput
    from models.status import OrderStatus
    from models.view import ShipmentView
    from models.zones import Place
    from workflows import search_attributes as sa
    from workflows.order_steps import OrderStopped

S = OrderStatus


class OrderParcels:
    order: OrderDocument
    state: OrderState
    cancel_request: CancelInput | None
    facts: ValidateOrderResult
    payment: PaymentResult
    reservation_key: str
    children: dict[str, Any]  # child workflow id -> its handle
    child_ends: list[asyncio.Task[None]]
    child_failures: list[str]
    progress: list[ShipmentProgress]  # parcel reports not yet recorded
    places: dict[str, Place]

    # Provided by OrderWorkflow.
    async def _record(self, status: OrderStatus, detail: str, *, notify: bool = True) -> None: ...
    async def _write(
        self, event: str, detail: str, *, notify: bool, alert_ops: bool, actor: str = "system"
    ) -> None: ...
    def _check_cancel_requested(self) -> None: ...

    async def _start_shipments(self) -> None:
        """One ShipmentWorkflow per warehouse; each packs, books and tracks its parcel."""
        view, order = self.state.view, self.order
        prices = {line.sku: line.unit_price for line in order.lines}
        shares = shipment.split_amount(self.payment.amount, view.allocations, prices)
        allocations = sorted(view.allocations, key=lambda a: a.warehouse_id)
        for warehouse_id, group in groupby(allocations, key=lambda a: a.warehouse_id):
            parcel = list(group)
            child_id = shipment.shipment_workflow_id(order.order_id, warehouse_id)
            job = ShipmentInput(
                order_id=order.order_id,
                warehouse_id=warehouse_id,
                allocations=parcel,
                products=self.facts.products,
                carriers=self.facts.carriers,
                service_level=order.shipping.service_level.value,
                address=order.shipping_address,
                reservation_key=self.reservation_key,
                payment_id=self.payment.payment_id,
                amount=shares[warehouse_id],
                priority=view.priority,
                origin=self.places.get(warehouse_id),
            )
            handle = await workflow.start_child_workflow(
                "ShipmentWorkflow",
                job,
                id=child_id,
                result_type=ShipmentView,
                # The order closing for any reason asks its parcels to cancel, and they
                # undo their bookings (the parcels already picked up just stop).
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                static_summary=f"parcel from {warehouse_id}",
                static_details=shipment.describe_parcel(parcel),
            )
            self.children[child_id] = handle
            self.child_ends.append(asyncio.create_task(self._watch_child(handle)))
            self.state.push("cancel_shipment", child_id)
            view.shipments.append(
                ShipmentView(
                    shipment_id="",
                    warehouse_id=warehouse_id,
                    carrier="",
                    tracking_number="",
                    status=shipment.PACKING,
                    workflow_id=child_id,
                    lines=shipment.lines_of(parcel),
                    amount=shares[warehouse_id],
                )
            )
        where = ", ".join(s.warehouse_id for s in view.shipments)
        await self._record(S.ALLOCATED, f"paid; packing {len(view.shipments)} parcel(s): {where}")
        self._check_cancel_requested()

    async def _watch_child(self, handle: workflow.ChildWorkflowHandle) -> None:  # type: ignore[type-arg]
        try:
            await handle
        except ChildWorkflowError as failure:
            if isinstance(failure.cause, CancelledError):
                return  # the order cancelled it
            cause = failure.cause
            while isinstance(cause, ChildWorkflowError | ActivityError) and cause.cause:
                cause = cause.cause
            self.child_failures.append(str(getattr(cause, "message", cause) or failure))
        except asyncio.CancelledError:
            pass  # the order cancelled it

    @workflow.signal(name="shipment_progress")
    def shipment_progress(self, progress: ShipmentProgress) -> None:
        if self.state.apply_progress(progress) is not None:
            self.progress.append(progress)

    async def _track_until_delivered(self) -> None:
        """Follow the parcels: SHIPPED at the first pickup, DELIVERED when all are."""
        state = self.state
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(self.progress)
                    or bool(self.child_failures)
                    or (self.cancel_request is not None and not state.shipped)
                )
            )
            while self.progress:
                done = self.progress.pop(0)
                if done.record:
                    await self._write(
                        done.event,
                        done.detail,
                        notify=done.notify_customer,
                        alert_ops=done.alert_ops,
                    )
                if done.event == "SHIPMENT_BOOKED":
                    names = sorted({s.carrier for s in state.view.shipments if s.carrier})
                    workflow.upsert_search_attributes([sa.CARRIER.value_set(",".join(names))])
                if state.any_picked_up() and not state.shipped:
                    await self._record(S.SHIPPED, "picked up by the carrier")
            if self.child_failures:
                reason = f"parcel failed: {self.child_failures[0]}"
                if state.shipped:
                    # Goods are on their way: nothing to undo, ops take it from here.
                    raise ApplicationError(reason, type="ShipmentFailed", non_retryable=True)
                raise OrderStopped(S.CANCELLED, reason)
            if not state.shipped:
                self._check_cancel_requested()
            if state.all_delivered():
                break
        await asyncio.gather(*self.child_ends)
        state.view.delivered_at = workflow.now()
        await self._record(S.DELIVERED, "every parcel delivered")
