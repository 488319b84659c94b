"""What the benches share: the machine a result was measured on, timing one call,
summarising decision times, and writing the result with its targets."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine(**extra: Any) -> dict[str, Any]:
    """Where the figures were measured: times from another machine do not compare."""
    return {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        **extra,
    }


def timed(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    """`fn`'s result and how long it took, in milliseconds."""
    started = time.perf_counter_ns()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter_ns() - started) / 1e6


def percentile(ordered: Sequence[float], q: float) -> float:
    """The sample at rank `q` of sorted samples (no interpolation), to 3 decimals."""
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def ms_summary(samples: Sequence[float], *, detail: bool = False) -> dict[str, float]:
    """Median, p90 and max of timings; `detail` adds p99 and the mean."""
    ordered = sorted(samples)
    summary = {"median": round(statistics.median(ordered), 3), "p90": percentile(ordered, 0.9)}
    if detail:
        summary["p99"] = percentile(ordered, 0.99)
    summary["max"] = round(ordered[-1], 3)
    if detail:
        summary["mean"] = round(statistics.fmean(ordered), 3)
    return summary


def print_targets(result: dict[str, Any]) -> None:
    print(
        "targets: "
        + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in result["targets"].items())
    )


def write_json(result: dict[str, Any], out: Path, *, indent: int = 1) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=indent) + "\n")


def finish(result: dict[str, Any], out: Path) -> int:
    """Write the result and say where; the exit code is 0 when every target is met."""
    write_json(result, out)
    print(f"wrote {out}")
    return 0 if all(result["targets"].values()) else 1
