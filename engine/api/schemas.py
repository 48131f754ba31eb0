"""Request and response bodies. Requests forbid unknown fields; text may not hold NUL or lone
surrogates (no store can keep them); ids and time zones keep the domain's rules (``inputs``).
Amounts in responses are strings (exact decimals)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from engine.api.inputs import Ident, Zone


def check_text(value: str) -> str:
    """Text every store can keep: no NUL, valid UTF-8 (no lone surrogates)."""
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


def check_json(value: Any) -> Any:
    """Plain JSON: finite numbers only, and text that passes ``check_text``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
        elif isinstance(item, dict):
            for key, child in item.items():
                check_text(str(key))
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return value


def as_utc(value: datetime) -> datetime:
    """The store keeps naive UTC instants; answers carry the offset (RFC 3339)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Instant = Annotated[datetime, AfterValidator(as_utc)]
Text = Annotated[str, AfterValidator(check_text)]
Name = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(check_text)]
JsonObject = Annotated[dict[str, Any], AfterValidator(check_json)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- events ----------------------------------------------------------------------------------


class SubjectRef(Strict):
    kind: Annotated[str, Field(max_length=20), AfterValidator(check_text)] = Field(
        description="account, case, settlement, offer or follow_up"
    )
    id: Ident


class EventIn(Strict):
    """An event for the inbox: its name and what it is about (an account or a case, or any
    subject); ``data`` is the event's payload."""

    name: Name = Field(examples=["onDispute"])
    account: Ident | None = None
    case: Ident | None = None
    subject: SubjectRef | None = None
    data: JsonObject | None = Field(default=None, examples=[{"reason": "not mine"}])


class EventAccepted(BaseModel):
    id: str
    status: str = Field(description="The event's inbox status now: pending, processed, failed…")
    replay: bool = Field(description="True when the Idempotency-Key was seen before.")
    trace: str = Field(description="Where its trace will be: GET /events/{id}.")


# --- generic shapes --------------------------------------------------------------------------


class Page(BaseModel):
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


# --- events listed and re-driven -----------------------------------------------------------


class EventSubject(BaseModel):
    kind: str | None
    id: str | None


class EventOut(BaseModel):
    id: str
    seq: int = Field(description="Its place in the inbox (events are listed in this order).")
    name: str
    subject: EventSubject
    status: str = Field(description="pending, processed, failed or rejected")
    reason: str | None = Field(description="Why it was rejected, or which triggers failed.")
    date: date
    received_at: Instant
    processed_at: Instant | None
    source: str
    parent: str | None
    failed: list[str] = Field(description="The triggers that failed (a retry runs them again).")
    attempt: int = Field(description="1, or the number of the latest retry.")


class EventPage(Page):
    events: list[EventOut]


class RetryOut(BaseModel):
    id: str
    status: str = Field(description="The event's status after the retry: processed or failed.")
    reason: str | None
    attempt: int | None
    retried: bool
    trace: str = Field(description="Its trace, with every attempt: GET /events/{id}.")


class Money(BaseModel):
    principal: str
    interest: str
    fees: str
    court_costs: str
    attorney_fees: str
    other: str


class PartyOut(BaseModel):
    id: str
    name: str
    email: str | None
    phone: str | None
    roles: list[str]


Short = Annotated[str, Field(max_length=200), AfterValidator(check_text)]


class PartyIn(Strict):
    """A person or business; fields left out keep their stored value."""

    name: Short | None = None
    email: Short | None = None
    phone: Annotated[str, Field(max_length=40), AfterValidator(check_text)] | None = None
    timezone: Zone | None = None
    address: Annotated[str, Field(max_length=400), AfterValidator(check_text)] | None = None


class PartyRecord(BaseModel):
    id: str
    name: str
    email: str | None
    phone: str | None
    timezone: str | None
    address: str | None
    accounts: list[str]


class AccountOut(BaseModel):
    id: str
    client: str
    bundle: str | None
    status: str
    worklist: str | None
    next_work_date: date | None
    placed_date: date | None
    last_payment_date: date | None
    is_judgment: bool
    judgment_id: str | None
    flags: list[str]
    holds: list[str]
    fields: dict[str, Any]
    balances: Money
    balance: str
    overpayment: str
    parties: list[PartyOut]
    cases: list[str]


class WorklistAccount(BaseModel):
    id: str
    client: str
    status: str
    next_work_date: date | None
    balance: str


class WorklistPage(Page):
    worklist: str
    label: str
    accounts: list[WorklistAccount]


class WorklistOut(BaseModel):
    id: str
    label: str
    accounts: int


class TaskOut(BaseModel):
    id: int
    account: str | None
    case: str | None
    department: str | None
    assignee: str | None
    title: str
    due_date: date | None
    status: str
    created_on: date
    run: int | None


class TaskPage(Page):
    tasks: list[TaskOut]


class TaskComplete(Strict):
    note: Annotated[str, Field(max_length=2000), AfterValidator(check_text)] | None = None


class OutboxOut(BaseModel):
    id: int
    key: str
    channel: str
    template: str | None
    status: str
    block_reason: str | None
    attempts: int
    next_attempt_at: Instant | None
    last_error: str | None
    account: str | None
    case: str | None
    client: str | None
    created_on: date
    sent_at: Instant | None
    run: int | None
    event: str | None
    recipient: dict[str, Any]


class OutboxPage(Page):
    messages: list[OutboxOut]


class OperationResult(BaseModel):
    operation: str
    result: Any = Field(description="What the operation answers (ids, dates, amounts as text).")


class OperationInfo(BaseModel):
    name: str
    path: str
    parameters: dict[str, Any]


# --- config ----------------------------------------------------------------------------------


class FindingOut(BaseModel):
    file: str
    line: int
    col: int
    severity: str
    stage: str
    message: str
    text: str = Field(description="file:line:col: severity: message")


class ConfigOut(BaseModel):
    hash: str
    root: str
    loaded_at: Instant | None
    agency: str
    timezone: str
    triggers: int
    action_paths: int


class ValidateIn(Strict):
    root: Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(check_text)]


class ValidateOut(BaseModel):
    valid: bool
    root: str
    hash: str
    files: int
    errors: list[FindingOut]
    warnings: list[FindingOut]


class ReloadOut(BaseModel):
    changed: bool
    previous: str
    current: str
    warnings: list[str]
    version_change: dict[str, Any] | None


# --- tokens ----------------------------------------------------------------------------------


class TokenIn(Strict):
    role: str = Field(pattern="^(admin|integrator|viewer)$")
    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(check_text)] | None = (
        None
    )


class TokenOut(BaseModel):
    id: str
    name: str
    role: str
    created_at: Instant
    last_used_at: Instant | None
    revoked_at: Instant | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown once, never stored.")


class HealthProblem(BaseModel):
    area: str = Field(description="outbox, configuration or storage.")
    reason: str
    since: datetime


class Health(BaseModel):
    status: str = Field(description="ok, or degraded while any problem is listed.")
    ruleset: str
    problems: list[HealthProblem] = []


def finding_json(finding: Any) -> dict[str, Any]:
    return {**finding.as_json(), "text": str(finding)}


def dumps(value: Any) -> str:
    from engine.domain.models.base import json_default

    return json.dumps(value, default=json_default)
