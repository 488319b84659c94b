"""The ops dashboard: `GET /dashboard` (a page), `/dashboard/data` (JSON), charts as PNG.

The page (api/dashboard.html) polls `/dashboard/data` every few seconds and updates the
counts, throughput, SLA breaches and alerts in place; it reloads the charts only when the
data's `stamp` says an order changed. Charts are the report's (cli/report_charts.py) over
the last `hours` (24 by default); one report is built per stamp and shared by the charts.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from activities.analytics import period_report
from activities.analytics_live import live_figures
from activities.sqltypes import utcnow
from api.errors import ApiError
from api.state import GatewayDep
from cli.report_charts import CHARTS
from models.analytics_report import Report

router = APIRouter(tags=["dashboard"])
PAGE = Path(__file__).with_name("dashboard.html")


class DashboardAlert(BaseModel):
    created_at: datetime
    event: str
    order_id: str
    body: str


class DashboardData(BaseModel):
    now: datetime
    orders: int
    by_status: dict[str, int]
    placed_last_minute: int
    placed_last_hour: int
    sla_breached: int
    alerts: list[DashboardAlert]
    stamp: str  # changes whenever an order changes


@cache
def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


class _ReportCache:
    """The last report built, per period length and data stamp: six charts, one report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, float] | None = None
        self._report: Report | None = None

    def get(self, gateway: GatewayDep, hours: float) -> Report:
        stamp = live_figures(gateway.engine, now=utcnow(), alerts=0)["stamp"]
        with self._lock:  # one thread builds; the others wait and reuse it
            if self._key != (stamp, hours) or self._report is None:
                end = utcnow()
                start = end - timedelta(hours=hours)
                self._report = period_report(gateway.engine, start=start, end=end)
                self._key = (stamp, hours)
            return self._report


REPORTS = _ReportCache()


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    return HTMLResponse(_page())


@router.get(
    "/dashboard/data",
    response_model=DashboardData,
    summary="Live order counts by status, throughput, SLA breaches and recent ops alerts",
)
def dashboard_data(gateway: GatewayDep) -> DashboardData:
    # A plain `def`: FastAPI runs it in its thread pool, so the database never blocks the loop.
    now = utcnow()
    return DashboardData.model_validate({"now": now, **live_figures(gateway.engine, now=now)})


@router.get(
    "/dashboard/charts/{name}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "no such chart"}},
    summary="One chart of the report over the last hours, as PNG",
)
def dashboard_chart(
    name: str,
    gateway: GatewayDep,
    hours: Annotated[float, Query(gt=0, le=24 * 90)] = 24,
) -> Response:
    if name not in CHARTS:
        raise ApiError(404, f"name: no chart {name} (known: {', '.join(CHARTS)})", field="name")
    png = CHARTS[name](REPORTS.get(gateway, hours))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
