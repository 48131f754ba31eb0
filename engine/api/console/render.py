"""The console's Jinja2 environment (autoescaped) and page responses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from engine.api.console.session import ConsoleSession
from engine.api.tokens import Identity

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def page(
    request: Request,
    name: str,
    identity: Identity | None,
    session: ConsoleSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of the console, with who is signed in and the session's CSRF token."""
    base = {
        "identity": identity,
        "csrf": session.csrf if session is not None else "",
        "is_admin": identity is not None and identity.allows("admin"),
        "can_write": identity is not None and identity.allows("integrator"),
        "flash": request.query_params.get("done"),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
