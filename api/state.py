"""What one running gateway holds: settings, one database engine, one Temporal client.

Made in the app's lifespan (nothing connects at import). The client is connected once at
start; if Temporal is not up yet, the first request that needs it connects instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from temporalio.client import Client

from api.errors import ApiError
from api.settings import GatewaySettings
from workers.client import connect
from workers.settings import Settings

CONNECT_TIMEOUT_S = 5.0


@dataclass
class Gateway:
    settings: Settings
    gateway: GatewaySettings
    engine: Engine
    _client: Client | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def client(self) -> Client:
        """The app's one client; 503 while Temporal cannot be reached."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(connect(self.settings), CONNECT_TIMEOUT_S)
                except Exception as error:  # the SDK raises RuntimeError with gRPC details
                    raise ApiError(
                        503, f"cannot reach Temporal at {self.settings.temporal_address}: {error}"
                    ) from None
        return self._client

    @property
    def connected(self) -> bool:
        return self._client is not None


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def _client(gateway: Annotated[Gateway, Depends(_gateway)]) -> Client:
    return await gateway.client()


GatewayDep = Annotated[Gateway, Depends(_gateway)]
ClientDep = Annotated[Client, Depends(_client)]
