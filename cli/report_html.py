"""The report as one self-contained HTML file: tables and PNG charts as base64 data URIs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

from cli.report_charts import CHARTS
from models.analytics_report import Report

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 0; } .period { color: #666; margin-top: 0.2em; }
section { margin: 1.5em 0; } table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts img { max-width: 540px; }
"""


def _cell(value: Any) -> str:
    if isinstance(value, float):  # a fast demo measures hours in thousandths
        return (
            f'<td class="n">{value:.2f}</td>'
            if abs(value) >= 1
            else f'<td class="n">{value:.3g}</td>'
        )
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "<p><em>none in this period</em></p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def chart(name: str, report: Report) -> str:
    data = base64.b64encode(CHARTS[name](report)).decode()
    return f'<img id="chart-{name}" alt="{name}" src="data:image/png;base64,{data}">'


def section(title: str, *parts: str) -> str:
    slug = title.lower().replace(" ", "-")
    return f'<section id="{slug}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def render(report: Report) -> str:
    t = report.totals
    s = report.satisfaction
    period = f"{report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC"
    sections = [
        section(
            "Volume",
            table(
                ["orders", "revenue", "SLA breached", "parcels"],
                [[t.orders, str(t.revenue), t.sla_breached, t.parcels]],
            ),
            table(["status", "orders"], sorted(t.by_status.items())),
            '<div class="charts">',
            chart("volume_by_hour", report),
            chart("volume_by_day", report),
            "</div>",
        ),
        section(
            "Fulfilment",
            table(
                ["step", "warehouse", "count", "p50 h", "p90 h", "p99 h"],
                [
                    [x.step, x.warehouse_id or "all", x.count, x.p50_h, x.p90_h, x.p99_h]
                    for x in report.lead_times + report.lead_times_by_warehouse
                ],
            ),
            table(
                ["by", "name", "orders", "breached", "rate"],
                [[b.by, b.name, b.orders, b.breached, b.rate] for b in report.breach_rates],
            ),
            table(
                ["lane", "carrier", "parcels", "median h", "p90 h", "delayed"],
                [
                    [x.lane, x.carrier, x.parcels, x.median_h, x.p90_h, x.delayed]
                    for x in report.lanes
                ],
            ),
            '<div class="charts">',
            chart("lead_time", report),
            chart("breach_rates", report),
            "</div>",
        ),
        section(
            "Customer care",
            table(
                ["status", "reason", "orders"],
                [[c.status, c.reason, c.count] for c in report.cancellations],
            ),
            table(["backordered SKU", "orders"], list(report.backorders.by_sku.items())),
            table(["complaint", "count"], [[c.category, c.count] for c in report.complaints]),
            table(
                ["surveys sent", "answered", "mean score", "unhappy"],
                [[s.surveys_sent, s.answered, s.mean_score, s.unhappy]],
            ),
            chart("complaints", report),
        ),
        section(
            "Stock",
            table(
                ["top SKU", "units", "per day"],
                [[x.sku, x.units, x.per_day] for x in report.top_skus],
            ),
            table(
                ["slow SKU", "units", "on hand"],
                [[x.sku, x.units, x.on_hand] for x in report.slow_skus],
            ),
            chart("days_of_cover", report),
        ),
        section(
            "Recommendations",
            table(
                ["kind", "subject", "reason"],
                [[r.kind, r.subject, r.reason] for r in report.recommendations],
            ),
        ),
    ]
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Order report</title>'
        f"<style>{STYLE}</style></head><body><h1>Order report</h1>"
        f'<p class="period">{escape(period)}</p>{"".join(sections)}</body></html>\n'
    )
