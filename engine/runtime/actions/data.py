"""Data actions: run variables, records in named data models, claims, derived events."""

from __future__ import annotations

from typing import Any

from engine.config.catalogue import BY_NAME
from engine.domain import models as m
from engine.runtime.actions.registry import StepContext
from engine.runtime.errors import StepFailed


def set_vars(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    ctx.variables.update(params)
    return {"vars": dict(params)}


def record(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    fields = params.get("fields") or {}
    if not isinstance(fields, dict):
        raise StepFailed("record: 'fields' must be a mapping")
    row = m.Record(
        model=str(params["model"]),
        subject_kind=ctx.subject.kind,
        subject_id=ctx.subject.id,
        fields=fields,
        created_on=ctx.unit.today,
        run_id=ctx.run_id,
        created_at=ctx.unit.now,
    )
    ctx.unit.session.add(row)
    return {"model": row.model, "fields": fields}


def update_claims(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    settlement = ctx.subject.settlement
    if settlement is None:
        raise StepFailed("update_claims: the subject has no settlement")
    only = params.get("where_status")
    changed = []
    for claim in settlement.claims:
        if only is None or claim.status == only:
            claim.status = str(params["status"])
            changed.append(claim.id)
    return {"status": params["status"], "claims": changed}


def emit(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    name = str(params["event"])
    spec = BY_NAME.get(name)
    if spec is None:
        raise StepFailed(f"emit: unknown event '{name}'")
    data = params.get("data") or {}
    event_id = ctx.unit.emit(name, ctx.subject.kind, ctx.subject.id, dict(data))
    return {"event": name, "id": event_id}
