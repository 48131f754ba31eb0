"""Console sign-in: a token once, then a session cookie and a CSRF token per session.

The cookie holds only a random session id (HttpOnly, SameSite=Strict, Secure on HTTPS); the
session keeps the token in memory, so every page checks the token's role again through the
API's own ``authorize`` (a revoked token stops working within the token cache's seconds) and
a restart signs everyone out. Every form that changes something carries the session's CSRF
token, compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request

from engine.api.auth import authorize
from engine.api.problems import ProblemError
from engine.api.tokens import Identity

COOKIE = "docket_console"
LIFETIME = 8 * 3600.0  # a working day; then sign in again


@dataclass
class ConsoleSession:
    token: str
    csrf: str
    expires: float


class SignIn(Exception):
    """No session (or an expired one): the page sends the browser to the sign-in form."""

    def __init__(self, after: str) -> None:
        super().__init__(after)
        self.location = f"/console/login?next={quote(after, safe='/')}"


class Forbidden(Exception):
    """Signed in, but this page needs a higher role."""

    def __init__(self, identity: Identity, session: ConsoleSession, role: str) -> None:
        super().__init__(f"this page needs the {role} role; '{identity.name}' is {identity.role}")
        self.identity, self.session = identity, session


class Sessions:
    """The console's sessions of one process, by id."""

    def __init__(self) -> None:
        self._by_id: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()

    def open(self, token: str) -> tuple[str, ConsoleSession]:
        sid, session = (
            secrets.token_urlsafe(32),
            ConsoleSession(token, secrets.token_urlsafe(32), time.monotonic() + LIFETIME),
        )
        with self._lock:
            now = time.monotonic()
            self._by_id = {k: v for k, v in self._by_id.items() if v.expires > now}
            self._by_id[sid] = session
        return sid, session

    def get(self, sid: str | None) -> ConsoleSession | None:
        if not sid:
            return None
        with self._lock:
            found = self._by_id.get(sid)
        return found if found is not None and found.expires > time.monotonic() else None

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)


def sessions(request: Request) -> Sessions:
    found = getattr(request.app.state, "console_sessions", None)
    if found is None:
        found = request.app.state.console_sessions = Sessions()
    return found


async def signed_in(request: Request, role: str) -> tuple[Identity, ConsoleSession]:
    """The caller's identity and session, if signed in with ``role`` or higher."""
    session = sessions(request).get(request.cookies.get(COOKIE))
    after = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if session is None:
        raise SignIn(after)
    try:
        identity = await authorize(request, "viewer", session.token)
    except ProblemError:  # revoked since: sign in again
        sessions(request).close(request.cookies.get(COOKIE))
        raise SignIn(after) from None
    if not identity.allows(role):
        raise Forbidden(identity, session, role)
    return identity, session


def check_csrf(session: ConsoleSession, given: str | None) -> None:
    if not given or not hmac.compare_digest(session.csrf, given):
        raise ProblemError(403, "the form's CSRF token is missing or wrong", kind="forbidden")
