"""`starter.py dispatch-plan [--warehouse W] [--date D]`: the stored plans of the own vans.

DispatchPlanWorkflow stores one plan per warehouse and day (daily at 05:00 UTC); this
prints them: each van's stops in driving order, its load, kilometres and return time,
and the deliveries no van could take, with the reason.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from activities.db import reading
from activities.dispatch import stored_plans
from activities.tables import Warehouse
from cli import store
from cli.output import InvalidInput, emit
from models.dispatch_io import StoredPlan
from workers.settings import Settings, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", metavar="W", help="one warehouse (default: all)")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today, UTC)")


def parse_day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"date: {text!r} is not a YYYY-MM-DD date") from None


def plans_of(settings: Settings, day: date, warehouse_id: str | None) -> list[StoredPlan]:
    engine = store.engine_for(settings)
    if warehouse_id:
        with reading(engine) as connection:
            known = connection.execute(
                select(Warehouse.warehouse_id).where(Warehouse.warehouse_id == warehouse_id)
            ).first()
        if known is None:
            raise InvalidInput(f"warehouse: unknown warehouse {warehouse_id}")
    return stored_plans(engine, day=day, warehouse_id=warehouse_id)


def _clock(minutes: float) -> str:
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def describe(plans: list[StoredPlan], day: date) -> str:
    if not plans:
        return f"no dispatch plan for {day} (the plan runs daily at 05:00 UTC)"
    lines = []
    for stored in plans:
        plan = stored.plan
        used = [r for r in plan.routes if r.stops]
        lines.append(
            f"{plan.warehouse_id} {stored.day}: {len(used)} of {len(plan.routes)} vans, "
            f"{plan.served} stops, {plan.total_distance_km:.1f} km "
            f"(planned {stored.planned_at:%Y-%m-%d %H:%M} UTC)"
        )
        for r in used:
            start = r.arrivals_min[0] if r.arrivals_min else r.return_min
            times = f"first stop {_clock(start)}, back {_clock(r.return_min)}"
            stops = f"{len(r.stops)} stop" + ("" if len(r.stops) == 1 else "s")
            load = f"{stops}  {r.load_kg:g} kg  {r.distance_km:.1f} km"
            lines.append(f"  van {r.van}  {load}  {times}: " + " > ".join(r.stops))
        for u in plan.unserved:
            lines.append(f"  not on a van: {u.stop_id} ({u.reason})")
    return "\n".join(lines)


async def dispatch_plan(args: argparse.Namespace) -> int:
    day = parse_day(args.date)
    plans = plans_of(load_settings(), day, args.warehouse)
    rows: list[dict[str, Any]] = [p.model_dump(mode="json") for p in plans]
    emit(rows, args.json, lambda _: describe(plans, day))
    return 0
