"""PNG charts of a report (matplotlib, Agg): for the HTML report and the dashboard.

Figures are made with `matplotlib.figure.Figure`, never pyplot, so no global state is
shared between the gateway's threads and nothing needs a display.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display on servers

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from models.analytics_report import Report  # noqa: E402

COLOUR, ALERT, MUTED = "#2f6db5", "#c0392b", "#95a5a6"


def _png(draw: Callable[[Axes], None], *, width: float = 7.0, height: float = 3.2) -> bytes:
    figure = Figure(figsize=(width, height), dpi=90)
    axes = figure.subplots()
    draw(axes)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _empty(axes: Axes, title: str) -> None:
    axes.set_title(title)
    axes.text(0.5, 0.5, "no data in this period", ha="center", va="center", color=MUTED)
    axes.set_xticks([])
    axes.set_yticks([])


def _bars(
    axes: Axes, labels: Sequence[str], values: Sequence[float], title: str, zeros: bool = False
) -> None:
    """Bars; no bars at all (or only zeros, unless `zeros` are news) draw "no data"."""
    if not labels or not (zeros or any(values)):
        _empty(axes, title)
        return
    axes.bar(range(len(labels)), values, color=COLOUR)
    axes.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 8 else 0, ha="right")
    axes.set_title(title)


def volume_by_hour(report: Report) -> bytes:
    def draw(axes: Axes) -> None:
        hours = report.volume_by_hour
        _bars(axes, [f"{h.hour:02d}" for h in hours], [h.orders for h in hours], "Orders by hour")
        axes.set_xlabel("hour of day (UTC)")

    return _png(draw)


def volume_by_day(report: Report) -> bytes:
    def draw(axes: Axes) -> None:
        days = report.volume_by_day[-31:]  # the last month of a long period
        labels = [d.day.strftime("%m-%d") for d in days]
        _bars(axes, labels, [float(d.revenue) for d in days], "Revenue by day")
        for x, d in enumerate(days):
            if d.orders:
                axes.annotate(str(d.orders), (x, float(d.revenue)), ha="center", va="bottom")

    return _png(draw)


def lead_time(report: Report) -> bytes:
    def draw(axes: Axes) -> None:
        steps = report.lead_times
        if not steps:
            _empty(axes, "Lead time per step (hours)")
            return
        xs = range(len(steps))
        axes.bar([x - 0.2 for x in xs], [s.p50_h for s in steps], 0.4, label="p50", color=COLOUR)
        axes.bar([x + 0.2 for x in xs], [s.p90_h for s in steps], 0.4, label="p90", color=MUTED)
        axes.set_xticks(list(xs), [s.step for s in steps])
        axes.set_title("Lead time per step (hours)")
        axes.legend()

    return _png(draw)


def breach_rates(report: Report) -> bytes:
    def draw(axes: Axes) -> None:
        rows = [r for r in report.breach_rates if r.by != "all"]
        labels = [f"{r.name}" for r in rows]
        _bars(axes, labels, [100 * r.rate for r in rows], "SLA breach rate (%)", zeros=True)
        if rows and any(r.rate for r in rows):
            for patch, row in zip(axes.patches, rows, strict=False):
                patch.set_color(ALERT if row.rate > 0 else COLOUR)

    return _png(draw)


def complaints(report: Report) -> bytes:
    def draw(axes: Axes) -> None:
        rows = report.complaints
        _bars(axes, [c.category for c in rows], [c.count for c in rows], "Complaints by category")

    return _png(draw)


def days_of_cover(report: Report) -> bytes:
    """The 15 stock rows with the least cover (those that move at all)."""
    moving = [c for c in report.cover if c.days_of_cover is not None]
    rows = sorted(moving, key=lambda c: (c.days_of_cover or 0.0, c.sku))[:15]

    def draw(axes: Axes) -> None:
        if not rows:
            _empty(axes, "Days of cover (lowest)")
            return
        values = [c.days_of_cover or 0.0 for c in rows]
        lead = [c.lead_time_days or 7 for c in rows]
        colours = [ALERT if v < d else COLOUR for v, d in zip(values, lead, strict=True)]
        axes.barh(range(len(rows)), values, color=colours)
        axes.set_yticks(range(len(rows)), [f"{c.sku}@{c.warehouse_id}" for c in rows])
        axes.invert_yaxis()
        axes.set_title("Days of cover (lowest; red: under the lead time)")

    return _png(draw, height=max(3.2, 0.3 * len(rows) + 1))


CHARTS: dict[str, Callable[[Report], bytes]] = {
    "volume_by_hour": volume_by_hour,
    "volume_by_day": volume_by_day,
    "lead_time": lead_time,
    "breach_rates": breach_rates,
    "complaints": complaints,
    "days_of_cover": days_of_cover,
}
