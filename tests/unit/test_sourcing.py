"""Sourcing: whole lines if possible, then fewest shipments, then lowest cost, else short."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.activity_io import StockSnapshot, WarehouseStock
from models.order import Address
from models.sourcing import SourcingPlan, haversine_km, optimal_plan, plan_sourcing
from models.sourcing_profile import SourcingProfile, WarehouseRule
from models.view import Allocation, LineView

ROOT = Path(__file__).resolve().parents[2]

# Real sites, so "nearest" means what a reader expects from Shanghai:
# Shanghai < Hangzhou < Wuhan < Beijing < Guangzhou.
SITES = {
    "WH-SH": (31.23, 121.47),
    "WH-HZ": (30.27, 120.15),
    "WH-WH": (30.59, 114.31),
    "WH-BJ": (39.90, 116.40),
    "WH-GZ": (23.13, 113.26),
}


def _address(lat: float | None = 31.23, lon: float | None = 121.50) -> Address:
    return Address(
        recipient="Li Lei",
        phone="+86 138 0000 0000",
        country="CN",
        province="Shanghai",
        city="Shanghai",
        street="1 Century Ave",
        postal_code="200120",
        lat=lat,
        lon=lon,
    )


def _stock(**available: dict[str, int]) -> StockSnapshot:
    """`_stock(WH_SH={"A": 3})`: underscores stand for the dashes of warehouse ids."""
    warehouses = []
    for key, skus in available.items():
        warehouse_id = key.replace("_", "-")
        lat, lon = SITES[warehouse_id]
        warehouses.append(
            WarehouseStock(warehouse_id=warehouse_id, lat=lat, lon=lon, available=skus)
        )
    return StockSnapshot(warehouses=warehouses)


def _lines(**quantities: int) -> list[LineView]:
    return [LineView(sku=sku, quantity=qty) for sku, qty in quantities.items()]


def _picked(plan: SourcingPlan) -> list[tuple[str, str, int]]:
    return [(a.warehouse_id, a.sku, a.quantity) for a in plan.allocations]


def test_prefers_nearest_warehouse_with_full_stock() -> None:
    snapshot = _stock(WH_BJ={"A": 9, "B": 9}, WH_SH={"A": 2, "B": 1}, WH_HZ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=2, B=1), snapshot, _address())
    assert _picked(plan) == [("WH-SH", "A", 2), ("WH-SH", "B", 1)]
    assert plan.warehouses == ["WH-SH"]
    assert plan.fulfillable
    assert plan.explanation.startswith("WH-SH has every line, 3 km: 1 shipment, cost ")


def test_passes_over_a_nearer_warehouse_missing_a_line() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9, "B": 9}, WH_BJ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=2, B=1), snapshot, _address())
    assert _picked(plan) == [("WH-HZ", "A", 2), ("WH-HZ", "B", 1)]


def test_one_parcel_beats_a_nearer_split() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"B": 9}, WH_BJ={"A": 9, "B": 9})
    plan = plan_sourcing(_lines(A=1, B=1), snapshot, _address())
    assert plan.warehouses == ["WH-BJ"]


def test_splits_by_line_over_the_fewest_warehouses_when_none_has_everything() -> None:
    # Nearest-per-line would ship three parcels (B from WH-HZ); WH-BJ has B too: two.
    snapshot = _stock(WH_SH={"A": 9, "B": 1}, WH_HZ={"B": 9}, WH_BJ={"B": 9, "C": 9})
    plan = plan_sourcing(_lines(A=2, B=3, C=1), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "B", 3), ("WH-BJ", "C", 1), ("WH-SH", "A", 2)]
    assert plan.warehouses == ["WH-BJ", "WH-SH"]
    assert plan.fulfillable
    assert plan.explanation.startswith("WH-BJ + WH-SH: 2 shipments, cost ")
    assert "no warehouse has every line" in plan.explanation


def test_splits_one_line_across_the_fewest_warehouses_nearest_first() -> None:
    # Nearest first over all three would ship three parcels; WH-SH + WH-BJ hold 11.
    snapshot = _stock(WH_BJ={"A": 5}, WH_HZ={"A": 3}, WH_SH={"A": 6})
    plan = plan_sourcing(_lines(A=10), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "A", 4), ("WH-SH", "A", 6)]
    assert "A split across warehouses" in plan.explanation
    assert "no plan ships every line whole" in plan.explanation


def test_short_line_leaves_the_whole_order_unallocated() -> None:
    snapshot = _stock(WH_SH={"A": 5, "B": 9}, WH_BJ={"A": 3})
    plan = plan_sourcing(_lines(B=1, A=10), snapshot, _address())
    assert not plan.fulfillable
    assert plan.short_skus == ["A"]
    assert plan.allocations == []
    assert plan.warehouses == []
    assert plan.explanation == "short of A (need 10, network has 8)"


def test_sku_no_warehouse_lists_is_short() -> None:
    plan = plan_sourcing(_lines(A=1, Z=1), _stock(WH_SH={"A": 9}), _address())
    assert plan.short_skus == ["Z"]


def test_over_reserved_stock_counts_as_none() -> None:
    snapshot = _stock(WH_SH={"A": -4}, WH_HZ={"A": 3}, WH_BJ={"A": 2})
    plan = plan_sourcing(_lines(A=5), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "A", 2), ("WH-HZ", "A", 3)]


def test_without_coordinates_distances_tie_and_warehouse_id_decides() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9}, WH_BJ={"A": 9})
    plan = plan_sourcing(_lines(A=1), snapshot, _address(lat=None, lon=None))
    assert plan.warehouses == ["WH-BJ"]
    assert plan.explanation == (
        "WH-BJ has every line, no destination coordinates: 1 shipment, cost 6.00; "
        "next best WH-HZ: 1 shipment, cost 6.00"
    )


def test_warehouses_at_the_same_distance_tie_by_id() -> None:
    twins = StockSnapshot(
        warehouses=[
            WarehouseStock(warehouse_id=wid, lat=31.23, lon=121.47, available={"A": 9})
            for wid in ("WH-SH-2", "WH-SH-1")
        ]
    )
    assert plan_sourcing(_lines(A=1), twins, _address()).warehouses == ["WH-SH-1"]


@pytest.mark.parametrize("rotation", [0, 1, 2])
def test_plan_is_the_same_whatever_order_stock_and_lines_arrive_in(rotation: int) -> None:
    warehouses = [
        WarehouseStock(warehouse_id="WH-SH", lat=31.23, lon=121.47, available={"A": 4, "B": 1}),
        WarehouseStock(warehouse_id="WH-HZ", lat=30.27, lon=120.15, available={"A": 4, "C": 2}),
        WarehouseStock(warehouse_id="WH-BJ", lat=39.90, lon=116.40, available={"A": 4, "B": 5}),
    ]
    lines = _lines(A=10, B=3, C=2)
    rotated = StockSnapshot(warehouses=warehouses[rotation:] + warehouses[:rotation])
    plan = plan_sourcing(lines[rotation:] + lines[:rotation], rotated, _address())
    assert plan.allocations == [
        Allocation(sku="A", warehouse_id="WH-BJ", quantity=2),
        Allocation(sku="B", warehouse_id="WH-BJ", quantity=3),
        Allocation(sku="A", warehouse_id="WH-HZ", quantity=4),
        Allocation(sku="C", warehouse_id="WH-HZ", quantity=2),
        Allocation(sku="A", warehouse_id="WH-SH", quantity=4),
    ]


def test_haversine_measures_great_circle_kilometres() -> None:
    shanghai, beijing = SITES["WH-SH"], SITES["WH-BJ"]
    assert haversine_km(*shanghai, *beijing) == pytest.approx(1068, abs=5)
    assert haversine_km(*beijing, *shanghai) == pytest.approx(haversine_km(*shanghai, *beijing))
    assert haversine_km(*shanghai, *shanghai) == 0


def _profile(**rules: WarehouseRule) -> dict[str, WarehouseRule]:
    return {key.replace("_", "-"): rule for key, rule in rules.items()}


def test_fewest_shipments_beat_distance() -> None:
    # Three near parcels or two far ones: two, although the three cost less.
    snapshot = _stock(
        WH_SH={"A": 9}, WH_HZ={"B": 9}, WH_WH={"C": 9}, WH_BJ={"A": 9, "B": 9}, WH_GZ={"C": 1}
    )
    plan = plan_sourcing(_lines(A=1, B=1, C=1), snapshot, _address())
    assert plan.warehouses == ["WH-BJ", "WH-WH"]
    chosen, *others = plan.candidates
    assert chosen.chosen and chosen.shipments == 2 and chosen.cost == plan.cost
    cheaper = [c for c in others if c.cost < chosen.cost]
    assert cheaper and all(c.shipments == 3 and not c.chosen for c in cheaper)


def test_cost_breaks_a_tie_in_shipments() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_BJ={"A": 9}, WH_HZ={"B": 9}, WH_GZ={"B": 9})
    plan = plan_sourcing(_lines(A=1, B=1), snapshot, _address())
    assert plan.warehouses == ["WH-HZ", "WH-SH"]
    chosen, runner_up = plan.candidates[:2]
    assert (chosen.shipments, runner_up.shipments) == (2, 2)
    assert chosen.cost < runner_up.cost
    assert runner_up.warehouses == ["WH-GZ", "WH-SH"]
    assert "; next best WH-GZ + WH-SH: 2 shipments, cost " in plan.explanation


def test_handling_cost_can_outweigh_a_shorter_distance() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9})
    profile = SourcingProfile(
        per_km=Decimal("0.02"),
        warehouses=_profile(WH_SH=WarehouseRule(handling_cost=Decimal("50"))),
    )
    plan = plan_sourcing(_lines(A=1), snapshot, _address(), profile=profile)
    assert plan.warehouses == ["WH-HZ"]
    hz_km = haversine_km(*SITES["WH-HZ"], 31.23, 121.50)
    assert plan.cost == (Decimal(hz_km) * Decimal("0.02") + Decimal("6")).quantize(Decimal("0.01"))


def test_a_warehouse_without_the_capability_is_no_candidate_for_the_line() -> None:
    snapshot = _stock(WH_SH={"BLK-1": 9, "A": 9}, WH_HZ={"BLK-1": 9, "A": 9})
    profile = SourcingProfile(
        requirements={"BLK-": "bulky"},
        warehouses=_profile(WH_HZ=WarehouseRule(capabilities=frozenset({"bulky"}))),
    )
    plan = plan_sourcing(_lines(A=1), snapshot, _address(), profile=profile)
    assert plan.warehouses == ["WH-SH"]  # nothing bulky: the nearest
    plan = plan_sourcing(_lines(A=1, **{"BLK-1": 1}), snapshot, _address(), profile=profile)
    assert plan.warehouses == ["WH-HZ"]


def test_excluded_sku_prefixes_and_missing_capabilities_can_make_an_order_short() -> None:
    snapshot = _stock(WH_SH={"FRZ-1": 9}, WH_HZ={"FRZ-1": 9})
    profile = SourcingProfile(
        requirements={"FRZ-": "cold"},
        default_capabilities=frozenset({"cold"}),
        warehouses=_profile(WH_SH=WarehouseRule(excluded_prefixes=("FRZ-",))),
    )
    plan = plan_sourcing(_lines(**{"FRZ-1": 2}), snapshot, _address(), profile=profile)
    assert plan.warehouses == ["WH-HZ"]  # WH-HZ has no rule: the default capabilities
    cold_nowhere = profile.model_copy(update={"default_capabilities": frozenset()})
    plan = plan_sourcing(_lines(**{"FRZ-1": 2}), snapshot, _address(), profile=cold_nowhere)
    assert plan.short_skus == ["FRZ-1"]
    assert plan.explanation == "short of FRZ-1 (need 2, network has 0)"


def test_priority_biases_the_score() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9})
    profile = SourcingProfile(
        priority_step=Decimal("10"), warehouses=_profile(WH_SH=WarehouseRule(priority=1))
    )
    plan = plan_sourcing(_lines(A=1), snapshot, _address(), profile=profile)
    assert plan.warehouses == ["WH-HZ"]
    sh = next(c for c in plan.candidates if c.warehouses == ["WH-SH"])
    assert sh.score == sh.cost + 10 and sh.cost < plan.cost


def test_priority_breaks_a_tie_before_the_warehouse_id() -> None:
    snapshot = _stock(WH_SH={"A": 9}, WH_HZ={"A": 9}, WH_BJ={"A": 9})
    profile = SourcingProfile(
        warehouses=_profile(WH_BJ=WarehouseRule(priority=1), WH_HZ=WarehouseRule(priority=1))
    )
    plan = plan_sourcing(_lines(A=1), snapshot, _address(lat=None, lon=None), profile=profile)
    assert plan.warehouses == ["WH-SH"]


def test_lines_stay_whole_even_when_a_split_would_ship_fewer_parcels() -> None:
    # Splitting A over WH-SH and WH-HZ would ship two parcels; whole lines need three.
    snapshot = _stock(WH_SH={"A": 2, "B": 1}, WH_HZ={"A": 2, "C": 1}, WH_BJ={"A": 4})
    plan = plan_sourcing(_lines(A=4, B=1, C=1), snapshot, _address())
    assert _picked(plan) == [("WH-BJ", "A", 4), ("WH-HZ", "C", 1), ("WH-SH", "B", 1)]
    assert "split" not in plan.explanation


def test_the_profile_version_is_recorded_on_every_plan() -> None:
    profile = SourcingProfile(version="2031.4")
    snapshot = _stock(WH_SH={"A": 9})
    assert plan_sourcing(_lines(A=1), snapshot, _address()).profile_version == "builtin-1"
    assert plan_sourcing(_lines(A=1), snapshot, _address(), profile=profile).profile_version == (
        "2031.4"
    )
    short = plan_sourcing(_lines(A=99), snapshot, _address(), profile=profile)
    assert short.profile_version == "2031.4"


def test_candidates_list_the_best_plans_first_with_the_winner_marked() -> None:
    snapshot = _stock(
        WH_SH={"A": 9, "B": 9},
        WH_HZ={"A": 9, "B": 9},
        WH_WH={"A": 9, "B": 9},
        WH_BJ={"A": 9, "B": 9},
        WH_GZ={"A": 9, "B": 9},
    )
    plan = plan_sourcing(_lines(A=1, B=1), snapshot, _address())
    assert 1 < len(plan.candidates) <= 5
    assert [c.chosen for c in plan.candidates] == [True] + [False] * (len(plan.candidates) - 1)
    ranked = [(c.shipments, c.score) for c in plan.candidates]
    assert ranked == sorted(ranked)
    assert plan.candidates[0].warehouses == plan.warehouses == ["WH-SH"]
    assert plan.explanation.startswith(f"WH-SH has every line, 3 km: 1 shipment, cost {plan.cost}")


def test_the_checked_in_profile_loads_and_lets_every_stocked_warehouse_ship_its_skus() -> None:
    text = (ROOT / "data" / "sourcing_profile.json").read_text()
    profile = SourcingProfile.model_validate_json(text)
    assert profile.version
    catalog = json.loads((ROOT / "data" / "catalog.json").read_text())
    assert {w["warehouse_id"] for w in catalog["warehouses"]} == set(profile.warehouses)
    for row in catalog["stock"]:
        assert profile.can_ship(row["warehouse_id"], row["sku"]), row


def test_greedy_alone_still_sources_a_valid_plan() -> None:
    snapshot = _stock(WH_SH={"A": 4, "B": 1}, WH_HZ={"A": 4, "C": 2}, WH_BJ={"A": 4, "B": 5})
    plan = plan_sourcing(_lines(A=10, B=3, C=2), snapshot, _address(), exact_budget=0)
    assert plan.warehouses == ["WH-BJ", "WH-HZ", "WH-SH"]
    assert plan == optimal_plan(_lines(A=10, B=3, C=2), snapshot, _address())


# -- the heuristic against the exhaustive optimum --

_POINTS = [(31.23, 121.47), (30.27, 120.15), (39.90, 116.40), (23.13, 113.26), (31.23, 121.47)]


@st.composite
def _instances(draw: st.DrawFn) -> tuple[list[LineView], StockSnapshot, Address, SourcingProfile]:
    skus = ["A", "B", "C", "FRZ-D"][: draw(st.integers(1, 4))]
    ids = [f"W{i}" for i in range(draw(st.integers(1, 7)))]
    warehouses = []
    rules = {}
    for wid in ids:
        lat, lon = draw(st.sampled_from(_POINTS))
        stock = {sku: draw(st.integers(-1, 6)) for sku in skus if draw(st.booleans())}
        warehouses.append(WarehouseStock(warehouse_id=wid, lat=lat, lon=lon, available=stock))
        rules[wid] = WarehouseRule(
            handling_cost=Decimal(draw(st.integers(0, 2000))) / 100,
            priority=draw(st.integers(0, 2)),
            capabilities=frozenset({"cold"}) if draw(st.booleans()) else None,
        )
    profile = SourcingProfile(
        version="prop",
        priority_step=draw(st.sampled_from([Decimal(0), Decimal(5)])),
        requirements={"FRZ-": "cold"},
        warehouses=rules,
    )
    lines = [LineView(sku=sku, quantity=draw(st.integers(1, 6))) for sku in skus]
    located = draw(st.booleans())
    destination = _address() if located else _address(lat=None, lon=None)
    return lines, StockSnapshot(warehouses=warehouses), destination, profile


def _valid(plan: SourcingPlan, lines: list[LineView], snapshot: StockSnapshot, p: SourcingProfile):
    if not plan.fulfillable:
        assert plan.allocations == []
        return
    stock = {wh.warehouse_id: wh.available for wh in snapshot.warehouses}
    for line in lines:
        mine = [a for a in plan.allocations if a.sku == line.sku]
        assert sum(a.quantity for a in mine) == line.quantity
        for a in mine:
            assert 0 < a.quantity <= stock[a.warehouse_id].get(a.sku, 0)
            assert p.can_ship(a.warehouse_id, a.sku)
    assert plan.warehouses == sorted({a.warehouse_id for a in plan.allocations})


@settings(max_examples=300, deadline=None)
@given(_instances())
def test_the_heuristic_finds_the_exhaustive_optimum(
    case: tuple[list[LineView], StockSnapshot, Address, SourcingProfile],
) -> None:
    lines, snapshot, destination, profile = case
    best = optimal_plan(lines, snapshot, destination, profile=profile)
    plan = plan_sourcing(lines, snapshot, destination, profile=profile)
    _valid(best, lines, snapshot, profile)
    assert plan.allocations == best.allocations
    assert (plan.warehouses, plan.short_skus, plan.cost) == (
        best.warehouses,
        best.short_skus,
        best.cost,
    )
    greedy = plan_sourcing(lines, snapshot, destination, profile=profile, exact_budget=0)
    _valid(greedy, lines, snapshot, profile)
    assert greedy.fulfillable == best.fulfillable
    assert greedy.shipments >= best.shipments
    split = [a.sku for a in best.allocations]
    if len(split) == len(set(split)):  # the optimum ships whole lines: so must greedy
        assert len({a.sku for a in greedy.allocations}) == len(greedy.allocations)
