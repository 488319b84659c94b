"""The HTTP gateway: storefronts, carriers and the WMS talk to the order workflows here.

`create_app()` builds the FastAPI app; nothing connects until its lifespan starts, which
opens one database engine and one Temporal client (the shared data converter) per app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api import (
    errors,
    routes_health,
    routes_inventory,
    routes_orders,
    routes_returns,
    routes_webhooks,
)
from api.metrics import install as install_metrics
from api.routes_codec import install as install_codec
from api.routes_dashboard import router as dashboard_router
from api.settings import DEV_CODEC_TOKEN, DEV_WEBHOOK_SECRET, GatewaySettings
from api.state import Gateway
from cli.store import engine_for
from workers.settings import Settings, load_settings

log = structlog.get_logger("api")
MAX_BODY = 1024 * 1024  # an order has at most 100 lines: a megabyte is plenty


def create_app(
    settings: Settings | None = None, gateway_settings: GatewaySettings | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        oms = settings or load_settings()
        own = gateway_settings or GatewaySettings()
        if own.oms_webhook_secret == DEV_WEBHOOK_SECRET:
            log.warning("gateway", outcome="dev_webhook_secret", hint="set OMS_WEBHOOK_SECRET")
        if oms.oms_codec_token == DEV_CODEC_TOKEN:
            log.warning("gateway", outcome="dev_codec_token", hint="set OMS_CODEC_TOKEN")
        engine = engine_for(oms)  # creates the schema on a fresh database
        gateway = Gateway(settings=oms, gateway=own, engine=engine)
        try:
            await gateway.client()
        except errors.ApiError as error:  # Temporal not up yet: the first request retries
            log.warning("gateway", outcome="temporal_unreachable", error=error.detail)
        app.state.gateway = gateway
        log.info("gateway", outcome="started", temporal=oms.temporal_address)
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Order management gateway",
        version="1.0.0",
        summary="Orders as durable Temporal workflows: place, track, cancel; webhooks.",
        lifespan=lifespan,
    )
    errors.install(app)

    @app.middleware("http")
    async def refuse_huge_bodies(request: Request, call_next: Any) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            detail = f"document: the body is over {MAX_BODY} bytes"
            return JSONResponse({"detail": detail, "errors": []}, status_code=413)
        response: Response = await call_next(request)
        return response

    install_codec(app)  # /codec/encode, /codec/decode, with CORS for the Web UI
    install_metrics(app)  # GET /metrics; added last, so it sees every request
    for module in (routes_orders, routes_returns, routes_inventory, routes_webhooks, routes_health):
        app.include_router(module.router)
    app.include_router(dashboard_router)  # /dashboard: live figures, alerts and charts
    return app
