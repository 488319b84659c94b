"""Reading the JSON documents a command is given; every failure names file or field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cli.output import InvalidInput
from models.catalog import CatalogDocument
from models.order import OrderDocument
from models.validation import describe

Doc = TypeVar("Doc", bound=BaseModel)


def read_json(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"file: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"file: {path}: cannot read: {error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"file: {path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None


def parse(model: type[Doc], data: Any) -> Doc:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(describe(error)) from None


def load_order(path: str) -> OrderDocument:
    return parse(OrderDocument, read_json(path))


def load_catalog(path: str) -> CatalogDocument:
    return parse(CatalogDocument, read_json(path))
