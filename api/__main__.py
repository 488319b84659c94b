"""`python -m api`: the HTTP gateway on OMS_HTTP_HOST:OMS_HTTP_PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import uvicorn

from api.settings import GatewaySettings
from workers.logging import configure_logging
from workers.process import exit_now
from workers.settings import load_settings


def main() -> int:
    own = GatewaySettings()
    configure_logging(load_settings())
    # log_config=None: uvicorn's records go through the project's structlog setup.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=own.oms_http_host,
        port=own.oms_http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    return 0


if __name__ == "__main__":
    exit_now(main())
