"""Money on a real dev server: a delivered order leaves a balanced journal."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from activities.db import make_engine
from activities.finance import order_balance, trial_balance
from tests.integration.conftest import order_data, wait_for_status

pytestmark = pytest.mark.integration


async def test_a_delivered_order_is_captured_in_the_journal_and_it_balances(system, client):
    path = system.write_order(order_data(sku="IT-ORDER", quantity=3))
    placed = system.starter("place", "--file", str(path), "--json")
    assert placed.returncode == 0, placed.stderr
    order_id = json.loads(placed.stdout)["order_id"]
    await wait_for_status(client, order_id, {"DELIVERED", "COMPLETED"})

    engine = make_engine(system.settings.oms_database_url)
    balance = order_balance(engine, order_id)
    assert balance["psp_clearing"] == Decimal("30.00")  # 3 x 10.00 captured
    assert balance["sales_revenue"] + balance["output_vat"] == Decimal("-30.00")
    assert balance["shipping_expense"] > 0
    assert sum(trial_balance(engine).values()) == 0
