"""`starter.py report [--from DATE] [--to DATE] [--html FILE] [--json]`: what the orders say.

Reads the database directly (OMS_DATABASE_URL) through the activity layer's queries; no
Temporal needed. A date alone means midnight UTC; `--to` with a date alone includes that
whole day. Without `--from` the period starts at the first order, without `--to` it ends now.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from activities.analytics import period_report
from cli.output import InvalidInput, emit
from cli.report_html import render
from cli.store import engine_for
from models.analytics_report import Report
from workers.settings import load_settings

SHOWN = 15  # recommendations in the text summary; --json and --html have them all


def parse_when(text: str | None, field: str, *, end: bool = False) -> datetime | None:
    """A date (YYYY-MM-DD) or an ISO date-time; naive means UTC."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return midnight + timedelta(days=1) if end else midnight
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{field}: {text!r} is not a date (YYYY-MM-DD) or date-time (ISO 8601)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _hours(value: float) -> str:
    if value < 1:
        return f"{value * 60:.1f}m"
    return f"{value:.1f}h" if value < 48 else f"{value / 24:.1f}d"


def describe(report: Report) -> str:
    t, s = report.totals, report.satisfaction
    lines = [
        f"Order report {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC",
        f"  orders {t.orders}, revenue {t.revenue}, SLA breached {t.sla_breached}, "
        f"parcels {t.parcels}",
        "  by status: " + (", ".join(f"{k} {v}" for k, v in t.by_status.items()) or "none"),
        "Lead time (p50 / p90 / p99):",
    ]
    lines += [
        f"  {x.step:<8} {x.warehouse_id or 'all':<8} n={x.count:<4} "
        f"{_hours(x.p50_h)} / {_hours(x.p90_h)} / {_hours(x.p99_h)}"
        for x in report.lead_times + report.lead_times_by_warehouse
    ] or ["  nothing finished a step yet"]
    lines.append("SLA breach rate:")
    lines += [
        f"  {b.by:<9} {b.name:<10} {b.breached}/{b.orders} ({b.rate:.0%})"
        for b in report.breach_rates
    ]
    lines.append("Cancellations:")
    lines += [f"  {c.count} x {c.status}: {c.reason}" for c in report.cancellations] or ["  none"]
    if report.backorders.orders:
        skus = ", ".join(f"{k} {v}" for k, v in report.backorders.by_sku.items())
        lines.append(f"Backorders: {report.backorders.orders} orders ({skus})")
    complaints = ", ".join(f"{c.category} {c.count}" for c in report.complaints) or "none"
    lines.append(f"Complaints: {complaints}")
    lines.append(
        f"Satisfaction: {s.answered}/{s.surveys_sent} answered, mean {s.mean_score:.2f}, "
        f"unhappy {s.unhappy}"
    )
    top = ", ".join(f"{x.sku} {x.units}" for x in report.top_skus[:5]) or "none"
    slow = ", ".join(f"{x.sku} {x.units}" for x in report.slow_skus[:5]) or "none"
    lines += [f"Top SKUs: {top}", f"Slow SKUs: {slow}"]
    short = sorted(
        (c for c in report.cover if c.days_of_cover is not None),
        key=lambda c: c.days_of_cover or 0.0,
    )[:5]
    lines.append(
        "Least cover: "
        + (", ".join(f"{c.sku}@{c.warehouse_id} {c.days_of_cover:.1f}d" for c in short) or "none")
    )
    lines.append("Recommendations:")
    shown = report.recommendations[:SHOWN]
    lines += [f"  [{r.kind}] {r.reason}" for r in shown] or ["  none"]
    if len(report.recommendations) > SHOWN:
        lines.append(f"  ... and {len(report.recommendations) - SHOWN} more (--json or --html)")
    return "\n".join(lines)


async def report(args: argparse.Namespace) -> int:
    start = parse_when(args.start, "--from")
    end = parse_when(args.end, "--to", end=True)
    if start is not None and end is not None and start >= end:
        raise InvalidInput(f"--from: {args.start} is not before --to {args.end}")
    built = period_report(engine_for(load_settings()), start=start, end=end)
    if args.html:
        path = Path(args.html)
        try:
            path.write_text(render(built), encoding="utf-8")
        except OSError as error:
            raise InvalidInput(f"--html: cannot write {path}: {error.strerror}") from None
    emit(built.model_dump(mode="json"), args.json, lambda _: describe(built))
    return 0


def add_parser(command: argparse.ArgumentParser) -> None:
    command.add_argument("--from", dest="start", metavar="DATE", help="YYYY-MM-DD or ISO time")
    command.add_argument("--to", dest="end", metavar="DATE", help="inclusive day, or ISO time")
    command.add_argument("--html", metavar="FILE", help="also write an HTML report with charts")
