"""Configuration (version, validate a candidate, reload) and tokens; health and metrics."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session

from engine.api import tokens
from engine.api.auth import OPEN, guard
from engine.api.deps import state
from engine.api.problems import COMMON, ProblemError, responses
from engine.api.schemas import (
    ConfigOut,
    Health,
    ReloadOut,
    TokenCreated,
    TokenIn,
    TokenOut,
    ValidateIn,
    ValidateOut,
    finding_json,
)
from engine.domain import models as m
from engine.outbox import validate
from engine.scheduler.errors import SwitchRefused

router = APIRouter(responses=responses(*COMMON))


# --- configuration -------------------------------------------------------------------------


@router.get("/config", response_model=ConfigOut, tags=["config"], **guard("viewer"))
def get_config(request: Request) -> dict[str, Any]:
    """The running configuration version: its hash, the root it was published from and when
    it was loaded."""
    engine = state(request).engine
    ruleset = engine.ruleset

    def read(session: Session) -> dict[str, Any]:
        row = session.get(m.RuleSetVersion, ruleset.hash)
        return {
            "hash": ruleset.hash,
            # Where the version was published from (a followed version is compiled from
            # its archived files in a temporary folder).
            "root": row.root if row is not None else str(ruleset.root),
            "loaded_at": row.loaded_at if row is not None else None,
            "agency": ruleset.agency.name,
            "timezone": ruleset.agency.timezone,
            "triggers": len(ruleset.triggers),
            "action_paths": len(ruleset.action_paths),
        }

    return engine.read(read)


@router.post("/config/validate", response_model=ValidateOut, tags=["config"], **guard("admin"))
def validate_config(request: Request, body: ValidateIn) -> dict[str, Any]:
    """Validate a configuration root on the server (nothing changes): every finding, the
    connectors' included (an unset ``${VARIABLE}`` is an error: a reload would refuse it)."""
    root = FilePath(body.root)
    try:
        folder = root.is_dir()
    except (OSError, ValueError):  # a name too long for the file system, and the like
        folder = False
    if not folder:
        raise ProblemError(
            422,
            f"no configuration folder at {body.root}",
            kind="validation",
            errors=[{"field": "body.root", "message": "not a folder on the server"}],
        )
    engine = state(request).engine
    # What a reload would accept: the connectors too, with this service's environment.
    result = validate(root, actions=tuple(engine.registry.names()), unset="error")
    return {
        "valid": result.valid,
        "root": str(root),
        "hash": result.hash,
        "files": result.files,
        "errors": [finding_json(f) for f in result.errors],
        "warnings": [finding_json(f) for f in result.warnings],
    }


@router.post(
    "/config/reload",
    response_model=ReloadOut,
    tags=["config"],
    responses=responses(409),
    **guard("admin"),
)
async def reload_config(request: Request) -> dict[str, Any]:
    """Load the running root again: validated first; an invalid configuration is refused
    (422, with each error as ``file:line:col``) and the running version stays. Waiting runs
    follow their path's ``on_change``."""
    st = state(request)
    try:
        result = await anyio.to_thread.run_sync(st.reload)
    except SwitchRefused as refused:
        raise ProblemError(
            422,
            refused.detail,
            kind="config-invalid",
            errors=[
                {"field": f"{f.mark.file}:{f.mark.line}:{f.mark.col}", "message": f.message}
                for f in refused.findings
            ],
            findings=[str(f) for f in refused.findings],
            running=st.engine.ruleset.hash,
        ) from None
    return result.as_json()


# --- tokens ----------------------------------------------------------------------------------


@router.get("/tokens", response_model=list[TokenOut], tags=["tokens"], **guard("admin"))
def list_tokens(request: Request) -> list[dict[str, Any]]:
    """Every active token (never its secret)."""
    return state(request).engine.read(tokens.list_tokens)


@router.post(
    "/tokens", status_code=201, response_model=TokenCreated, tags=["tokens"], **guard("admin")
)
def create_token(request: Request, body: TokenIn) -> dict[str, Any]:
    """A new token; the secret is in this answer only."""
    with state(request).writing() as unit:
        text, row = tokens.create_token(unit.session, body.role, body.name, unit.now)
        return {**tokens.describe(row), "token": text}


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenOut,
    tags=["tokens"],
    responses=responses(404, 409),
    **guard("admin"),
)
def revoke_token(
    request: Request, token_id: Annotated[str, Path(min_length=1, max_length=200)]
) -> dict[str, Any]:
    """Revoke a token (by id); it stops working at once."""
    st = state(request)
    with st.writing() as unit:
        row = tokens.revoke(unit.session, token_id, unit.now)
        if row is None:
            raise ProblemError(404, f"unknown token '{token_id}'", kind="not-found")
        if row.id == request.state.identity.token_id:
            # Locking oneself out by accident helps no one: another admin or the CLI can.
            raise ProblemError(
                409,
                "a token cannot revoke itself; use another admin token or `docket token revoke`",
                kind="refused",
            )
        found = tokens.describe(row)
    st.auth.forget()
    return found


# --- health and metrics --------------------------------------------------------------------


@router.get("/health", response_model=Health, tags=["system"], **guard(OPEN))
def health(request: Request) -> dict[str, Any]:
    """Open to anyone: ``ok``, or ``degraded`` with each problem that keeps the service from
    its work (the relay cannot send, a configuration cannot be applied, the disk is full);
    and the running version's hash. Answered 200 either way: the process is alive."""
    st = state(request)
    problems = [p.as_json() for p in st.health.problems()]
    return {
        "status": "degraded" if problems else "ok",
        "ruleset": st.engine.ruleset.hash,
        "problems": problems,
    }


@router.get(
    "/metrics",
    tags=["system"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    **guard("viewer"),
)
def metrics(request: Request) -> Response:
    """Prometheus metrics (text format); any valid token may scrape."""
    body = generate_latest(state(request).metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
