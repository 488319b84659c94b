"""The sourcing rule profile: versioned configuration, not code.

A profile prices a shipment from a warehouse to the customer (`per_km` times the
great-circle distance, plus the warehouse's handling cost), biases or breaks ties by
warehouse priority, and says which warehouses may ship which SKUs (capability tags
that SKU prefixes require, and SKU prefixes a warehouse never ships). Every plan
records the `version` of the profile that made it.

Callers load the checked-in profile with
`SourcingProfile.model_validate_json(Path("data/sourcing_profile.json").read_text())`
(I/O stays out of `models/`); without one, sourcing uses `DEFAULT_PROFILE`, which
prices every warehouse alike and excludes none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from pydantic import BaseModel, ConfigDict, Field

CENT = Decimal("0.01")


class WarehouseRule(BaseModel):
    """What the profile says about one warehouse; anything left out takes the default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    handling_cost: Decimal | None = Field(default=None, ge=0)  # per shipment
    # 0 is the first choice, 1 the next tier, ...: each level adds `priority_step` to
    # the warehouse's score, and a lower total breaks ties between equal scores.
    priority: int = Field(default=0, ge=0)
    capabilities: frozenset[str] | None = None  # None: the profile's default_capabilities
    excluded_prefixes: tuple[str, ...] = ()  # SKU prefixes it never ships


class SourcingProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(default="builtin-1", min_length=1)
    per_km: Decimal = Field(default=Decimal("0.02"), ge=0)  # per shipment and km
    default_handling_cost: Decimal = Field(default=Decimal("6.00"), ge=0)
    priority_step: Decimal = Field(default=Decimal("0"), ge=0)  # score added per level
    # SKU prefix -> the capability tag a warehouse needs to ship it ("BLK-" -> "bulky").
    requirements: dict[str, str] = Field(default_factory=dict)
    default_capabilities: frozenset[str] = frozenset()
    warehouses: dict[str, WarehouseRule] = Field(default_factory=dict)

    def rule(self, warehouse_id: str) -> WarehouseRule:
        return self.warehouses.get(warehouse_id, _NO_RULE)

    def handling_cost(self, warehouse_id: str) -> Decimal:
        cost = self.rule(warehouse_id).handling_cost
        return self.default_handling_cost if cost is None else cost

    def can_ship(self, warehouse_id: str, sku: str) -> bool:
        rule = self.rule(warehouse_id)
        if any(sku.startswith(prefix) for prefix in rule.excluded_prefixes):
            return False
        tags = self.default_capabilities if rule.capabilities is None else rule.capabilities
        return all(
            tag in tags for prefix, tag in self.requirements.items() if sku.startswith(prefix)
        )

    def shipment_cents(self, warehouse_id: str, km: float) -> int:
        """What one shipment from the warehouse costs, in whole cents."""
        cost = Decimal(km) * self.per_km + self.handling_cost(warehouse_id)
        return int((cost / CENT).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    def bias_cents(self, warehouse_id: str) -> int:
        """The priority bias one shipment from the warehouse adds to its score."""
        bias = self.priority_step * self.rule(warehouse_id).priority
        return int((bias / CENT).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


_NO_RULE = WarehouseRule()
DEFAULT_PROFILE = SourcingProfile()
