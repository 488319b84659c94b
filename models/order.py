"""The order document a storefront submits (CONTRACT.md, "Order document")."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)


class Tier(StrEnum):
    STANDARD = "standard"
    VIP = "vip"


class ServiceLevel(StrEnum):
    STANDARD = "standard"
    EXPEDITED = "expedited"


class _Strict(BaseModel):
    # Unknown keys are ignored, not refused, so a newer storefront can add fields.
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
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    province: str = Field(min_length=1)
    city: str = Field(min_length=1)
    district: str = ""
    street: str = Field(min_length=1)
    postal_code: str = Field(min_length=3)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("country")
    @classmethod
    def _upper_country(cls, country: str) -> str:
        return country.upper()

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> Address:
        # Half a coordinate would silently turn distance-based sourcing off.
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


_DECIMAL_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _decimal_string(value: object) -> object:
    # Money is a decimal string; a float would lose cents, and "1e3" or a bool is a typo.
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and _DECIMAL_TEXT.match(value.strip()):
        return value.strip()
    raise ValueError('money must be a decimal string, e.g. "59.90"')


class OrderLine(_Strict):
    sku: str = Field(min_length=1, max_length=64)
    # strict: `true` or "2" is a malformed document, not a quantity.
    quantity: int = Field(gt=0, le=10_000, strict=True)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)

    @field_validator("unit_price", mode="before")
    @classmethod
    def _money(cls, value: object) -> object:
        return _decimal_string(value)


class PaymentMethod(_Strict):
    method: str = Field(min_length=1)
    token: str = Field(min_length=1)


class Shipping(_Strict):
    service_level: ServiceLevel = ServiceLevel.STANDARD


class OrderDocument(_Strict):
    order_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    # Aware only: SLA deadlines are compared with the workflow's (UTC) clock.
    placed_at: AwareDatetime
    channel: str = "web"
    customer: Customer
    shipping_address: Address
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    payment: PaymentMethod
    shipping: Shipping = Field(default_factory=Shipping)
    promotion_code: str | None = None

    @field_validator("promotion_code")
    @classmethod
    def _blank_code_is_none(cls, code: str | None) -> str | None:
        return code or None

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
