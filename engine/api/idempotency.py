"""``Idempotency-Key`` for the writing routes: the header, its checks and the 409 it answers.

The answers themselves are kept by ``runtime.once`` (per token, in the route's transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from engine.api.problems import ProblemError
from engine.api.schemas import check_text
from engine.runtime import IdempotencyConflict, Once, recall, remember

KEY_DOC = (
    "A key of your choosing, scoped to your token: a repeat of the same request returns "
    "the first answer without running again; another request with the key is 409."
)
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, description=KEY_DOC),
]


def once_for(request: Request, key: str | None) -> Once | None:
    """The caller's ``Once`` for ``key`` (None without a key); 422 for an unusable key."""
    if key is None:
        return None
    try:
        check_text(key)
    except ValueError as exc:
        message = str(exc)
        errors = [{"field": "header.Idempotency-Key", "message": message}]
        raise ProblemError(422, message, kind="validation", errors=errors) from None
    return Once(request.state.identity.token_id, key, jsonable_encoder)


def conflict(exc: IdempotencyConflict) -> ProblemError:
    """The 409 for a key reused with another request, naming the key."""
    return ProblemError(
        409,
        str(exc),
        kind="idempotency-key-reused",
        errors=[{"field": "header.Idempotency-Key", "message": f"already used: {exc.key}"}],
    )


def answered(unit: Any, once: Once | None, route: str, params: Any, run: Callable[[], Any]) -> Any:
    """``run()`` in ``unit``'s transaction, or the first answer to ``once`` replayed."""
    if once is None:
        return run()
    try:
        found = recall(unit.session, once, route, params)
    except IdempotencyConflict as exc:
        raise conflict(exc) from None
    if found is None:
        found = remember(unit.session, unit.now, once, route, params, run())
    headers = {"Idempotency-Replayed": "true"} if found.replay else {}
    return JSONResponse(found.result, headers=headers)
