"""Bearer-token authentication and role checks for every route.

Each route declares its role with ``**guard(role)``: the dependency answers 401 without a
valid token and 403 when the token's role is too low, and the role is published in the
OpenAPI document as ``x-docket-role`` (the role × endpoint test reads the app's routes).
Verified tokens are cached for ``token_cache_seconds`` (default 2 s): a token revoked from
another process stops working within that time; revoked through the API, at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from engine.api import tokens
from engine.api.problems import ProblemError
from engine.api.tokens import Identity

OPEN = "open"  # a route anyone may call (health, the OpenAPI document)
TOUCH_EVERY = timedelta(minutes=1)  # how often last_used_at is written for a busy token

_bearer = HTTPBearer(auto_error=False, description="A token from `docket token create`.")


class Authenticator:
    """Verify token texts against the store, with a short cache."""

    def __init__(
        self, sessions: sessionmaker[Session], cache_seconds: float, now: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.cache_seconds = cache_seconds
        self.now = now
        self._cache: dict[str, tuple[Identity | None, float]] = {}
        self._touched: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> tuple[bool, Identity | None]:
        with self._lock:
            hit = self._cache.get(token)
        if hit is not None and hit[1] > time.monotonic():
            return True, hit[0]
        return False, None

    def lookup(self, token: str) -> Identity | None:
        """Check the store (blocking); remember the answer for a moment."""
        with self.sessions() as session, session.begin():
            identity = tokens.verify(session, token)
            if identity is not None:
                now = self.now()
                last = self._touched.get(identity.token_id)
                if last is None or now - last >= TOUCH_EVERY:
                    tokens.touch(session, identity.token_id, now)
                    self._touched[identity.token_id] = now
        if self.cache_seconds > 0:
            with self._lock:
                if len(self._cache) > 10_000:  # random bad tokens must not grow it forever
                    self._cache.clear()
                self._cache[token] = (identity, time.monotonic() + self.cache_seconds)
        return identity

    def forget(self) -> None:
        """Drop every cached answer (after a revocation through the API)."""
        with self._lock:
            self._cache.clear()


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, detail, kind="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="docket"'}
    )


async def authorize(request: Request, role: str, token: str | None) -> Identity:
    """The caller's identity if ``token`` is valid and its role is ``role`` or higher."""
    if not token:
        raise _unauthorized("a bearer token is required (Authorization: Bearer dkt_…)")
    auth: Authenticator = request.app.state.docket.auth
    known, identity = auth.cached(token)
    if not known:
        identity = await anyio.to_thread.run_sync(auth.lookup, token)
    if identity is None:
        raise _unauthorized("the token is unknown, malformed or revoked")
    if not identity.allows(role):
        raise ProblemError(
            403,
            f"this needs the {role} role; the token '{identity.name}' is {identity.role}",
            kind="forbidden",
        )
    request.state.identity = identity
    return identity


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def require(role: str) -> Callable[..., Any]:
    """A dependency that lets through tokens of ``role`` or higher."""

    async def check(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> Identity:
        ok = credentials is not None and credentials.scheme.lower() == "bearer"
        return await authorize(request, role, credentials.credentials if ok else None)  # type: ignore[union-attr]

    return check


def documented(role: str) -> dict[str, Any]:
    """OpenAPI members of a route that checks ``role`` itself (with ``authorize``)."""
    return {"x-docket-role": role, "security": [{"HTTPBearer": []}]}


def guard(role: str) -> dict[str, Any]:
    """Route keyword arguments that enforce and document ``role`` (or ``OPEN``)."""
    extra = {"x-docket-role": role}
    if role == OPEN:
        return {"openapi_extra": extra}
    return {"dependencies": [Depends(require(role))], "openapi_extra": extra}
