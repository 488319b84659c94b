"""Inputs and results of the replenishment and reconciliation activities and workflows.

One input model per activity and workflow, so fields can be added compatibly. Every
write carries an idempotency key derived from the workflow run (and SKU and warehouse),
so a retried activity never orders or alerts twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from models.suppliers import SupplierOffer

# --- replenishment ----------------------------------------------------------------------


class ReplenishmentInput(BaseModel):
    service_level: float = Field(default=0.95, gt=0.5, lt=1)  # chance of no stock-out
    history_days: int = Field(default=56, ge=1, le=365)
    review_days: int = Field(default=7, ge=1)  # an order covers this long beyond lead time


class DemandHistoryInput(BaseModel):
    as_of: date  # the history ends the day before (whole days only)
    days: int


class DemandSeries(BaseModel):
    sku: str
    warehouse_id: str
    daily: list[int]  # units per day, oldest first, from the pair's first day in the window


class DemandHistory(BaseModel):
    series: list[DemandSeries] = Field(default_factory=list)


class StockPositionsInput(BaseModel):
    sku: str | None = None  # all stock rows when None


class StockPosition(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int
    safety_stock: int
    on_order: int = 0  # open purchase orders not yet received
    list_price: Decimal = Decimal("0.00")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def inventory_position(self) -> int:
        return self.on_hand - self.reserved + self.on_order


class StockPositions(BaseModel):
    positions: list[StockPosition] = Field(default_factory=list)


class SuppliersInput(BaseModel):
    categories: list[str] | None = None  # every offer when None


class SupplierList(BaseModel):
    offers: list[SupplierOffer] = Field(default_factory=list)


class PurchaseOrderLine(BaseModel):
    idempotency_key: str  # run key + SKU + warehouse
    sku: str
    warehouse_id: str
    supplier_id: str
    quantity: int = Field(gt=0)
    unit_cost: Decimal
    expected_on: date
    reasons: list[str] = Field(default_factory=list)


class RecordPurchaseOrdersInput(BaseModel):
    orders: list[PurchaseOrderLine]


class RecordPurchaseOrdersResult(BaseModel):
    created: list[str] = Field(default_factory=list)  # po ids new in this call
    existing: list[str] = Field(default_factory=list)  # recorded by an earlier attempt


class SafetyStockLevel(BaseModel):
    sku: str
    warehouse_id: str
    safety_stock: int = Field(ge=0)


class SetSafetyStockInput(BaseModel):
    levels: list[SafetyStockLevel]


class SetSafetyStockResult(BaseModel):
    changed: int  # rows whose safety stock was different before


class OpsAlert(BaseModel):
    idempotency_key: str
    event: str  # BELOW_SAFETY_STOCK, NO_SUPPLIER, STOCK_DRIFT
    body: str


class OpsAlertsInput(BaseModel):
    alerts: list[OpsAlert]


class OpsAlertsResult(BaseModel):
    written: int  # new outbox rows; a retried alert is not written again


class ReorderLine(BaseModel):
    sku: str
    warehouse_id: str
    quantity: int
    supplier_id: str
    reasons: list[str]


class ReplenishmentSummary(BaseModel):
    as_of: date
    evaluated: int  # SKU-warehouse pairs looked at
    reorders: list[ReorderLine] = Field(default_factory=list)
    purchase_orders_created: int = 0
    safety_stock_changed: int = 0
    alerts: list[str] = Field(default_factory=list)


# --- reconciliation ---------------------------------------------------------------------


class ReconciliationInput(BaseModel):
    sku: str | None = None  # every stock row when None


class DriftQuery(BaseModel):
    sku: str | None = None


class DriftRow(BaseModel):
    sku: str
    warehouse_id: str
    on_hand: int | None  # None: the ledger has rows but there is no stock row
    reserved: int | None
    ledger_on_hand: int
    ledger_reserved: int


class DriftReport(BaseModel):
    rows: list[DriftRow] = Field(default_factory=list)


class ReconciliationSummary(BaseModel):
    drift: list[DriftRow] = Field(default_factory=list)
    alerted: bool = False
