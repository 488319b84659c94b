"""The gateway's request metrics (prometheus_client), served at `GET /metrics`.

    oms_http_requests_total{method, route, status}          requests answered
    oms_http_request_duration_seconds{method, route}        time to answer (histogram)

`route` is the route's template (`/orders/{order_id}`), never the raw path, so the
series stay few; a path that matches no route counts as `unmatched`. Each app has a
registry of its own, so several apps in one process (tests) never clash.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"
router = APIRouter()


class RequestMetrics:
    """Pure ASGI middleware: it sees the response status without buffering the body."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "oms_http_requests",
            "HTTP requests answered by the gateway",
            ["method", "route", "status"],
            registry=registry,
        )
        self.duration = Histogram(
            "oms_http_request_duration_seconds",
            "Time the gateway took to answer",
            ["method", "route"],
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500  # no response at all counts as a 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            # The router puts the matched route in the scope on its way in.
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"]
            self.requests.labels(method, route, str(status)).inc()
            self.duration.labels(method, route).observe(time.perf_counter() - started)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Count every request (outermost, so refusals by other middleware count too)."""
    registry = CollectorRegistry()
    app.state.metrics_registry = registry
    app.add_middleware(RequestMetrics, registry=registry)
    app.include_router(router)
