"""ShipmentWorkflow's booking: carrier choice by zone with fallback, the own vans, redirects.

A mixin of ShipmentWorkflow (workflows/shipment.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import carriers, errors, zones
    from models import shipment as rules
    from models.activity_io import BookShipmentInput, BookShipmentResult, RedirectShipmentInput
    from models.dispatch_io import DeliveryInput
    from models.finance import VoucherKind
    from models.order import Address
    from models.shipment import ShipmentInput
    from models.view import ShipmentView
    from workflows.order_steps import failure_reason, failure_type

NO_CARRIER = "NoCarrier"  # no carrier can take the parcel: the order cannot ship
CARRIER_ZONE_PATCH = "carrier-zone"  # before it: no zones, volume or own vans


class ShipmentBooking:
    job: ShipmentInput
    view: ShipmentView
    booking: asyncio.Task[object] | None
    redirects: int
    own_fleet: bool
    last_news_at: datetime | None

    # Provided by ShipmentWorkflow.
    def _key(self, step: str) -> str: ...
    async def _act(
        self, name: str, arg: object, result_type: type | None, summary: str
    ) -> object: ...
    async def _report(
        self,
        event: str,
        detail: str,
        *,
        record: bool = False,
        notify: bool = False,
        alert_ops: bool = False,
    ) -> None: ...
    async def _post_voucher(self, kind: VoucherKind, amount: Decimal, reference: str) -> None: ...

    @workflow.signal(name="change_address")
    async def change_address(self, address: Address) -> None:
        """Ops changed the order's address: book there, or redirect a booked parcel."""
        self.job.address = address
        await workflow.wait_condition(lambda: self.booking is None)  # a booking lands first
        view = self.view
        if not view.shipment_id or rules.picked_up(view.status) or view.status == rules.CANCELLED:
            return
        self.redirects += 1
        request = RedirectShipmentInput(
            order_id=self.job.order_id,
            idempotency_key=self._key(f"redirect:{view.shipment_id}:{self.redirects}"),
            shipment_id=view.shipment_id,
            address=address,
        )
        try:
            await self._act("redirect_shipment", request, None, f"redirect {view.shipment_id}")
        except ActivityError as failure:
            detail = f"{view.shipment_id}: {failure_reason(failure)}"
            await self._report("REDIRECT_FAILED", detail, record=True, alert_ops=True)
            return
        await self._register_delivery()  # the vans' stop moves too
        await self._report("SHIPMENT_REDIRECTED", f"{view.shipment_id} to {address.city}")

    async def _book(self) -> None:
        job = self.job
        weight = carriers.shipment_weight(job.allocations, job.products)
        zoned = workflow.patched(CARRIER_ZONE_PATCH)
        volume = carriers.shipment_volume(job.allocations, job.products) if zoned else 0.0
        zone = zones.zone_of(job.origin, job.address) if zoned else None
        failed: set[str] = set()
        while True:
            choice = carriers.pick_carrier(
                job.carriers,
                service_level=job.service_level,
                weight_kg=weight,
                volume_l=volume,
                zone=zone,
                exclude=failed,
            )
            carrier = choice.carrier
            if carrier is None:
                why = f": {choice.reason}" if zoned else ""
                raise ApplicationError(
                    f"no carrier can take the parcel from {job.warehouse_id}{why}",
                    type=NO_CARRIER,
                    non_retryable=True,
                )
            request = BookShipmentInput(
                order_id=job.order_id,
                idempotency_key=self._key(f"book:{job.warehouse_id}:{carrier.carrier_id}"),
                workflow_id=self.view.workflow_id,
                warehouse_id=job.warehouse_id,
                carrier=carrier.carrier_id,
                service_level=job.service_level,
                allocations=job.allocations,
                address=job.address,
            )
            summary = f"book {carrier.carrier_id} from {job.warehouse_id}, {weight:.1f} kg"
            # Shielded: a cancel mid-booking lets the booking land, so it can be undone.
            self.booking = asyncio.ensure_future(
                self._act("book_shipment", request, BookShipmentResult, summary)
            )
            try:
                result = await asyncio.shield(self.booking)
            except ActivityError as failure:
                self.booking = None
                if failure_type(failure) != errors.CARRIER_UNAVAILABLE:
                    raise
                failed.add(carrier.carrier_id)
                await self._report("CARRIER_FALLBACK", failure_reason(failure))
                continue
            assert isinstance(result, BookShipmentResult)
            self._booked(result)
            break
        cost = carriers.shipping_cost(carrier, weight)
        if cost > 0:
            await self._post_voucher("shipping_cost", cost, self.view.shipment_id)
        self.last_news_at = workflow.now()
        detail = f"{self.view.carrier} {self.view.tracking_number} from {job.warehouse_id}"
        if zoned:
            self.view.carrier_reason = choice.reason
            detail += f"; {choice.reason}"
            self.own_fleet = zones.own_fleet(carrier)
            await self._register_delivery()
        await self._report("SHIPMENT_BOOKED", detail, record=True)

    async def _register_delivery(self) -> None:
        """A parcel for the shop's own vans joins the warehouse's daily dispatch plan."""
        job, address = self.job, self.job.address
        if not self.own_fleet or address.lat is None or address.lon is None:
            return
        delivery = DeliveryInput(
            order_id=job.order_id,
            workflow_id=self.view.workflow_id,
            warehouse_id=job.warehouse_id,
            lat=address.lat,
            lon=address.lon,
            city=address.city,
            weight_kg=carriers.shipment_weight(job.allocations, job.products),
            volume_l=carriers.shipment_volume(job.allocations, job.products),
            at=workflow.now(),
        )
        await self._act("register_delivery", delivery, None, f"own vans from {job.warehouse_id}")

    def _booked(self, result: BookShipmentResult) -> None:
        self.booking = None
        view = self.view
        view.shipment_id, view.carrier = result.shipment_id, result.carrier
        view.tracking_number, view.status = result.tracking_number, "BOOKED"
