"""Carrier activities: book and cancel shipments with the (simulated) carrier."""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.carrier_sim import (
    AddressRefused,
    CarrierRefused,
    ShipmentStateError,
    SimulatedCarrier,
)
from models.activity_io import (
    BookShipmentInput,
    BookShipmentResult,
    CancelShipmentInput,
    RedirectShipmentInput,
)
from models.errors import ADDRESS_UNDELIVERABLE, CARRIER_UNAVAILABLE

log = structlog.get_logger(__name__)
SHIPMENT_DELIVERED = "ShipmentAlreadyDelivered"  # cancel came too late; not retryable
REDIRECT_REFUSED = "RedirectRefused"  # picked up already, or an undeliverable address


class CarrierActivities:
    def __init__(self, carrier: SimulatedCarrier) -> None:
        self._carrier = carrier

    @activity.defn(name="book_shipment")
    def book_shipment(self, data: BookShipmentInput) -> BookShipmentResult:
        try:
            booking = self._carrier.book(
                order_id=data.order_id,
                idempotency_key=data.idempotency_key,
                workflow_id=data.workflow_id,
                warehouse_id=data.warehouse_id,
                carrier=data.carrier,
                postal_code=data.address.postal_code,
                destination=data.address.city,
            )
        except CarrierRefused as error:
            log.info(
                "book_shipment",
                order_id=data.order_id,
                outcome="carrier_unavailable",
                carrier=data.carrier,
            )
            raise ApplicationError(
                str(error), type=CARRIER_UNAVAILABLE, non_retryable=True
            ) from error
        except AddressRefused as error:
            log.info(
                "book_shipment",
                order_id=data.order_id,
                outcome="address_undeliverable",
                carrier=data.carrier,
            )
            raise ApplicationError(
                str(error), type=ADDRESS_UNDELIVERABLE, non_retryable=True
            ) from error
        log.info(
            "book_shipment",
            order_id=data.order_id,
            outcome="booked",
            carrier=booking.carrier,
            shipment_id=booking.shipment_id,
        )
        return BookShipmentResult(
            shipment_id=booking.shipment_id,
            carrier=booking.carrier,
            tracking_number=booking.tracking_number,
        )

    @activity.defn(name="redirect_shipment")
    def redirect_shipment(self, data: RedirectShipmentInput) -> None:
        try:
            self._carrier.redirect(
                shipment_id=data.shipment_id,
                postal_code=data.address.postal_code,
                destination=data.address.city,
            )
        except (ShipmentStateError, AddressRefused) as error:
            log.info("redirect_shipment", order_id=data.order_id, outcome="refused")
            raise ApplicationError(str(error), type=REDIRECT_REFUSED, non_retryable=True) from error
        log.info("redirect_shipment", order_id=data.order_id, outcome="redirected")

    @activity.defn(name="cancel_shipment")
    def cancel_shipment(self, data: CancelShipmentInput) -> None:
        try:
            before = self._carrier.cancel(shipment_id=data.shipment_id)
        except ShipmentStateError as error:
            log.warning("cancel_shipment", order_id=data.order_id, outcome="already_delivered")
            raise ApplicationError(
                str(error), type=SHIPMENT_DELIVERED, non_retryable=True
            ) from error
        outcome = {None: "unknown_shipment", "CANCELLED": "already_cancelled"}.get(
            before, "cancelled"
        )
        log.info(
            "cancel_shipment", order_id=data.order_id, outcome=outcome, shipment_id=data.shipment_id
        )
