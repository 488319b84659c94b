"""`starter.py demo`: a mixed set of storefront orders, chosen from the seeded stock."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from temporalio.client import Client

from activities.carrier_sim import DELAYED_POSTAL_CODE
from cli import orders, store
from cli.generate import BOOKED, CLOSED, WAITING, make_order, run_stamp, wait_until
from cli.output import CommandError, ProgressBar, table
from models.backorder import DecisionResult
from models.messages import CancelInput, HoldReviewInput
from models.returns import ReturnRequestInput, ReturnResult
from models.status import OrderStatus
from models.view import LineView
from workers.settings import Settings, dev_server_options

S = OrderStatus
SETTLED = BOOKED | CLOSED | WAITING
DELIVERED = frozenset({S.DELIVERED})
BLOCKED_CUSTOMER = "C-FRAUD-1"  # on data/risk_blocklist.json: the order is held for review


@dataclass
class Scenario:
    name: str
    lines: list[tuple[str, int, Decimal]]
    expect: frozenset[OrderStatus]
    options: dict[str, Any] = field(default_factory=dict)
    cancel: bool = False
    approve_hold: bool = False  # ops approve it once it is ON_HOLD
    return_one: bool = False  # the customer returns one unit once it is delivered


def _spare(inventory: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """sku -> warehouse -> units above safety stock."""
    spare: dict[str, dict[str, int]] = {}
    for row in inventory:
        free = max(0, int(row["available"]) - int(row["safety_stock"]))
        spare.setdefault(str(row["sku"]), {})[str(row["warehouse_id"])] = free
    return spare


def _split_lines(spare: dict[str, dict[str, int]], price: dict[str, Decimal]) -> list[Any]:
    # Two SKUs that no single warehouse holds together force a split shipment.
    stocked = {sku: {w for w, n in by_wh.items() if n > 0} for sku, by_wh in spare.items()}
    pairs = [
        (price[a] + price[b], a, b)
        for a in stocked
        for b in stocked
        if a < b
        and a in price
        and b in price
        and stocked[a]
        and stocked[b]
        and not stocked[a] & stocked[b]
    ]
    if pairs:  # the cheapest such pair, so the total does not raise the risk score
        _, a, b = min(pairs)
        return [(a, 1, price[a]), (b, 1, price[b])]
    # Otherwise more of one SKU than any single warehouse holds.
    for sku, by_wh in sorted(spare.items()):
        if sum(by_wh.values()) > max(by_wh.values(), default=0) > 0:
            return [(sku, max(by_wh.values()) + 1, price[sku])]
    raise CommandError("the catalog has no stock that needs a split shipment")


def scenarios(inventory: list[dict[str, Any]], price: dict[str, Decimal]) -> list[Scenario]:
    spare = _spare(inventory)
    totals = {sku: sum(by_wh.values()) for sku, by_wh in spare.items() if sku in price}
    plenty = sorted((s for s, n in totals.items() if n >= 10), key=lambda s: (-totals[s], s))
    if len(plenty) < 3:
        raise CommandError("the demo needs at least 3 SKUs with stock: seed data/catalog.json")
    scarce = min(totals, key=lambda s: (totals[s], s))
    available = {s: sum(int(r["available"]) for r in inventory if r["sku"] == s) for s in totals}

    def one(sku: str, quantity: int = 1) -> list[tuple[str, int, Decimal]]:
        return [(sku, quantity, price[sku])]

    return [
        Scenario("standard", one(plenty[0]), BOOKED),
        Scenario("expedited", one(plenty[1]), BOOKED, {"service_level": "expedited"}),
        Scenario("vip", one(plenty[2], 2), BOOKED, {"tier": "vip"}),
        Scenario("promotion", one(plenty[0]), BOOKED, {"promotion_code": "SPRING10"}),
        Scenario("split across warehouses", _split_lines(spare, price), BOOKED),
        Scenario(
            "card declined",
            one(plenty[1]),
            frozenset({S.AWAITING_PAYMENT}),
            {"token": "tok_decline"},
        ),
        Scenario("flaky card", one(plenty[2]), BOOKED, {"token": "tok_flaky"}),
        Scenario("backorder", one(scarce, available[scarce] + 1), frozenset({S.BACKORDERED})),
        Scenario("cancelled", one(plenty[0]), frozenset({S.CANCELLED}), cancel=True),
        Scenario(
            "risk hold, approved by ops",
            one(plenty[1]),
            BOOKED,
            {"customer_id": BLOCKED_CUSTOMER},
            approve_hold=True,
        ),
        Scenario("returned after delivery", one(plenty[2], 2), DELIVERED, return_one=True),
        # The simulated carrier reports a weather delay to this postal code, then delivers.
        Scenario("carrier delay", one(plenty[0]), BOOKED, {"postal_code": DELAYED_POSTAL_CODE}),
    ]


def ui_url(settings: Settings) -> str:
    """The Web UI of the dev server at TEMPORAL_ADDRESS (its yaml port, or gRPC + 1000)."""
    host, _, port = settings.temporal_address.rpartition(":")
    options = dev_server_options()
    ui = options.get("ui-port") if port == options.get("port") else str(int(port or 7233) + 1000)
    return f"http://{host}:{ui}/namespaces/{settings.temporal_namespace}/workflows"


async def run_demo(
    client: Client, settings: Settings, *, timeout: float = 90.0, url: str | None = None
) -> dict[str, Any]:
    cases = scenarios(store.inventory(settings), store.prices(settings))
    stamp, bar = run_stamp(), ProgressBar(len(cases), "demo orders")

    async def run(n: int, case: Scenario) -> dict[str, Any]:
        order = make_order(f"DEMO-{stamp}-{n + 1}", case.lines, n=n, **case.options)
        since = time.time()
        handle = await orders.start_order(client, settings, order)
        if case.cancel:
            await handle.execute_update(
                "request_cancel", CancelInput(reason="customer changed their mind")
            )
        settled = await wait_until(handle, SETTLED, since_wall=since, timeout=timeout)
        note = ""
        if case.approve_hold and settled.view and settled.view.status == S.ON_HOLD:
            review = HoldReviewInput(operator="demo-ops", note="customer confirmed by phone")
            await handle.execute_update("approve_hold", review, result_type=DecisionResult)
            settled = await wait_until(handle, BOOKED, since_wall=since, timeout=timeout)
            note = "approved by demo-ops"
        if case.return_one:
            settled = await wait_until(handle, DELIVERED, since_wall=since, timeout=3 * timeout)
            sku = case.lines[0][0]
            request = ReturnRequestInput(
                lines=[LineView(sku=sku, quantity=1)], reason="one was enough"
            )
            if settled.view and settled.view.status == S.DELIVERED:
                answer = await handle.execute_update(
                    "request_return", request, result_type=ReturnResult
                )
                note = f"{answer.rma_id}: {answer.message}"
        status = settled.view.status if settled.view else None
        bar.advance(note=f"{case.name}: {status.value if status else 'no answer'}")
        return {
            "scenario": case.name,
            "order_id": order.order_id,
            "status": status.value if status else "UNKNOWN",
            "warehouses": " ".join(sorted({a.warehouse_id for a in settled.view.allocations}))
            if settled.view
            else "",
            "expected": "/".join(sorted(s.value for s in case.expect)),
            "as_expected": status in case.expect,
            "note": note,
        }

    rows = await asyncio.gather(*(run(n, case) for n, case in enumerate(cases)))
    bar.finish()
    return {
        "orders": list(rows),
        "by_status": dict(Counter(row["status"] for row in rows)),
        "web_ui": url or ui_url(settings),
    }


def describe_demo(report: dict[str, Any]) -> str:
    columns = ["scenario", "order_id", "status", "warehouses", "note"]
    rows = [
        {**row, "status": row["status"] + ("" if row["as_expected"] else " (unexpected)")}
        for row in report["orders"]
    ]
    counts = [{"status": k, "orders": v} for k, v in sorted(report["by_status"].items())]
    return "\n".join(
        [
            table(rows, columns),
            "",
            table(counts, ["status", "orders"]),
            "",
            f"Web UI: {report['web_ui']}",
        ]
    )
