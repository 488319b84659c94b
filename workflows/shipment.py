"""ShipmentWorkflow: one parcel of an order, from packing to the customer's door.

Started by OrderWorkflow as a child, one per warehouse of the allocation, with id
`shipment-{order_id}-{warehouse_id}`. PACKING: the packer scans every unit
(`scan_item`, checked against the parcel); then carrier choice and booking with a
fallback carrier (shipment_booking.py); then tracking (`carrier_event`, once per event
id) with a delay watchdog; at pickup the stock leaves the warehouse and this parcel's share of the
payment is captured; DELIVERED ends it. Every step is reported to the order with the
`shipment_progress` signal: the order owns the view, the timeline and the records.

Cancelling the child (the order's compensation, or the parent closing) cancels its
booking unless the carrier already has the goods.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from models import shipment as rules
    from models.activity_io import (
        BookShipmentResult,
        CancelShipmentInput,
        PaymentActionInput,
        PaymentResult,
        ShipStockInput,
    )
    from models.finance import VoucherKind, VoucherResult, voucher_for
    from models.messages import CarrierEvent, ScanItemInput, ScanResult, ShipmentProgress
    from models.shipment import RegisterParcelInput, ShipmentInput
    from models.view import ShipmentView
    from workflows.activity_calls import call
    from workflows.order_steps import failure_reason
    from workflows.shipment_booking import ShipmentBooking


@workflow.defn(name="ShipmentWorkflow")
class ShipmentWorkflow(ShipmentBooking):
    @workflow.init
    def __init__(self, job: ShipmentInput) -> None:
        self.job = job
        lines = rules.lines_of(job.allocations)
        self.packing = rules.Packing(lines)
        self.tracking = rules.Tracking()
        self.view = ShipmentView(
            shipment_id="",
            warehouse_id=job.warehouse_id,
            carrier="",
            tracking_number="",
            status=rules.PACKING,
            workflow_id=workflow.info().workflow_id,
            lines=lines,
            amount=job.amount,
        )
        self.news: list[CarrierEvent] = []  # accepted tracking events not yet acted on
        self.last_news_at: datetime | None = None
        self.stock_shipped = False
        self.booking: asyncio.Task[object] | None = None
        self.redirects = 0  # address changes sent to the carrier
        self.own_fleet = False  # booked with the shop's own same-city vans

    @workflow.run
    async def run(self, job: ShipmentInput) -> ShipmentView:
        try:
            await self._pack()
            await self._book()
            await self._track_until_delivered()
        except asyncio.CancelledError:
            await self._cancelled()
            raise
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.view

    # --- messages -------------------------------------------------------------------

    @workflow.update(name="scan_item")
    def scan_item(self, scan: ScanItemInput) -> ScanResult:
        remaining = self.packing.scan(scan.sku, scan.quantity)
        self.view.scanned = self.packing.scanned_lines()
        left = self.packing.expected[scan.sku] - self.packing.scanned[scan.sku]
        message = "parcel complete" if remaining == 0 else f"{left} x {scan.sku} still expected"
        return ScanResult(accepted=True, remaining=remaining, message=message)

    @scan_item.validator
    def _check_scan(self, scan: ScanItemInput) -> None:
        if self.view.status != rules.PACKING:
            raise ValueError(f"the parcel is {self.view.status.lower()}, not being packed")
        refusal = self.packing.refusal(scan.sku, scan.quantity)
        if refusal:
            raise ValueError(refusal)

    @workflow.signal(name="carrier_event")
    def carrier_event(self, event: CarrierEvent) -> None:
        if self.tracking.apply(self.view, event):
            self.last_news_at = workflow.now()
            self.news.append(event)
        else:
            workflow.logger.info("tracking event ignored: %s", event.event_id)

    @workflow.query(name="status")
    def status(self) -> ShipmentView:
        return self.view

    # --- the parcel's life ----------------------------------------------------------

    async def _pack(self) -> None:
        job = self.job
        register = RegisterParcelInput(
            order_id=job.order_id,
            workflow_id=self.view.workflow_id,
            warehouse_id=job.warehouse_id,
            lines=self.view.lines,
        )
        await self._act("register_parcel", register, None, f"pack at {job.warehouse_id}")
        await workflow.wait_condition(lambda: self.packing.complete)
        self.view.status = rules.PACKED
        items = ", ".join(f"{line.quantity} x {line.sku}" for line in self.view.lines)
        await self._report("SHIPMENT_PACKED", f"{job.warehouse_id}: {items}")

    async def _track_until_delivered(self) -> None:
        watched_from: datetime | None = None  # the watchdog's own re-arm after an alert
        while self.view.status != "DELIVERED" or self.news:
            while self.news:
                event = self.news.pop(0)
                if event.status == rules.EXCEPTION:
                    await self._carrier_delay(event)
                    continue
                where = f" at {event.location}" if event.location else ""
                await self._report(f"PARCEL_{event.status}", f"{self.view.shipment_id}{where}")
                watched_from = None
            if rules.picked_up(self.view.status) and not self.stock_shipped:
                await self._leave_warehouse()
            if self.view.status == "DELIVERED":
                break
            since = max(filter(None, (self.last_news_at, watched_from)))
            deadline = rules.delay_deadline(self.view.status, since)
            assert deadline is not None
            try:
                await workflow.wait_condition(
                    lambda: bool(self.news),
                    timeout=max(deadline - workflow.now(), timedelta(seconds=1)),
                    timeout_summary="delay watchdog",
                )
            except TimeoutError:
                watched_from = workflow.now()
                await self._delayed(since)

    async def _carrier_delay(self, event: CarrierEvent) -> None:
        detail, tell_customer = rules.carrier_delay_notice(self.view, event)
        self.view.delays += 1
        await self._report(
            "SHIPMENT_DELAYED", detail, record=True, notify=tell_customer, alert_ops=True
        )

    async def _delayed(self, since: datetime) -> None:
        detail, tell_customer = rules.delay_notice(self.view, since, workflow.now())
        self.view.delays += 1
        await self._report(
            "SHIPMENT_DELAYED", detail, record=True, notify=tell_customer, alert_ops=True
        )

    async def _leave_warehouse(self) -> None:
        """At pickup: the stock leaves the warehouse and this parcel's share is captured."""
        job = self.job
        ship = ShipStockInput(
            order_id=job.order_id,
            idempotency_key=self._key(f"ship:{job.warehouse_id}"),
            warehouse_id=job.warehouse_id,
            reservation_key=job.reservation_key,
        )
        await self._act("ship_stock", ship, None, f"stock left {job.warehouse_id}")
        self.stock_shipped = True
        capture = PaymentActionInput(
            order_id=job.order_id,
            idempotency_key=self._key(f"capture:{job.warehouse_id}"),
            payment_id=job.payment_id,
            amount=job.amount,
        )
        summary = f"capture {job.amount} for the parcel from {job.warehouse_id}"
        try:
            await self._act("capture_payment", capture, PaymentResult, summary)
        except ActivityError as failure:
            # The goods are gone: the parcel goes on and finance follows up.
            self.view.payment_status = "CAPTURE_FAILED"
            await self._report(
                "CAPTURE_FAILED", failure_reason(failure), record=True, alert_ops=True
            )
            return
        self.view.payment_status = "CAPTURED"
        await self._post_voucher("capture", job.amount, job.payment_id)
        await self._report("CAPTURED", f"{job.amount} for {self.view.shipment_id}")

    async def _post_voucher(self, kind: VoucherKind, amount: Decimal, reference: str) -> None:
        """The journal entry for a money movement, posted when it happens (once per key)."""
        voucher = voucher_for(
            idempotency_key=self._key(f"voucher:{kind}:{self.job.warehouse_id}"),
            order_id=self.job.order_id,
            kind=kind,
            amount=amount,
            reference=reference,
        )
        await self._act("post_voucher", voucher, VoucherResult, f"journal: {kind} {amount}")

    async def _cancelled(self) -> None:
        """The order let this parcel go: undo the booking unless the goods are gone."""
        if self.booking is not None:
            with contextlib.suppress(ActivityError):
                result = await self.booking  # a booking in flight lands first
                assert isinstance(result, BookShipmentResult)
                self._booked(result)
        if self.view.shipment_id and not rules.picked_up(self.view.status):
            request = CancelShipmentInput(
                order_id=self.job.order_id,
                idempotency_key=self._key(f"cancel:{self.view.shipment_id}"),
                shipment_id=self.view.shipment_id,
            )
            summary = f"undo: cancel_shipment {self.view.shipment_id}"
            await self._act("cancel_shipment", request, None, summary)
        if not rules.picked_up(self.view.status):
            self.view.status = rules.CANCELLED

    # --- helpers --------------------------------------------------------------------

    def _key(self, step: str) -> str:
        return f"{self.job.order_id}:{step}"

    async def _act(self, name: str, arg: object, result_type: type | None, summary: str) -> object:
        return await call(
            name, arg, result_type=result_type, summary=summary, priority=self.job.priority
        )

    async def _report(
        self,
        event: str,
        detail: str,
        *,
        record: bool = False,
        notify: bool = False,
        alert_ops: bool = False,
    ) -> None:
        """Tell the order; it notes the step and records it when asked to."""
        parent = workflow.info().parent
        if parent is None:
            return  # started on its own (ops or a test): nobody to tell
        progress = ShipmentProgress(
            event=event,
            detail=detail,
            at=workflow.now(),
            shipment=self.view,
            record=record,
            notify_customer=notify,
            alert_ops=alert_ops,
        )
        handle = workflow.get_external_workflow_handle(parent.workflow_id)
        await handle.signal("shipment_progress", progress)
