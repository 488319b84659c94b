"""Sourcing: the heuristic against the exhaustive optimum, order by order.

    python -m bench.sourcing [--orders 10000] [--seed 7]

Generates a sale day over 10 warehouses (real Chinese cities, bulky and cold SKUs
only where the profile allows them): 1-5 lines an order, Zipf-popular SKUs, stock
skewed across warehouses and drawn down by the orders (restocked at a reorder point),
so multi-shipment orders and split lines happen. For every order it runs
`plan_sourcing` (timed), the greedy path alone (`exact_budget=0`) and `optimal_plan`
(every subset of the warehouses that hold some of the order: the true optimum of the
instance), then reports the share of orders at the optimal shipment count, total cost
against the optimal total, and decision times. Writes bench/results/sourcing.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import finish, machine, ms_summary, now, print_targets, timed
from models.activity_io import StockSnapshot, WarehouseStock
from models.order import Address
from models.sourcing import SourcingPlan, optimal_plan, plan_sourcing
from models.sourcing_profile import SourcingProfile, WarehouseRule
from models.view import LineView

RESULTS = Path(__file__).parent / "results" / "sourcing.json"

# warehouse -> (lat, lon, handling cost, priority, capabilities)
WAREHOUSES: dict[str, tuple[float, float, str, int, tuple[str, ...]]] = {
    "WH-SH": (31.23, 121.47, "7.50", 0, ("bulky", "cold")),
    "WH-BJ": (39.90, 116.41, "7.00", 0, ("bulky", "cold")),
    "WH-GZ": (23.13, 113.26, "6.00", 0, ("cold",)),
    "WH-SZ": (22.54, 114.06, "6.50", 0, ()),
    "WH-CD": (30.57, 104.07, "5.00", 0, ("bulky", "cold")),
    "WH-WH": (30.59, 114.31, "5.00", 0, ("bulky",)),
    "WH-XA": (34.34, 108.94, "4.50", 0, ("bulky",)),
    "WH-TJ": (39.08, 117.20, "5.50", 0, ("bulky",)),
    "WH-SY": (41.81, 123.43, "4.00", 1, ()),
    "WH-KM": (25.04, 102.71, "4.00", 1, ()),
}
# Where customers live: (lat, lon, weight).
CITIES = [
    (31.23, 121.47, 10), (39.90, 116.41, 9), (23.13, 113.26, 7), (22.54, 114.06, 7),
    (30.57, 104.07, 5), (29.56, 106.55, 5), (30.27, 120.15, 5), (32.06, 118.80, 4),
    (30.59, 114.31, 4), (34.34, 108.94, 3), (39.08, 117.20, 3), (36.07, 120.38, 3),
    (41.81, 123.43, 2), (45.80, 126.53, 2), (28.23, 112.94, 3), (26.07, 119.30, 2),
    (25.04, 102.71, 2), (36.65, 117.12, 2), (34.75, 113.63, 3), (43.83, 87.62, 1),
]  # fmt: skip
PROFILE = SourcingProfile(
    version="bench-1",
    per_km=Decimal("0.02"),
    default_handling_cost=Decimal("6.00"),
    priority_step=Decimal("3.00"),
    requirements={"BLK-": "bulky", "FRZ-": "cold"},
    warehouses={
        wid: WarehouseRule(
            handling_cost=Decimal(cost), priority=priority, capabilities=frozenset(tags)
        )
        for wid, (_, _, cost, priority, tags) in WAREHOUSES.items()
    },
)
SKUS = 400
LINES = [1, 2, 3, 4, 5], [40, 25, 17, 11, 7]
QUANTITIES = [1, 2, 3, 4, 5], [70, 16, 7, 4, 3]


class SaleDay:
    """Stock per (warehouse, SKU), skewed and drawn down by the orders."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.skus = [self._sku(n) for n in range(SKUS)]
        self.weights = [1 / (n + 1) ** 1.05 for n in range(SKUS)]  # Zipf popularity
        self.full: dict[str, dict[str, int]] = {}
        for n, sku in enumerate(self.skus):
            homes = [w for w in WAREHOUSES if PROFILE.can_ship(w, sku)]
            count = max(1, min(len(homes), round(rng.triangular(1, len(homes), 2 + 40 / (n + 8)))))
            depth = 4 + 400 / (n + 4)  # popular SKUs are stocked deeper
            self.full[sku] = {
                w: max(1, int(rng.expovariate(1 / depth))) for w in rng.sample(homes, count)
            }
        self.stock = {sku: dict(by_wh) for sku, by_wh in self.full.items()}

    def _sku(self, n: int) -> str:
        kind = self.rng.random()
        return f"{'BLK' if kind < 0.08 else 'FRZ' if kind < 0.14 else 'GEN'}-{n:04d}"

    def order(self) -> tuple[list[LineView], StockSnapshot, Address]:
        rng = self.rng
        count = rng.choices(*LINES)[0]
        skus: list[str] = []
        while len(skus) < count:
            sku = rng.choices(self.skus, self.weights)[0]
            if sku not in skus:
                skus.append(sku)
        lines = []
        for sku in skus:
            quantity = rng.choices(*QUANTITIES)[0]
            if rng.random() < 0.03:  # a bulk buy, often more than one warehouse holds
                quantity = rng.randint(6, 40)
            lines.append(LineView(sku=sku, quantity=quantity))
        snapshot = StockSnapshot(
            warehouses=[
                WarehouseStock(
                    warehouse_id=wid,
                    lat=lat,
                    lon=lon,
                    available={s: self.stock[s][wid] for s in skus if wid in self.stock[s]},
                )
                for wid, (lat, lon, *_) in WAREHOUSES.items()
            ]
        )
        return lines, snapshot, self._address()

    def _address(self) -> Address:
        lat, lon, _ = self.rng.choices(CITIES, [c[2] for c in CITIES])[0]
        located = self.rng.random() >= 0.02
        return Address(
            recipient="Bench",
            phone="+86 138 0000 0000",
            country="CN",
            province="P",
            city="C",
            street="1 Bench Rd",
            postal_code="100000",
            lat=round(lat + self.rng.uniform(-0.6, 0.6), 4) if located else None,
            lon=round(lon + self.rng.uniform(-0.6, 0.6), 4) if located else None,
        )

    def ship(self, plan: SourcingPlan) -> None:
        for a in plan.allocations:
            self.stock[a.sku][a.warehouse_id] -= a.quantity
        for sku in {a.sku for a in plan.allocations}:
            full, now = self.full[sku], self.stock[sku]
            if sum(now.values()) * 4 < sum(full.values()):  # reorder point: a quarter left
                self.stock[sku] = dict(full)


class Score:
    def __init__(self) -> None:
        self.orders = self.at_shipments = self.identical = self.disagree = 0
        self.cost = self.optimal_cost = Decimal(0)
        self.ms: list[float] = []

    def add(self, plan: SourcingPlan, best: SourcingPlan, ms: float) -> None:
        self.ms.append(ms)
        if plan.fulfillable != best.fulfillable:
            self.disagree += 1
        if not best.fulfillable:
            return
        self.orders += 1
        self.at_shipments += plan.shipments == best.shipments
        self.identical += plan.allocations == best.allocations
        self.cost += plan.cost
        self.optimal_cost += best.cost

    def report(self) -> dict[str, Any]:
        return {
            "at_optimal_shipments_pct": round(100 * self.at_shipments / self.orders, 3),
            "identical_plan_pct": round(100 * self.identical / self.orders, 3),
            "total_cost": str(self.cost),
            "cost_over_optimal_pct": round(
                float(100 * (self.cost - self.optimal_cost) / self.optimal_cost), 4
            ),
            "fulfillable_disagreements": self.disagree,
            "decision_ms": ms_summary(self.ms, detail=True),
        }


def run(orders: int, seed: int) -> dict[str, Any]:
    day = SaleDay(random.Random(seed))
    heuristic, greedy = Score(), Score()
    optimal_ms: list[float] = []
    shape = {"fulfillable": 0, "short": 0, "multi_shipment": 0, "split_line": 0, "lines": 0}
    holders: list[int] = []
    shipments: dict[int, int] = {}
    started = time.monotonic()
    for _ in range(orders):
        lines, snapshot, address = day.order()
        best, ms = timed(optimal_plan, lines, snapshot, address, profile=PROFILE)
        optimal_ms.append(ms)
        plan, ms = timed(plan_sourcing, lines, snapshot, address, profile=PROFILE)
        heuristic.add(plan, best, ms)
        plan, ms = timed(plan_sourcing, lines, snapshot, address, profile=PROFILE, exact_budget=0)
        greedy.add(plan, best, ms)
        shape["lines"] += len(lines)
        holders.append(sum(any(v > 0 for v in w.available.values()) for w in snapshot.warehouses))
        if best.fulfillable:
            shape["fulfillable"] += 1
            shipments[best.shipments] = shipments.get(best.shipments, 0) + 1
            shape["multi_shipment"] += best.shipments > 1
            shape["split_line"] += len(best.allocations) > len({a.sku for a in best.allocations})
            day.ship(best)
        else:
            shape["short"] += 1
    elapsed = time.monotonic() - started
    result: dict[str, Any] = {
        "benchmark": "sourcing: plan_sourcing against optimal_plan (every subset)",
        "run_at": now(),
        "machine": machine(),
        "params": {
            "orders": orders,
            "seed": seed,
            "warehouses": len(WAREHOUSES),
            "skus": SKUS,
            "profile_version": PROFILE.version,
        },
        "instances": {
            **shape,
            "mean_lines": round(shape.pop("lines") / orders, 3),
            "mean_warehouses_holding_some_of_the_order": round(statistics.fmean(holders), 3),
            "orders_by_optimal_shipments": {str(k): v for k, v in sorted(shipments.items())},
        },
        "heuristic": heuristic.report(),
        "greedy_only": greedy.report(),
        "optimal": {"decision_ms": ms_summary(optimal_ms, detail=True)},
        "elapsed_s": round(elapsed, 1),
    }
    h = result["heuristic"]
    result["targets"] = {
        "at_optimal_shipments_pct>=99": h["at_optimal_shipments_pct"] >= 99,
        "cost_over_optimal_pct<=2": h["cost_over_optimal_pct"] <= 2,
        "median_ms<2": h["decision_ms"]["median"] < 2,
    }
    return result


def _print(result: dict[str, Any]) -> None:
    i = result["instances"]
    print(
        f"{result['params']['orders']} orders over {result['params']['warehouses']} warehouses: "
        f"{i['fulfillable']} fulfillable, {i['short']} short, "
        f"{i['multi_shipment']} multi-shipment, {i['split_line']} with a split line; "
        f"{i['mean_lines']} lines an order"
    )
    for name in ("heuristic", "greedy_only"):
        r, ms = result[name], result[name]["decision_ms"]
        print(
            f"{name:12} optimal shipments {r['at_optimal_shipments_pct']}%, "
            f"identical plan {r['identical_plan_pct']}%, cost +{r['cost_over_optimal_pct']}% "
            f"over optimal, decision median {ms['median']} ms, p99 {ms['p99']} ms"
        )
    ms = result["optimal"]["decision_ms"]
    print(f"{'optimal':12} decision median {ms['median']} ms, p99 {ms['p99']} ms")
    print_targets(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sourcing", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.orders, args.seed)
    _print(result)
    return finish(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
