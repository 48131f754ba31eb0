"""``create_app(engine_or_settings)``: the FastAPI application of the HTTP API (DESIGN §9)."""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engine import __version__
from engine.api import console, problems
from engine.api.problems import PROBLEM_TYPE, problem_response
from engine.api.routers import routers
from engine.api.routers.events import COMPONENTS as HAND_DOCUMENTED
from engine.api.state import ApiSettings, ApiState
from engine.domain import SystemClock
from engine.domain.models.base import json_default
from engine.runtime import Engine

access = logging.getLogger("docket.access")

DESCRIPTION = """\
Docket's HTTP API: push events and call domain operations (integrators), read accounts,
cases, judgments, settlements, offers, follow-ups, worklists, tasks, runs and traces, and
manage the outbox and the configuration (admins).

Every request but `/health` and this document needs `Authorization: Bearer <token>` from
`docket token create --role admin|integrator|viewer`. Roles nest: a viewer reads; an
integrator also sends events, calls operations and completes tasks; an admin also reloads
and validates configurations, retries outbox messages and manages tokens. Each operation
names its role as `x-docket-role`.

Errors are RFC 9457 problem details (`application/problem+json`); validation problems list
`errors: [{field, message}]`. Amounts are strings with two decimals, dates ISO 8601.
"""


class DocketJSONResponse(JSONResponse):
    """JSON with Decimals as exact strings and dates in ISO form."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=json_default, ensure_ascii=False).encode()


class Guard:
    """Outermost middleware: body limit, unstorable characters in the URL, access log."""

    def __init__(self, app: ASGIApp, state: ApiState) -> None:
        self.app = app
        self.state = state
        self.limit = state.settings.body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        path = scope.get("path", "")
        query = scope.get("query_string", b"")

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if "\x00" in path or b"%00" in query or b"\x00" in query:
                answer = problem_response(
                    None, 400, "the URL may not contain NUL characters", instance=path
                )
                await answer(scope, receive, sending)
            elif _declared_length(scope) > self.limit:
                answer = problem_response(
                    None, 413, self._too_large(), kind="too-large", instance=path
                )
                await answer(scope, receive, sending)
            else:
                await self.app(scope, self._limited(receive), sending)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _limited(self, receive: Receive) -> Receive:
        """``receive`` that refuses a body growing past the limit (chunked uploads too)."""
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, self._too_large())
            return message

        return limited

    def _too_large(self) -> str:
        return f"the request body exceeds {self.limit} bytes"

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "(unmatched)"
        metrics = self.state.metrics
        metrics.http_requests.labels(scope["method"], template, str(status)).inc()
        metrics.http_latency.labels(template).observe(seconds)
        if self.state.settings.access_log:
            identity = (scope.get("state") or {}).get("identity")
            access.info(
                "%s %s %d",
                scope["method"],
                scope.get("path", ""),
                status,
                extra={
                    "method": scope["method"],
                    "path": scope.get("path", ""),
                    "route": template,
                    "status": status,
                    "ms": round(seconds * 1000, 2),
                    "token": identity.name if identity is not None else None,
                },
            )


def _declared_length(scope: Scope) -> int:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _state_for(target: Engine | ApiSettings) -> ApiState:
    if isinstance(target, Engine):
        return ApiState(
            target, ApiSettings(config_root=target.ruleset.root, db_url=target.db_url), False
        )
    from engine.config import load_ruleset

    ruleset = load_ruleset(target.config_root)
    engine = Engine(ruleset, target.db_url, clock=SystemClock(ruleset.agency.timezone))
    return ApiState(engine, target, True)


def create_app(target: Engine | ApiSettings, settings: ApiSettings | None = None) -> FastAPI:
    """The API over an engine (tests, embedding) or over settings (``docket run``).

    With an engine, ``settings`` may turn on the workers (all off by default: the caller
    drives ``engine.process()``); with settings, the engine is built from them and closed
    when the app stops.
    """
    state = _state_for(target)
    if settings is not None:
        if isinstance(target, Engine):  # the engine's root and store, whatever the defaults
            settings = replace(settings, config_root=target.ruleset.root, db_url=target.db_url)
        state.settings = settings
        state.auth.cache_seconds = settings.token_cache_seconds  # built before the settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(state.start)
        # What is loaded now (ruleset, mappers, routes) lives as long as the process: keep it
        # out of the garbage collector's full passes, which would pause requests.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(state.stop)

    app = FastAPI(
        title="Docket API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=DocketJSONResponse,
    )
    app.state.docket = state
    problems.install(app)
    for router in routers():
        app.include_router(router)
    console.install(app)
    app.add_middleware(Guard, state=state)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document, with problem responses under ``application/problem+json``."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in HAND_DOCUMENTED:
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components[model.__name__] = found
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code[:1] in ("4", "5") and "application/json" in content:
                    content[PROBLEM_TYPE] = content.pop("application/json")
    app.openapi_schema = schema
    return schema
