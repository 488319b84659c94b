"""The worker's Prometheus endpoint: the SDK's own metrics and the business metrics.

The Temporal runtime serves `/metrics` on OMS_METRICS_HOST:OMS_METRICS_PORT (9464; 0
turns it off). Activities add business metrics through `activity.metric_meter()`
(activities/records.py) and the outbox sender through the runtime's meter, so they all
come out of the same endpoint. Several workers on one host need distinct ports: when the
port is taken the worker logs it and runs without metrics rather than not at all.
"""

from __future__ import annotations

import structlog
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from workers.settings import Settings

log = structlog.get_logger(__name__)
# Step latency runs from seconds (RECEIVED -> RESERVED) to days (backorders, delivery).
STEP_LATENCY_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400]


def metrics_address(settings: Settings) -> str | None:
    if settings.oms_metrics_port == 0:
        return None
    return f"{settings.oms_metrics_host}:{settings.oms_metrics_port}"


def worker_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving Prometheus metrics; None (the SDK's default runtime) when off."""
    address = metrics_address(settings)
    if address is None:
        return None
    config = PrometheusConfig(
        bind_address=address,
        counters_total_suffix=True,  # Prometheus naming: counters end in _total
        durations_as_seconds=True,
        histogram_bucket_overrides={"oms_order_step_latency_seconds": STEP_LATENCY_BUCKETS},
    )
    try:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=config))
    except ValueError as error:  # the SDK's "Failed starting Prometheus exporter"
        log.warning("metrics", outcome="disabled", address=address, error=str(error))
        return None
    log.info("metrics", outcome="serving", url=f"http://{address}/metrics")
    return runtime
