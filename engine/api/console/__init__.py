"""The console: server-rendered pages for admins and legal staff at ``/console``.

Jinja2 templates, plain HTML forms (every action works without JavaScript) and one small
stylesheet; the same tokens and roles as the API: sign in with a token once, then a session
cookie, with a CSRF token on every form. Pages are left out of the OpenAPI document.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from engine.api.console import operations, pages
from engine.api.console.render import HERE, page
from engine.api.console.session import Forbidden, SignIn

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Serve the console on ``app``: its routes, its stylesheet and its sign-in redirects."""
    app.include_router(pages.router)
    app.include_router(operations.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(SignIn)
    async def sign_in(_request: Request, exc: SignIn) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return page(request, "forbidden.html", exc.identity, exc.session, 403, message=str(exc))
