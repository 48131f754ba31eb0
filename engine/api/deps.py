"""Small helpers the routers share: the service state, path parameters, cursors."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Path, Query, Request

from engine.api.inputs import Ident
from engine.api.problems import ProblemError
from engine.api.state import ApiState

MAX_INT = 2**63 - 1  # the largest id any store keeps

IdPath = Annotated[str, Path(min_length=1, max_length=64, description="The object's id.")]
# The id of an object the request creates: it keeps the id rule (422 naming it otherwise).
NewIdPath = Annotated[Ident, Path(description="The object's id (it keeps the id rule).")]
IntPath = Annotated[int, Path(ge=1, le=MAX_INT, description="The object's number.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Cursor = Annotated[
    str | None,
    Query(max_length=400, description="The `next_cursor` of the previous page."),
]
Filter = Annotated[str | None, Query(min_length=1, max_length=64)]


def state(request: Request) -> ApiState:
    """The service state of the app serving ``request``."""
    found: ApiState = request.app.state.docket
    return found


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: tuple[type, ...]) -> list[Any]:
    """The values of a cursor made by ``encode_cursor``; a 422 problem if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    ok = (
        isinstance(values, list)
        and len(values) == len(shape)
        and all(isinstance(v, t) or v is None for v, t in zip(values, shape, strict=True))
    )
    if not ok:
        raise ProblemError(
            422,
            "the cursor is not one this API gave out",
            kind="validation",
            errors=[{"field": "query.cursor", "message": "invalid cursor"}],
        )
    assert isinstance(values, list)
    return values
