"""`starter.py up`: dev server, worker, schema and seed; serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from activities.purchasing import seed_suppliers
from api.routes_codec import ui_endpoint
from cli import store
from cli.commands import client_for
from cli.output import CommandError
from models.suppliers import SupplierDocument
from workers.devserver import DevServer, log_tail, start_dev_server
from workers.metrics import metrics_address
from workers.settings import PROJECT_ROOT, Settings
from workers.smtp_sink import MAIL_DIR, SmtpSink, is_local
from workflows.schedules import ensure_schedules

STATE_DIR = PROJECT_ROOT / ".oms"
DEMO_CATALOG = PROJECT_ROOT / "data" / "catalog.json"
SUPPLIERS = PROJECT_ROOT / "data" / "suppliers.json"


def _child_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "OMS_TASK_QUEUE": settings.task_queue,
        "OMS_DATABASE_URL": settings.oms_database_url,
        "OMS_SIM_PACE": str(settings.oms_sim_pace),
        # The same keyring and codec token as this process: one deployment, one codec.
        "OMS_CODEC_KEYS": settings.oms_codec_keys,
        "OMS_CODEC_TOKEN": settings.oms_codec_token,
        **extra,
    }


def _start_module(module: str, env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        # Own session, so Ctrl-C reaches only us and we stop the children before the server.
        return subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def start_worker(settings: Settings, log_path: Path, **extra_env: str) -> subprocess.Popen[bytes]:
    """`python -m workers` against this address and database, logging to `log_path`.

    `extra_env` adds worker settings (e.g. OMS_SMTP_PORT, OMS_METRICS_PORT).
    """
    return _start_module("workers", _child_env(settings, **extra_env), log_path)


def start_mail_sink(settings: Settings, say: Callable[..., None]) -> SmtpSink | None:
    """A local SMTP server keeping the mails in .oms/mail/, when mail goes to this machine."""
    if not is_local(settings.oms_smtp_host):
        return None
    try:
        sink = SmtpSink(MAIL_DIR, host=settings.oms_smtp_host, port=settings.oms_smtp_port)
        sink.start()
    except Exception as error:  # e.g. the port is taken (another sink): mail goes there
        say(f"SMTP sink not started on port {settings.oms_smtp_port}: {error}")
        return None
    say(f"SMTP sink on {settings.oms_smtp_host}:{settings.oms_smtp_port} (mail in {MAIL_DIR})")
    return sink


def start_gateway(
    settings: Settings, port: int, log_path: Path, **extra_env: str
) -> subprocess.Popen[bytes]:
    """`python -m api` (the HTTP gateway) on `port`, against this address and database.

    `extra_env` adds gateway settings (e.g. OMS_WEBHOOK_SECRET) to the inherited ones.
    """
    host = os.environ.get("OMS_HTTP_HOST", "127.0.0.1")
    env = _child_env(settings, OMS_HTTP_PORT=str(port), OMS_HTTP_HOST=host, **extra_env)
    return _start_module("api", env, log_path)


def codec_origins(server: DevServer | None) -> dict[str, str]:
    """Gateway env letting the started Web UI call the codec server (CORS), unless set."""
    if server is None or server.ui_port is None or "OMS_CODEC_ORIGINS" in os.environ:
        return {}
    return {"OMS_CODEC_ORIGINS": f"{server.ui_origin},http://localhost:{server.ui_port}"}


def _reachable(host: str | None) -> str:
    """Where to reach a server bound to `host` from this machine."""
    return "127.0.0.1" if host in (None, "", "0.0.0.0", "::") else host


def wait_for_gateway(
    process: subprocess.Popen[bytes], url: str, log_path: Path, timeout: float = 30.0
) -> None:
    """Until `url`/healthz answers (any status: the app is up); CommandError if it died."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(
                f"the HTTP gateway exited with code {process.returncode}; log tail:\n"
                + log_tail(log_path)
            )
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{url}/healthz", timeout=2.0)
            return
        time.sleep(0.2)
    raise CommandError(f"the HTTP gateway did not answer on {url} within {timeout:.0f}s")


async def _ensure_replenishment(settings: Settings, say: Callable[..., None]) -> None:
    """Suppliers (an upsert, safe on every start) and the replenishment schedules."""
    document = SupplierDocument.model_validate_json(SUPPLIERS.read_text())
    seed_suppliers(store.engine_for(settings), doc=document)
    schedules = await ensure_schedules(await client_for(settings), settings.task_queue)
    say("schedules: " + ", ".join(f"{name} {state}" for name, state in schedules.items()))


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


async def serve(args: argparse.Namespace, settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server: DevServer | None = None
    worker: subprocess.Popen[bytes] | None = None
    gateway: subprocess.Popen[bytes] | None = None
    sink: SmtpSink | None = None
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    gateway_url = f"http://{_reachable(os.environ.get('OMS_HTTP_HOST'))}:{args.http_port}"
    try:
        if not args.no_server:
            server = await asyncio.to_thread(
                start_dev_server,
                port=args.port,
                ui_port=args.ui_port,
                log_path=STATE_DIR / "temporal-server.log",
                codec_endpoint=ui_endpoint(gateway_url, settings.oms_codec_token),
            )
            settings = settings.model_copy(update={"temporal_address": server.address})
            say(f"Temporal dev server on {server.address} (log {server.log_path})")
        counts = store.ensure_seeded(settings, DEMO_CATALOG)
        if counts:
            say("seeded the demo catalog: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        await _ensure_replenishment(settings, say)
        sink = start_mail_sink(settings, say)
        worker_log = STATE_DIR / "worker.log"
        worker = start_worker(settings, worker_log)
        say(f"worker started (pid {worker.pid}, log {worker_log})")
        if metrics := metrics_address(settings):
            say(f"worker metrics on http://{metrics}/metrics")
        gateway_log = STATE_DIR / "gateway.log"
        gateway = start_gateway(settings, args.http_port, gateway_log, **codec_origins(server))
        await asyncio.to_thread(wait_for_gateway, gateway, gateway_url, gateway_log)
        say(f"HTTP gateway on {gateway_url} (OpenAPI {gateway_url}/docs, log {gateway_log})")
        if args.demo:
            await _demo_unless_stopped(settings, stop, args.json, server.ui_url if server else None)
        _where_to_look(say, server, settings)
        say("serving; Ctrl-C stops everything started here")
        while not stop.is_set():
            if worker.poll() is not None:
                raise CommandError(
                    f"the worker exited with code {worker.returncode}; log tail:\n"
                    + log_tail(worker_log)
                )
            if gateway.poll() is not None:
                raise CommandError(
                    f"the HTTP gateway exited with code {gateway.returncode}; log tail:\n"
                    + log_tail(gateway_log)
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        say("stopping")
        return 0
    finally:
        if gateway is not None:
            stop_process(gateway)
        if worker is not None:
            stop_process(worker)
        if server is not None:
            server.stop()
        if sink is not None:
            sink.stop()


async def _demo_unless_stopped(
    settings: Settings, stop: asyncio.Event, as_json: bool, url: str | None
) -> None:
    from cli.commands import client_for
    from cli.demo import describe_demo, run_demo
    from cli.output import emit

    demo = asyncio.ensure_future(run_demo(await client_for(settings), settings, url=url))
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({demo, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not demo.done():
        demo.cancel()
        return
    stopped.cancel()
    emit(demo.result(), as_json, describe_demo)


def _where_to_look(say: object, server: DevServer | None, settings: Settings) -> None:
    url = server.ui_url if server else None
    lines = [
        f"Web UI:    {url}" if url else f"Temporal:  {settings.temporal_address} (its own UI)",
        f"CLI:       {Path(sys.executable).parent / 'temporal'} workflow list "
        f"--address {settings.temporal_address}",
        f"database:  {settings.oms_database_url}",
        "try:       python starter.py inventory; python starter.py status ORDER_ID",
    ]
    for line in lines:
        say(line)  # type: ignore[operator]
