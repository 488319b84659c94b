"""Settings: `temporal-dev.yaml` first, environment variables over it (CONTRACT.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = PROJECT_ROOT / "temporal-dev.yaml"


def _yaml_env(section: str) -> dict[str, str]:
    if not ENV_FILE.exists():
        return {}
    data: dict[str, Any] = yaml.safe_load(ENV_FILE.read_text()) or {}
    return dict((data.get("env") or {}).get(section) or {})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    oms_task_queue: str = "orders"
    oms_database_url: str = f"sqlite:///{PROJECT_ROOT / '.oms' / 'oms.db'}"
    oms_sim_pace: float = 1.0
    oms_run_simulators: bool = True  # the carrier simulator runs inside the worker process
    oms_log_format: str = "auto"  # auto, json or console
    oms_sourcing_profile: str = str(PROJECT_ROOT / "data" / "sourcing_profile.json")
    oms_risk_blocklist: str = str(PROJECT_ROOT / "data" / "risk_blocklist.json")
    # The payload codec's keyring "id:base64key,...": the first key encrypts, all decrypt.
    oms_codec_keys: str = ""
    # The bearer token the codec server (the gateway's /codec) asks of the CLI and Web UI.
    oms_codec_token: str = ""
    # Notifications: email and ops alerts over SMTP (starter.py up runs a local sink when
    # the host is this machine); SMS and push go to simulated providers.
    oms_smtp_host: str = "127.0.0.1"
    oms_smtp_port: int = 1025
    oms_mail_from: str = "orders@oms.local"
    oms_ops_email: str = "ops@oms.local"
    oms_run_notifier: bool = True  # the outbox sender runs inside the worker process
    # The worker's Prometheus endpoint (SDK and business metrics); 0 turns it off.
    oms_metrics_host: str = "127.0.0.1"
    oms_metrics_port: int = 9464

    @property
    def task_queue(self) -> str:
        return self.oms_task_queue


def dev_server_options() -> dict[str, str]:
    """The `dev-server` section: flags for `temporal server start-dev`."""
    return _yaml_env("dev-server")


def load_settings(**overrides: Any) -> Settings:
    """Defaults from temporal-dev.yaml; environment variables win; explicit overrides win last."""
    client, oms = _yaml_env("dev"), _yaml_env("oms")
    defaults: dict[str, Any] = {}
    if "address" in client:
        defaults["temporal_address"] = client["address"]
    if "namespace" in client:
        defaults["temporal_namespace"] = client["namespace"]
    for key in (
        "task-queue",
        "database-url",
        "sim-pace",
        "codec-keys",
        "codec-token",
        "smtp-host",
        "smtp-port",
        "metrics-port",
    ):
        if key in oms:
            defaults["oms_" + key.replace("-", "_")] = oms[key]
    url = defaults.get("oms_database_url", "")
    path = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not path.startswith("/") and path != ":memory:":
        # A relative SQLite path in the yaml is relative to the project, not the cwd.
        defaults["oms_database_url"] = f"sqlite:///{PROJECT_ROOT / path}"
    from_env = Settings()
    explicit = from_env.model_dump(include=from_env.model_fields_set)
    return Settings(**{**defaults, **explicit, **overrides})
