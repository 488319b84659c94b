"""The contract's search attributes (no personal data in any of them)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
CUSTOMER_TIER = SearchAttributeKey.for_keyword("CustomerTier")
ORDER_PRIORITY = SearchAttributeKey.for_int("OrderPriority")
ORDER_TOTAL = SearchAttributeKey.for_float("OrderTotal")
WAREHOUSES = SearchAttributeKey.for_keyword_list("Warehouses")
CARRIER = SearchAttributeKey.for_keyword("Carrier")
SLA_BREACHED = SearchAttributeKey.for_bool("SlaBreached")
RISK_LEVEL = SearchAttributeKey.for_keyword("RiskLevel")
FAILED_STEP = SearchAttributeKey.for_keyword("FailedStep")  # set while a step awaits retry_step

# Name -> type as `temporal server start-dev --search-attribute NAME=TYPE` spells it.
REGISTRY: dict[str, str] = {
    "OrderStatus": "Keyword",
    "CustomerId": "Keyword",
    "CustomerTier": "Keyword",
    "OrderPriority": "Int",
    "OrderTotal": "Double",
    "Warehouses": "KeywordList",
    "Carrier": "Keyword",
    "SlaBreached": "Bool",
    "RiskLevel": "Keyword",
    "FailedStep": "Keyword",
}
