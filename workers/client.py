"""Connecting to Temporal with the shared data converter; nothing connects at import."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from workers.converter import data_converter
from workers.settings import Settings


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """`runtime`: the worker's, which serves its metrics (workers/metrics.py)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),  # this deployment's keyring
        runtime=runtime,
    )
