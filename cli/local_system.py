"""A throwaway system on this machine: an in-memory dev server, a seeded SQLite database
and one worker process. Used by the history recorders and the throughput benchmark."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activities.catalog import seed_catalog
from activities.db import create_schema, make_engine
from activities.purchasing import seed_suppliers
from cli.documents import load_catalog
from cli.up import start_worker, stop_process
from models.suppliers import SupplierDocument
from workers.devserver import DevServer, free_port, start_dev_server
from workers.settings import PROJECT_ROOT, Settings, load_settings


@dataclass
class LocalSystem:
    server: DevServer
    settings: Settings
    workdir: Path


@contextmanager
def local_system(
    task_queue: str, *, pace: float = 0.05, suppliers: bool = False, **overrides: Any
) -> Iterator[LocalSystem]:
    """Up until the block ends; `overrides` are settings (e.g. a codec keyring)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"oms-{task_queue}-"))
    server = start_dev_server(port=free_port(), in_memory=True, headless=True)
    worker = None
    try:
        settings = load_settings(
            temporal_address=server.address,
            oms_database_url=f"sqlite:///{workdir / 'oms.db'}",
            oms_task_queue=task_queue,
            oms_sim_pace=pace,
            **overrides,
        )
        engine = make_engine(settings.oms_database_url)
        create_schema(engine)
        seed_catalog(engine, doc=load_catalog(str(PROJECT_ROOT / "data/catalog.json")))
        if suppliers:
            text = (PROJECT_ROOT / "data/suppliers.json").read_text()
            seed_suppliers(engine, doc=SupplierDocument.model_validate_json(text))
        engine.dispose()
        worker = start_worker(settings, workdir / "worker.log")
        yield LocalSystem(server, settings, workdir)
    finally:
        if worker is not None:
            stop_process(worker)
        server.stop()
