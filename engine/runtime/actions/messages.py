"""Side-effect actions: each writes outbox rows (one per recipient); nothing leaves here."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Template as JinjaTemplate

from engine.config.expressions import RuleEnvironment
from engine.config.model import RuleSet
from engine.config.render_marks import failure_mark
from engine.config.template_checks import is_html_template
from engine.domain import contact_policy as policy
from engine.domain import models as m
from engine.runtime.actions.registry import StepContext
from engine.runtime.context.views import PartyView
from engine.runtime.errors import StepFailed

ROLES = ("responsible", "co_signer", "beneficiary", "counterparty", "attorney")
ADDRESS_FIELD = {"email": "email", "sms": "phone", "letter": "address", "call": "phone"}
# A template's first line may name its email subject: ``{# subject: Notice - {{ account.id }} #}``.
SUBJECT = re.compile(r"\s*\{#\s*subject:\s*(.*?)\s*#\}")


def _party_recipient(party: PartyView, channel: str) -> dict[str, Any]:
    field = ADDRESS_FIELD.get(channel)
    address = getattr(party, field) if field else None
    return {"party": party.id, "name": party.name, "address": address, "roles": party.roles}


def recipients(ctx: StepContext, to: Any, channel: str) -> list[dict[str, Any]]:
    """Resolve ``to:``: defendants, parties, a role, a party id, or a literal address."""
    names = to if isinstance(to, list) else [to]
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        for item in _resolve_one(ctx, str(name), channel):
            found.setdefault(item["party"] or item["address"], item)
    if not found:
        raise StepFailed(f"no recipient matches '{to}' on {ctx.subject.kind} '{ctx.subject.id}'")
    return list(found.values())


def _account_parties(ctx: StepContext) -> list[PartyView]:
    seen: dict[str, PartyView] = {}
    for account in ctx.subject.accounts:
        for link in account.parties:
            view = seen.get(link.party_id)
            if view is None:
                seen[link.party_id] = PartyView(
                    link.party, ctx.unit.session, ctx.ruleset, link.roles
                )
            else:
                view.roles = sorted({*view.roles, *link.roles})
    return list(seen.values())


def _resolve_one(ctx: StepContext, name: str, channel: str) -> list[dict[str, Any]]:
    if name == "defendants":
        case = ctx.context.get("case")
        if case is None:
            raise StepFailed("'defendants' needs a case")
        return [_party_recipient(p, channel) for p in case.defendants]
    parties = _account_parties(ctx)
    if name == "parties":
        return [_party_recipient(p, channel) for p in parties]
    if name in ROLES:
        return [_party_recipient(p, channel) for p in parties if name in p.roles]
    party = ctx.unit.session.get(m.Party, name)
    if party is not None:
        return [_party_recipient(PartyView(party, ctx.unit.session, ctx.ruleset, []), channel)]
    if "@" in name or name.startswith(("+", "http://", "https://")) or name[:1].isdigit():
        return [{"party": None, "name": name, "address": name, "roles": []}]
    raise StepFailed(f"unknown recipient '{name}'")


def _html_template(ctx: StepContext, template: str) -> bool:
    compiled = ctx.ruleset.templates[template]
    return _is_html(compiled.mark.file, compiled.source)


@lru_cache(maxsize=1024)
def _is_html(file: str, source: str) -> bool:
    return is_html_template(file, source)


def _render(ctx: StepContext, template: str, party: dict[str, Any]) -> str:
    compiled = ctx.ruleset.templates.get(template)
    if compiled is None:
        raise StepFailed(f"unknown template '{template}'")
    context = dict(ctx.context)
    if party["party"]:
        found = ctx.unit.session.get(m.Party, party["party"])
        if found is None:
            raise StepFailed(f"unknown party '{party['party']}'")
        context["party"] = PartyView(found, ctx.unit.session, ctx.ruleset, party["roles"])
    try:
        return compiled.render(context)
    except Exception as exc:
        where = failure_mark(compiled, exc)
        raise StepFailed(f"{where}: template '{template}' failed: {exc}") from exc


@lru_cache(maxsize=256)
def _subject_template(ruleset: RuleSet, source: str) -> JinjaTemplate:
    return RuleEnvironment(ruleset.agency.calendar, ruleset.agency.limits).from_string(source)


def _subject(ctx: StepContext, template: str, party: dict[str, Any]) -> str | None:
    compiled = ctx.ruleset.templates.get(template)
    found = SUBJECT.match(compiled.source) if compiled is not None else None
    if compiled is None or found is None:
        return None
    context = dict(ctx.context)
    if party["party"]:
        row = ctx.unit.session.get(m.Party, party["party"])
        if row is not None:
            context["party"] = PartyView(row, ctx.unit.session, ctx.ruleset, party["roles"])
    try:
        return _subject_template(ctx.ruleset, found.group(1)).render(context).strip()
    except Exception as exc:
        where = failure_mark(compiled, exc, start=found.start(1))
        raise StepFailed(f"{where}: subject of '{template}' failed: {exc}") from exc


def queue(
    ctx: StepContext, channel: str, params: dict[str, Any], *, readable: bool = False
) -> dict[str, Any]:
    """Write one outbox row per recipient, keyed by run, step and recipient.

    The contact policy is asked here (and again by the relay before sending): a message it
    holds back is written all the same, ``blocked`` or ``deferred`` with the reason, and the
    step result lists it so the trace shows why.

    The rows are append-only (``Unit.add_row``: in a batch, written at its end) unless this
    transaction may read them back: ``readable`` (the caller queries them), or a contact cap
    on the channel (the caps of later messages count them).
    """
    template = params.get("template")
    targets = (
        recipients(ctx, params["to"], channel)
        if "to" in params
        else [{"party": None, "name": None, "address": params.get("url"), "roles": []}]
    )
    account = ctx.subject.account
    case_id = ctx.subject.case.id if ctx.subject.case is not None else None
    keys = []
    held = []
    for target in targets:
        body = _render(ctx, str(template), target) if template else None
        payload = {k: v for k, v in params.items() if k not in ("to", "template")}
        if body is not None:
            payload["body"] = body
            # Whether connectors treat the body as HTML comes from the template, never from
            # what the data put into it (a party named "<h1>…" in a text template stays text).
            payload["format"] = "html" if _html_template(ctx, str(template)) else "text"
        if channel == "email" and template and "subject" not in payload:
            payload["subject"] = _subject(ctx, str(template), target)
        key = f"{ctx.run_id}:{ctx.position}:{target['party'] or target['address']}"
        decision = policy.check(
            ctx.unit.session,
            ctx.ruleset,
            channel=channel,
            party_id=target["party"],
            accounts=ctx.subject.accounts,
            case_id=case_id,
            now=ctx.unit.now,
        )
        if not decision.allowed:
            held.append(
                {
                    "to": target["party"] or target["address"],
                    "status": decision.status,
                    "reason": decision.reason,
                    **({"until": decision.until.isoformat()} if decision.until else {}),
                }
            )
        row = {
            "key": key,
            "channel": channel,
            "template": template,
            "recipient": target,
            "payload": payload,
            "subject_kind": ctx.subject.kind,
            "subject_id": ctx.subject.id,
            "account_id": account.id if account is not None else None,
            "case_id": case_id,
            "client_code": account.client_code if account is not None else None,
            "status": decision.status,
            "block_reason": decision.reason,
            "next_attempt_at": decision.until,
            "created_on": ctx.unit.today,
            "late": bool(ctx.context["event"].get("late")),
            "created_at": ctx.unit.now,
            "run_id": ctx.run_id,
            "event_id": ctx.unit.cause,
        }
        if readable or _capped(ctx, channel):  # read back in this batch: an object
            ctx.unit.session.add(m.OutboxMessage(**row))
        else:
            ctx.unit.add_row(m.OutboxMessage, row)
        keys.append(key)
    result: dict[str, Any] = {
        "channel": channel,
        "template": template,
        "to": [t["party"] or t["address"] for t in targets],
        "keys": keys,
    }
    if held:
        result["held"] = held
    return result


def _capped(ctx: StepContext, channel: str) -> bool:
    return any(cap.channel == channel for cap in ctx.ruleset.contact_policy.caps)


def send_letter(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    return queue(ctx, "letter", params)


def send_email(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    return queue(ctx, "email", params)


def send_sms(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    return queue(ctx, "sms", params)


def call_webhook(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    return queue(ctx, "webhook", params)


def report(ctx: StepContext, params: dict[str, Any]) -> dict[str, Any]:
    return queue(ctx, "report", params)
