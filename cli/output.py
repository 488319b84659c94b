"""Exit-code errors, JSON or human output, a progress bar and a plain table."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any


class CommandError(Exception):
    """Ends the command with `exit_code` and one line on stderr."""

    exit_code = 1


class InvalidInput(CommandError):
    """The input is wrong; the message names the field or the file."""

    exit_code = 2


class Refused(CommandError):
    """The business rules said no (e.g. cancel after shipment)."""

    exit_code = 3

    def __init__(self, message: str, answer: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.answer = answer  # printed on stdout like a normal answer


def emit(data: Any, as_json: bool, human: Callable[[Any], str] | None = None) -> None:
    if as_json or human is None:
        print(json.dumps(data, indent=None if as_json else 2, default=str))
    else:
        print(human(data))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[str(row.get(col, "")) for col in columns] for row in rows]
    widths = [max([len(col)] + [len(r[i]) for r in cells]) for i, col in enumerate(columns)]
    lines = ["  ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


class ProgressBar:
    """`[#####-----] 12/50 label` on stderr; redrawn in place on a terminal only."""

    def __init__(self, total: int, label: str = "", width: int = 30) -> None:
        self.total, self.label, self.width, self.done = max(total, 1), label, width, 0
        self.tty = sys.stderr.isatty()
        self._last_line_pct = -1

    def advance(self, step: int = 1, note: str = "") -> None:
        self.done = min(self.total, self.done + step)
        filled = self.width * self.done // self.total
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {self.done}/{self.total}"
        line = f"{line} {self.label} {note}".rstrip()
        if self.tty:
            sys.stderr.write("\r\x1b[K" + line)
        else:
            # In a log, one line per 10% is enough.
            pct = 100 * self.done // self.total
            if pct // 10 == self._last_line_pct // 10 and self.done != self.total:
                return
            self._last_line_pct = pct
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
