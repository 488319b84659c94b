"""The order document a storefront submits (CONTRACT.md, "Order document")."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Tier(StrEnum):
    STANDARD = "standard"
    VIP = "vip"


class ServiceLevel(StrEnum):
    STANDARD = "standard"
    EXPEDITED = "expedited"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Customer(_Strict):
    customer_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = Field(min_length=5)
    tier: Tier = Tier.STANDARD


class Address(_Strict):
    recipient: str = Field(min_length=1)
    phone: str = Field(min_length=5)
    country: str = Field(min_length=2, max_length=2)
    province: str = Field(min_length=1)
    city: str = Field(min_length=1)
    district: str = ""
    street: str = Field(min_length=1)
    postal_code: str = Field(min_length=3)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


def _decimal_string(value: object) -> object:
    # Money is a decimal string; a float would lose cents, so it is refused too.
    if isinstance(value, float):
        raise ValueError("money must be a decimal string, e.g. \"59.90\"")
    return value


class OrderLine(_Strict):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0, le=10_000)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)

    _money = field_validator("unit_price", mode="before")(_decimal_string)


class PaymentMethod(_Strict):
    method: str = Field(min_length=1)
    token: str = Field(min_length=1)


class Shipping(_Strict):
    service_level: ServiceLevel = ServiceLevel.STANDARD


class OrderDocument(_Strict):
    order_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    placed_at: datetime
    channel: str = "web"
    customer: Customer
    shipping_address: Address
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    payment: PaymentMethod
    shipping: Shipping = Field(default_factory=Shipping)
    promotion_code: str | None = None

    @field_validator("lines")
    @classmethod
    def _one_line_per_sku(cls, lines: list[OrderLine]) -> list[OrderLine]:
        seen: set[str] = set()
        for line in lines:
            if line.sku in seen:
                raise ValueError(f"sku {line.sku} appears twice; merge the lines")
            seen.add(line.sku)
        return lines

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0.00"))

    @property
    def workflow_id(self) -> str:
        return workflow_id_for(self.order_id)


def workflow_id_for(order_id: str) -> str:
    return f"order-{order_id}"
