"""RFC 9457 problem details: every error the API answers, and the handlers that make them.

Every 4xx and 5xx body is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance``; validation problems add ``errors: [{field, message}]``. Known
failure classes of the store (a value the database refuses, a conflict, a busy database)
become 4xx/503 instead of 500, so bad input never looks like a server error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from engine.domain import DomainError, InvalidInput, NotFound, is_busy, is_full
from engine.domain.models.base import json_default
from engine.errors import DocketError

log = logging.getLogger("docket.api")

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "https://docket.dev/problems/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One field at fault: a dotted path into the request (``body.data``, ``query.limit``)."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(DocketError):
    """The API layer's error: raise to answer a problem; ``extra`` members are added to the body."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _slug(TITLES.get(status, "error"))
        self.errors = errors
        self.headers = headers
        self.extra = extra


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def problem_response(
    request: Request | None,
    status: int,
    detail: str | None,
    *,
    kind: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response for ``status``."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or _slug(TITLES.get(status, "error"))),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    content = json.dumps(body, default=json_default).encode()
    return Response(content, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validation_errors(errors: list[Any] | tuple[Any, ...]) -> list[dict[str, str]]:
    """Pydantic errors as ``{field, message}``, dotted paths from the request root."""
    return [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors]


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        where = next(e for e in errors if e.get("type") == "json_invalid")
        message = str(where.get("ctx", {}).get("error", "")) or "invalid JSON"
        return problem_response(
            request,
            400,
            f"the request body is not valid JSON: {message}",
            kind="malformed-json",
            errors=[{"field": "body", "message": message}],
        )
    return problem_response(
        request,
        422,
        "the request does not match its schema",
        kind="validation",
        errors=validation_errors(errors),
    )


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        exc.detail,
        kind=exc.kind,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(
        request, exc.status_code, str(exc.detail), headers=dict(exc.headers or {})
    )


async def _on_domain(request: Request, exc: Exception) -> Response:
    if isinstance(exc, InvalidInput):
        # A value out of form that reached the operation (a nested amount, say): the request's
        # fault, answered like a schema error, naming the parameter.
        return problem_response(
            request,
            422,
            str(exc),
            kind="validation",
            errors=[{"field": f"body.{exc.field}", "message": str(exc)}],
        )
    if isinstance(exc, NotFound):
        return problem_response(request, 404, str(exc), kind="not-found")
    return problem_response(request, 409, str(exc), kind="refused")


async def _on_data(request: Request, exc: Exception) -> Response:
    # A value the database cannot hold (too long, out of range, NUL in text): the input's fault.
    log.warning("database refused a value: %s", exc)
    original = getattr(exc, "orig", None) or exc
    return problem_response(
        request, 422, f"a value was refused by the database: {original}", kind="invalid-value"
    )


async def _on_integrity(request: Request, exc: Exception) -> Response:
    log.warning("integrity conflict: %s", exc)
    return problem_response(
        request, 409, "the change conflicts with stored data (a duplicate?)", kind="conflict"
    )


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    original = getattr(exc, "orig", None) or exc
    cause = str(original).splitlines()[0] if str(original) else type(original).__name__
    log.warning("database unavailable: %s", cause)
    if is_full(exc):
        detail = (
            f"the database cannot be written: the disk is full or the database reached its "
            f"size limit ({cause}); nothing was changed"
        )
        return problem_response(
            request, 503, detail, kind="storage-full", headers={"Retry-After": "60"}
        )
    if is_busy(exc):
        detail = (
            f"the database is busy: another writer holds SQLite's lock ({cause}); nothing was "
            "changed, retry shortly"
        )
        return problem_response(request, 503, detail, kind="busy", headers={"Retry-After": "1"})
    detail = f"the database is unavailable ({cause}); nothing was changed, retry shortly"
    return problem_response(request, 503, detail, kind="unavailable", headers={"Retry-After": "1"})


async def _on_value(request: Request, exc: Exception) -> Response:
    # Overflowing numbers and text the store cannot encode come from the request.
    log.warning("value error from input: %s: %s", type(exc).__name__, exc)
    return problem_response(
        request, 422, f"a value is out of range or not encodable: {exc}", kind="invalid-value"
    )


async def _on_crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "an internal error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Register the problem handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(DataError, _on_data)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_unavailable)
    app.add_exception_handler(OverflowError, _on_value)
    app.add_exception_handler(UnicodeError, _on_value)
    app.add_exception_handler(Exception, _on_crash)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for problem responses (the content type is fixed in ``openapi``)."""
    return {code: {"model": Problem, "description": TITLES.get(code, "Error")} for code in codes}


# Every route may answer these: a bad token, a role too low, a malformed or oversized body,
# an unencodable value, a busy database.
COMMON = (400, 401, 403, 413, 422, 503)
