"""The customer's history from the read model, and the block list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine, insert

from activities.customer_risk import BlockList, CustomerRiskActivities
from activities.sqltypes import utcnow
from activities.tables import Order
from models.risk import CustomerHistoryQuery

QUERY = CustomerHistoryQuery(
    order_id="SO-NEW",
    customer_id="C-7",
    email="Li@Example.com",
    phones=["+86 138 0000 0000", "+86 139 1111 2222"],
    postal_code="200120",
)


def _order(order_id: str, customer_id: str, total: str, days_ago: float) -> dict[str, object]:
    at = utcnow() - timedelta(days=days_ago)
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "status": "COMPLETED",
        "priority": 50,
        "total": Decimal(total),
        "view_json": "{}",
        "created_at": at,
        "updated_at": at,
    }


def test_history_counts_earlier_orders_their_average_age_and_last_day(engine: Engine) -> None:
    rows = [
        _order("SO-1", "C-7", "100.00", 40),
        _order("SO-2", "C-7", "50.00", 0.5),
        _order("SO-3", "C-7", "30.00", 0.1),
        _order("SO-NEW", "C-7", "999.00", 0),  # the order being scored is not history
        _order("SO-9", "C-8", "10.00", 1),  # another customer
    ]
    with engine.begin() as connection:
        connection.execute(insert(Order.__table__), rows)
    history = CustomerRiskActivities(engine, BlockList()).customer_history(QUERY)
    assert (history.orders, history.average_total, history.orders_last_day) == (
        3,
        Decimal("60.00"),
        2,
    )
    assert history.first_seen is not None
    assert timedelta(days=39) < utcnow() - history.first_seen < timedelta(days=41)
    assert history.blocked == []


def test_a_newcomer_has_no_history(engine: Engine) -> None:
    history = CustomerRiskActivities(engine, BlockList()).customer_history(QUERY)
    assert (history.orders, history.average_total, history.first_seen) == (0, None, None)


def test_the_block_list_matches_ids_emails_phones_and_postal_codes_loosely(
    engine: Engine,
) -> None:
    block_list = BlockList(
        emails=["li@example.com"], phones=["+8613911112222"], postal_codes=["200120"]
    )
    history = CustomerRiskActivities(engine, block_list).customer_history(QUERY)
    assert history.blocked == ["email", "phone", "postal code"]
    assert BlockList(customer_ids=["C-7"]).matches(QUERY) == ["customer id"]
