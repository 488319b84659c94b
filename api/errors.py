"""How failures become answers: every refusal is a 4xx with one line naming the field.

ApiError            raised by the routes: status code, detail, fields at fault
RequestValidationError  (FastAPI) a body, path or query value is wrong: 422
HTTPException       (Starlette) unknown route, wrong method: its own status
RPCError            Temporal refused or is unreachable: 503 (504 on a deadline)
SQLAlchemyError     the database is unreachable: 503
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from temporalio.service import RPCError, RPCStatusCode

from api.schemas import ErrorBody, FieldError
from cli.output import CommandError, InvalidInput, Refused
from models.validation import field_path

_LOCATIONS = {"body", "query", "path", "header", "cookie"}


class ApiError(Exception):
    def __init__(
        self, status_code: int, detail: str, *, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status_code, self.detail, self.extra = status_code, detail, extra
        message = detail.removeprefix(f"{field}: ")
        self.errors = [FieldError(field=field, message=message)] if field else []


@contextmanager
def update_answers() -> Iterator[None]:
    """An order update's outcomes as HTTP: refused 409 (with the reason and status),
    unknown order 404, no worker answering 504."""
    try:
        yield
    except Refused as refusal:
        state = (refusal.answer or {}).get("status", "")
        reason = str(refusal)
        raise ApiError(409, reason, accepted=False, status=state, message=reason) from None
    except InvalidInput as error:
        raise ApiError(404, str(error), field="order_id") from None
    except CommandError as error:
        raise ApiError(504, str(error)) from None


def field_problem(status_code: int, problem: str) -> ApiError:
    """`"lines[0].sku: unknown SKU X"` (the catalog's and the CLI's one-liners) as an error."""
    field, _, message = problem.partition(": ")
    return ApiError(status_code, problem, field=field if message else None)


def validation_errors(errors: Sequence[Any]) -> ErrorBody:
    fields = []
    for error in errors:
        loc = tuple(error.get("loc") or ())
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]  # `body.lines[0].sku` reads better as `lines[0].sku`
        fields.append(FieldError(field=field_path(loc), message=str(error.get("msg", ""))))
    if not fields:
        fields = [FieldError(field="document", message="invalid request")]
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    return ErrorBody(detail=f"{fields[0].field}: {fields[0].message}{more}", errors=fields)


def _json(status_code: int, body: ErrorBody, headers: Any = None) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


async def _on_api_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    content = {**ErrorBody(detail=error.detail, errors=error.errors).model_dump(), **error.extra}
    return JSONResponse(content, status_code=error.status_code)


async def _on_validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return _json(422, validation_errors(error.errors()))


async def _on_http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return _json(error.status_code, ErrorBody(detail=str(error.detail)), error.headers)


async def _on_rpc(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RPCError)
    timed_out = error.status in (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)
    detail = f"Temporal did not answer: {error.message}"
    return _json(504 if timed_out else 503, ErrorBody(detail=detail))


async def _on_database(_: Request, error: Exception) -> JSONResponse:
    return _json(503, ErrorBody(detail=f"the database is unavailable: {type(error).__name__}"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(RPCError, _on_rpc)
    app.add_exception_handler(SQLAlchemyError, _on_database)


# Documented on every route that can answer them.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "a field is invalid; `detail` names it"},
    503: {"model": ErrorBody, "description": "Temporal or the database is unavailable"},
}
