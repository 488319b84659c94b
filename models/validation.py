"""Turn a pydantic ValidationError into one line that names the bad field."""

from __future__ import annotations

from pydantic import ValidationError


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("lines", 0, "quantity")` becomes `lines[0].quantity`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "document"


def describe(error: ValidationError) -> str:
    first = error.errors()[0]
    more = len(error.errors()) - 1
    suffix = f" (and {more} more)" if more else ""
    return f"{field_path(tuple(first['loc']))}: {first['msg']}{suffix}"
