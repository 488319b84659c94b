"""The gateway's own settings (environment variables; the Temporal ones stay in workers)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only for a laptop: any deployment sets OMS_WEBHOOK_SECRET (the gateway logs a warning).
DEV_WEBHOOK_SECRET = "oms-dev-webhook-secret"
DEV_CODEC_TOKEN = (
    "oms-dev-codec-token"  # temporal-dev.yaml's: fine on a laptop, not in a deployment
)


class GatewaySettings(BaseSettings):
    """`OMS_HTTP_HOST`, `OMS_HTTP_PORT`, `OMS_WEBHOOK_SECRET`, `OMS_GATEWAY_WAIT_S`,
    `OMS_CODEC_ORIGINS`."""

    model_config = SettingsConfigDict(extra="ignore")

    oms_http_host: str = "127.0.0.1"
    oms_http_port: int = Field(default=8000, ge=1, le=65535)
    # Shared with carriers and the WMS: they sign each body with HMAC-SHA256 of it.
    oms_webhook_secret: str = Field(default=DEV_WEBHOOK_SECRET, min_length=8)
    # How long a request waits on Temporal (an update, a WMS event's workflow) before 504.
    oms_gateway_wait_s: float = Field(default=30.0, gt=0)
    # Browser origins allowed to call /codec (CORS): the Temporal Web UI, comma-separated.
    oms_codec_origins: str = "http://localhost:8233,http://127.0.0.1:8233"
