"""Operations sent with an idempotency key: the first answer is kept and replayed.

The key is scoped to the caller (an API token): two tokens may use the same key. The answer
is written in the operation's own transaction, so a payment and the record that it was made
commit together, or neither does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.domain import models as m
from engine.domain.operations import invoke
from engine.runtime.errors import IdempotencyConflict


@dataclass(frozen=True, slots=True)
class Once:
    """Who asked (``scope``), their key, and how to store the answer as JSON."""

    scope: str
    key: str
    encode: Callable[[Any], Any] = lambda result: result


@dataclass(frozen=True, slots=True)
class Answer:
    """The operation's result as stored (JSON), and whether it is a replay."""

    result: Any
    replay: bool


def fingerprint(route: str, params: Any) -> str:
    """What makes two requests the same: the route and the canonical JSON of the body."""
    text = json.dumps([route, params], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def recall(session: Any, once: Once, route: str, params: Any) -> Answer | None:
    """The first answer to ``once.key`` from this scope, if any; a different request with
    the key is an ``IdempotencyConflict``."""
    found = session.get(m.IdempotencyKey, (once.scope, once.key))
    if found is None:
        return None
    if found.fingerprint != fingerprint(route, params):
        raise IdempotencyConflict(
            f"the Idempotency-Key '{once.key}' was used for another request "
            f"({found.route}, {found.created_at:%Y-%m-%d %H:%M}); use a new key for a "
            "new request",
            once.key,
        )
    return Answer(found.result, replay=True)


def remember(session: Any, now: Any, once: Once, route: str, params: Any, result: Any) -> Answer:
    """Keep the first answer (encoded as JSON) in the caller's transaction."""
    encoded = once.encode(result)
    session.add(
        m.IdempotencyKey(
            token_id=once.scope,
            key=once.key,
            route=route,
            fingerprint=fingerprint(route, params),
            result=encoded,
            created_at=now,
        )
    )
    session.flush()  # a concurrent twin fails here, inside the transaction
    return Answer(encoded, replay=False)


def operate_once(unit: Any, name: str, params: dict[str, Any], once: Once) -> Answer:
    """Run ``name`` unless this scope already sent ``once.key``; then replay its answer."""
    route = f"operations/{name}"
    found = recall(unit.session, once, route, params)
    if found is not None:
        return found
    return remember(unit.session, unit.now, once, route, params, invoke(unit, name, params))
