"""`GET /healthz`: can this gateway reach Temporal and the database right now?"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from sqlalchemy import Engine, text

from api.schemas import Health
from api.state import GatewayDep

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_S = 3.0


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "Temporal or the database unreachable"}},
    summary="Reachability of Temporal and the database (200 both, else 503)",
)
async def healthz(gateway: GatewayDep, response: Response) -> Health:
    temporal = False
    try:
        client = await gateway.client()
        temporal = await asyncio.wait_for(client.service_client.check_health(), CHECK_TIMEOUT_S)
    except Exception:  # unreachable, refused or timed out: all mean "not healthy"
        temporal = False
    database = await asyncio.to_thread(_database_ok, gateway.engine)
    healthy = temporal and database
    response.status_code = 200 if healthy else 503
    return Health(
        status="ok" if healthy else "unavailable",
        temporal=temporal,
        temporal_address=gateway.settings.temporal_address,
        namespace=gateway.settings.temporal_namespace,
        database=database,
    )


def _database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
