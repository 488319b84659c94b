"""Hand-written fake activities for workflow tests, registered under the real names.

`FakeShop` keeps a tiny stock table and records every call in order, so tests can
assert which compensations ran, how often and in which order. A `gate` holds an
activity until the test opens it, to place a signal or update mid-step.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models import errors
from models.activity_io import (
    AuthorizeInput,
    BookShipmentInput,
    BookShipmentResult,
    CancelShipmentInput,
    PaymentActionInput,
    PaymentResult,
    ProductFacts,
    RecordStatusInput,
    RedirectShipmentInput,
    ReleaseInput,
    ReserveInput,
    ReserveResult,
    RestockReturnInput,
    ShipStockInput,
    StockQuery,
    StockSnapshot,
    ValidateOrderInput,
    ValidateOrderResult,
    WarehouseStock,
)
from models.backorder import RestockEstimates, RestockQuery
from models.catalog import CarrierDoc
from models.dispatch_io import DeliveryInput
from models.finance import VoucherInput, VoucherResult
from models.risk import CustomerHistory, CustomerHistoryQuery
from models.shipment import RegisterParcelInput
from models.view import RestockEstimate

# The shop's own same-city vans: cheapest, but only inside the warehouse's city.
FLEET = CarrierDoc(
    carrier_id="FLEET",
    name="Own vans",
    service_levels=["standard", "expedited"],
    base_cost=Decimal("3"),
    zones=["same_city"],
)
CARRIERS = [
    # 1.37 per kg: half-kilo parcels cost fractions of a cent, which must round to cents.
    CarrierDoc(
        carrier_id="ZTO",
        name="ZTO",
        service_levels=["standard"],
        base_cost=Decimal("6"),
        cost_per_kg=Decimal("1.37"),
    ),
    CarrierDoc(
        carrier_id="SF",
        name="SF",
        service_levels=["standard", "expedited"],
        base_cost=Decimal("12"),
        transit_days=1,
    ),
]


class FakeShop:
    def __init__(self, stock: dict[tuple[str, str], int] | None = None) -> None:
        self.stock = stock if stock is not None else {("WH-SH", "TEA-001"): 100}
        self.calls: list[str] = []
        self.records: list[RecordStatusInput] = []
        self.vouchers: list[VoucherInput] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.entered: dict[str, asyncio.Event] = {}
        self.unavailable_carriers: set[str] = set()
        self.reserve_races = 0  # how many reservations lose a race before one succeeds
        self.unknown_skus: set[str] = set()
        self.broken: set[str] = set()  # activities that always fail transiently
        self.similar: dict[str, list[str]] = {"TEA-001": ["TEA-002", "TEA-003"]}
        self.parcels: list[RegisterParcelInput] = []
        self.captures: list[PaymentActionInput] = []
        self.refunds: list[PaymentActionInput] = []
        self.redirects: list[RedirectShipmentInput] = []
        self.bookings: list[BookShipmentInput] = []
        self.deliveries: list[DeliveryInput] = []  # parcels handed to the own vans
        self.carriers = list(CARRIERS)
        # A customer of a year with two ordinary orders: no history signal fires.
        self.history = CustomerHistory(
            orders=2, average_total=Decimal("100.00"), first_seen=datetime(2025, 12, 1, tzinfo=UTC)
        )

    def gate(self, name: str) -> asyncio.Event:
        self.gates[name] = asyncio.Event()
        self.entered[name] = asyncio.Event()
        return self.gates[name]

    async def _enter(self, name: str) -> None:
        self.calls.append(name)
        if name.split(":")[0] in self.broken:
            raise RuntimeError(f"{name} is down")
        if name in self.gates:
            self.entered[name].set()
            await self.gates[name].wait()

    def activities(self) -> list[object]:
        shop = self

        @activity.defn(name="validate_order")
        async def validate_order(req: ValidateOrderInput) -> ValidateOrderResult:
            await shop._enter("validate_order")
            for i, line in enumerate(req.order.lines):
                if line.sku in shop.unknown_skus:
                    raise ApplicationError(
                        f"lines[{i}].sku: unknown SKU {line.sku}",
                        type=errors.INVALID_ORDER,
                        non_retryable=True,
                    )
            products = [
                ProductFacts(
                    sku=ln.sku, weight_kg=0.5, volume_l=1, similar=shop.similar.get(ln.sku, [])
                )
                for ln in req.order.lines
            ]
            return ValidateOrderResult(products=products, carriers=shop.carriers)

        @activity.defn(name="get_stock_levels")
        async def get_stock_levels(req: StockQuery) -> StockSnapshot:
            await shop._enter("get_stock_levels")
            houses: dict[str, WarehouseStock] = {}
            for (wh, sku), qty in sorted(shop.stock.items()):
                house = houses.setdefault(wh, WarehouseStock(warehouse_id=wh, lat=31.2, lon=121.5))
                if sku in req.skus:
                    house.available[sku] = qty
            return StockSnapshot(warehouses=list(houses.values()))

        @activity.defn(name="reserve_stock")
        async def reserve_stock(req: ReserveInput) -> ReserveResult:
            await shop._enter("reserve_stock")
            if shop.reserve_races > 0:
                shop.reserve_races -= 1
                return ReserveResult(reserved=False, short_skus=[req.allocations[0].sku])
            for a in req.allocations:
                shop.stock[(a.warehouse_id, a.sku)] -= a.quantity
            return ReserveResult(reserved=True, allocations=req.allocations)

        @activity.defn(name="release_stock")
        async def release_stock(req: ReleaseInput) -> None:
            await shop._enter("release_stock")

        @activity.defn(name="ship_stock")
        async def ship_stock(req: ShipStockInput) -> None:
            await shop._enter("ship_stock")

        @activity.defn(name="restock_return")
        async def restock_return(req: RestockReturnInput) -> None:
            await shop._enter("restock_return")
            for line in req.lines:
                key = (req.warehouse_id, line.sku)
                shop.stock[key] = shop.stock.get(key, 0) + line.quantity

        @activity.defn(name="customer_history")
        async def customer_history(req: CustomerHistoryQuery) -> CustomerHistory:
            await shop._enter("customer_history")
            return shop.history

        @activity.defn(name="authorize_payment")
        async def authorize_payment(req: AuthorizeInput) -> PaymentResult:
            await shop._enter("authorize_payment")
            if req.token != "tok_ok":
                raise ApplicationError(
                    "card declined", type=errors.PAYMENT_DECLINED, non_retryable=True
                )
            return PaymentResult(payment_id="pay-1", status="AUTHORIZED", amount=req.amount)

        @activity.defn(name="capture_payment")
        async def capture_payment(req: PaymentActionInput) -> PaymentResult:
            await shop._enter("capture_payment")
            shop.captures.append(req)
            return PaymentResult(payment_id=req.payment_id, status="CAPTURED", amount=req.amount)

        @activity.defn(name="void_payment")
        async def void_payment(req: PaymentActionInput) -> PaymentResult:
            await shop._enter("void_payment")
            return PaymentResult(payment_id=req.payment_id, status="VOIDED", amount=req.amount)

        @activity.defn(name="refund_payment")
        async def refund_payment(req: PaymentActionInput) -> PaymentResult:
            await shop._enter("refund_payment")
            shop.refunds.append(req)
            return PaymentResult(payment_id=req.payment_id, status="REFUNDED", amount=req.amount)

        @activity.defn(name="register_parcel")
        async def register_parcel(req: RegisterParcelInput) -> None:
            await shop._enter("register_parcel")
            shop.parcels.append(req)

        @activity.defn(name="book_shipment")
        async def book_shipment(req: BookShipmentInput) -> BookShipmentResult:
            await shop._enter(f"book_shipment:{req.carrier}")
            shop.bookings.append(req)
            if req.carrier in shop.unavailable_carriers:
                raise ApplicationError(
                    f"{req.carrier} is down", type=errors.CARRIER_UNAVAILABLE, non_retryable=True
                )
            kind = "ret" if ":return:" in req.idempotency_key else "shp"  # a return pickup
            return BookShipmentResult(
                shipment_id=f"{kind}-{req.warehouse_id}",
                carrier=req.carrier,
                tracking_number=f"{req.carrier}-{req.warehouse_id}-{kind}",
            )

        @activity.defn(name="register_delivery")
        async def register_delivery(req: DeliveryInput) -> None:
            await shop._enter("register_delivery")
            shop.deliveries.append(req)

        @activity.defn(name="redirect_shipment")
        async def redirect_shipment(req: RedirectShipmentInput) -> None:
            await shop._enter("redirect_shipment")
            shop.redirects.append(req)

        @activity.defn(name="cancel_shipment")
        async def cancel_shipment(req: CancelShipmentInput) -> None:
            await shop._enter("cancel_shipment")

        @activity.defn(name="estimate_restock")
        async def estimate_restock(req: RestockQuery) -> RestockEstimates:
            await shop._enter("estimate_restock")
            return RestockEstimates(
                estimates=[
                    RestockEstimate(sku=sku, eta=date(2026, 12, 20), basis="purchase order PO-1")
                    for sku in req.skus
                ]
            )

        @activity.defn(name="record_status")
        async def record_status(req: RecordStatusInput) -> None:
            if f"record_status:{req.event}" in shop.gates:  # a test holds this record
                await shop._enter(f"record_status:{req.event}")
            shop.records.append(req)

        @activity.defn(name="post_voucher")
        async def post_voucher(req: VoucherInput) -> VoucherResult:
            shop.vouchers.append(req)
            return VoucherResult(
                voucher_id=f"V-{len(shop.vouchers)}",
                order_id=req.order_id,
                kind=req.kind,
                amount=req.amount,
            )

        return [
            post_voucher,
            validate_order,
            get_stock_levels,
            reserve_stock,
            release_stock,
            ship_stock,
            restock_return,
            customer_history,
            authorize_payment,
            capture_payment,
            void_payment,
            refund_payment,
            register_parcel,
            book_shipment,
            cancel_shipment,
            redirect_shipment,
            register_delivery,
            record_status,
            estimate_restock,
        ]

    def compensations(self) -> list[str]:
        undo = {"release_stock", "void_payment", "refund_payment", "cancel_shipment"}
        return [c for c in self.calls if c in undo]
