"""structlog setup: JSON lines when not on a terminal, pretty ones on a terminal.

Standard-library records (the SDK, and workflows through `workflow.logger`) go through
the same processors, so a worker's whole output is one format. The last step before
rendering masks personal data (`mask_personal_data`), so no line carries a customer's
name, email, phone or address, whoever logged it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from workers.settings import Settings

MASK = "***"
# A key holding any of these words (snake_case, camelCase or kebab-case) is masked whole.
PERSONAL_WORDS = frozenset(
    {"name", "names", "fullname", "email", "emails", "mail", "phone", "phones", "mobile"}
    | {"tel", "street", "recipient", "recipients", "address", "addresses", "contact"}
)
# Keys that hold words above but never personal data, and keys passed through untouched.
NOT_PERSONAL = frozenset({"temporal_address"})
KEEP = frozenset({"logger", "level", "timestamp"})
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone candidate: 7 to 15 digits in groups; dates, IPs and decimals are left alone.
PHONE = re.compile(r"(?<![\w.:/-])\+?\(?\d[\d\s().-]{5,}\d(?![\w:/])")
NOT_PHONE = re.compile(r"\d{4}-\d\d-\d\d.*|\d+(?:\.\d+){1,3}")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# `name='Li Lei'`, `'street': '1 Century Ave'`, `"email": "..."` inside reprs and JSON text
# (a validation error shows its input): the quoted value of a personal key.
QUOTED = re.compile(
    r"(?i)(\b\w*(?:name|mail|phone|mobile|street|recipient|address)\w*['\"]?\s*[:=]\s*)"
    r"(['\"])(?:(?!\2).)*\2"
)


def _personal_key(key: object) -> bool:
    if not isinstance(key, str) or key in NOT_PERSONAL:
        return False
    words = re.split(r"[^a-z0-9]+", _CAMEL.sub("_", key).lower())
    return any(word in PERSONAL_WORDS for word in words)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(char.isdigit() for char in text)
    if not 7 <= digits <= 15 or NOT_PHONE.fullmatch(text.strip()):
        return text
    return MASK


def mask_text(text: str) -> str:
    """Emails, phone numbers and quoted personal values in free text become ***."""
    text = QUOTED.sub(lambda m: f"{m[1]}{m[2]}{MASK}{m[2]}", text)
    return PHONE.sub(_mask_phone, EMAIL.sub(MASK, text))


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {k: MASK if _personal_key(k) else _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_mask(item) for item in value]
    if hasattr(value, "model_dump"):  # a pydantic model: its fields, masked by name
        return _mask(value.model_dump(mode="json"))
    return mask_text(str(value))  # anything else would be rendered through its repr


def mask_personal_data(_logger: Any, _method: str, event_dict: Any) -> Any:
    """structlog processor: personal keys become ***, and so do emails and phones in text."""
    masked = {}
    for key, value in event_dict.items():
        if _personal_key(key):
            masked[key] = MASK
        elif key in KEEP:
            masked[key] = value
        else:
            masked[key] = _mask(value)
    return masked


def configure_logging(settings: Settings, *, level: int = logging.INFO) -> None:
    as_json = settings.oms_log_format == "json" or (
        settings.oms_log_format == "auto" and not sys.stderr.isatty()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                mask_personal_data,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
