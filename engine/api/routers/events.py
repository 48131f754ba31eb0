"""``POST /events``: put an event in the inbox (idempotent with ``Idempotency-Key``); list
events by status and re-drive failed ones (``POST /events/{id}/retry``)."""

from __future__ import annotations

import json
from hashlib import sha256
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from engine.api.auth import authorize, bearer_token, documented, guard
from engine.api.deps import Cursor, Filter, IdPath, Limit, decode_cursor, encode_cursor, state
from engine.api.problems import (
    COMMON,
    ProblemError,
    problem_response,
    responses,
    validation_errors,
)
from engine.api.schemas import EventAccepted, EventIn, EventPage, RetryOut, check_text, dumps
from engine.domain import models as m
from engine.runtime import event_list

router = APIRouter(tags=["events"], responses=responses(*COMMON))

KEY_DOC = "A key of your choosing: a repeat returns the first answer, with the same status."
DOCUMENT = {
    **documented("integrator"),
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": KEY_DOC,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        }
    ],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventIn"}}},
    },
}
COMPONENTS = (EventIn,)  # models the document references by hand (see app._openapi)


def _invalid(field: str, message: str) -> ProblemError:
    return ProblemError(
        422, message, kind="validation", errors=[{"field": field, "message": message}]
    )


def _parse(raw: bytes) -> EventIn:
    """The body as an EventIn; 400 when it is not JSON, 422 naming the fields at fault."""
    try:
        return EventIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            message = next(str(e["msg"]) for e in errors if e["type"] == "json_invalid")
            raise ProblemError(
                400,
                f"the request body is not valid JSON: {message}",
                kind="malformed-json",
                errors=[{"field": "body", "message": message}],
            ) from None
        raise ProblemError(
            422,
            "the request does not match its schema",
            kind="validation",
            errors=validation_errors([{**e, "loc": ("body", *e["loc"])} for e in errors]),
        ) from None


# The hot path of the API: the route takes the raw request (no dependency solving, no
# body model binding) and parses with pydantic's JSON parser; see docs/benchmarks.md.
@router.post(
    "/events",
    status_code=202,
    response_model=EventAccepted,
    responses=responses(409),
    summary="Send an event",
    description=(
        "Puts the event in the inbox; the engine processes it shortly after (202). An event "
        "the inbox refuses (unknown name, unknown subject, a date trigger…) is kept with its "
        "reason and answered 422 with the event's id. With `Idempotency-Key` (scoped to the "
        "token), a repeat answers the first outcome with the same status code and "
        "`replay: true`; another event with the key is 409."
    ),
    openapi_extra=DOCUMENT,
)
async def post_event(request: Request) -> Response:
    identity = await authorize(request, "integrator", bearer_token(request))
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 200:
            raise _invalid("header.Idempotency-Key", "give 1 to 200 characters")
        try:
            check_text(idempotency_key)
        except ValueError as exc:
            raise _invalid("header.Idempotency-Key", str(exc)) from None
    body = _parse(await request.body())
    given = [k for k in ("account", "case", "subject") if getattr(body, k) is not None]
    if len(given) > 1:
        raise ProblemError(
            422,
            "give one subject: account, case or subject",
            kind="validation",
            errors=[{"field": f"body.{k}", "message": "only one subject"} for k in given],
        )
    event: dict[str, Any] = {
        "name": body.name,
        "account": body.account,
        "case": body.case,
        "subject": (body.subject.kind, body.subject.id) if body.subject else None,
        "data": body.data,
        "idempotency_key": _scoped(identity.token_id, idempotency_key),
    }
    st = state(request)
    submitted = await st.ingestor.submit(event)
    if submitted.replay:
        await anyio.to_thread.run_sync(_same_request, st, submitted.id, event, idempotency_key)
    outcome = "replayed" if submitted.replay else submitted.status
    st.metrics.events_received.labels("accepted" if outcome == "pending" else outcome).inc()
    headers = {"Idempotency-Replayed": "true"} if submitted.replay else {}
    if submitted.status == "rejected":
        return problem_response(
            request,
            422,
            submitted.reason,
            kind="event-rejected",
            headers=headers,
            event=submitted.id,
            replay=submitted.replay,
            trace=f"/events/{submitted.id}",
        )
    answer = {
        "id": submitted.id,
        "status": submitted.status,
        "replay": submitted.replay,
        "trace": f"/events/{submitted.id}",
    }
    return Response(dumps(answer), status_code=202, media_type="application/json", headers=headers)


def _scoped(token_id: str, key: str | None) -> str | None:
    """The inbox key of a token's Idempotency-Key: two tokens may use the same key."""
    if key is None:
        return None
    scoped = f"{token_id}:{key}"
    # The inbox column holds 200 characters, like the header: a long key is kept hashed.
    return scoped if len(scoped) <= 200 else f"{token_id}:sha256:{sha256(key.encode()).hexdigest()}"


def _same_request(st: Any, event_id: str, event: dict[str, Any], key: str | None) -> None:
    """A key reused for a different event (name, subject or data) is a conflict, not a
    replay that would drop the new data."""

    def stored(session: Any) -> tuple[str, str | None, str | None, str] | None:
        row = session.scalars(select(m.InboxEvent).where(m.InboxEvent.id == event_id)).first()
        return (
            None if row is None else (row.name, row.subject_kind, row.subject_id, _json(row.data))
        )

    found = st.engine.read(stored)
    kind, subject_id = event["subject"] or (
        ("case", event["case"]) if event["case"] else ("account", event["account"])
    )
    if found is not None and found != (event["name"], kind, subject_id, _json(event["data"])):
        raise ProblemError(
            409,
            f"the Idempotency-Key '{key}' was used for another event ({found[0]} on "
            f"{found[1]} {found[2]}, or other data); use a new key for a new event",
            kind="idempotency-key-reused",
            errors=[{"field": "header.Idempotency-Key", "message": f"already used: {key}"}],
        )


def _json(data: Any) -> str:
    return json.dumps(data or {}, sort_keys=True, default=str)


@router.get("/events", response_model=EventPage, **guard("viewer"))
def list_events(
    request: Request,
    status: Annotated[
        Literal["pending", "processed", "failed", "rejected"] | None,
        Query(description="Only events of this status (failed: those a retry can re-drive)."),
    ] = None,
    account: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Events in the order they arrived, optionally of one status or account; each with its
    reason, failed triggers and attempt."""
    after = decode_cursor(cursor, (int,))[0] if cursor else None
    items, more = state(request).engine.read(lambda s: event_list(s, status, account, after, limit))
    return {
        "events": items,
        "next_cursor": encode_cursor([items[-1]["seq"]]) if more and items else None,
    }


@router.post(
    "/events/{event_id}/retry",
    response_model=RetryOut,
    responses=responses(404, 409),
    **guard("admin"),
)
def retry_event(request: Request, event_id: IdPath) -> dict[str, Any]:
    """Re-drive a failed event: its failed triggers run again on the running version, as a
    new attempt traced with the earlier ones (the triggers that ran keep their outcome).
    Answers the event's status after it: processed, or failed again with the reason."""
    st = state(request)
    # A unit of work like a batch's: no batch, sweep or reload runs meanwhile.
    with st.work_lock, st.gate.turn("ingest"):
        (answer,) = st.engine.retry([event_id])
    if not answer.retried:
        if answer.status == "unknown":
            raise ProblemError(404, str(answer.reason), kind="not-found")
        raise ProblemError(409, str(answer.reason), kind="refused")
    st.wake()  # the events its runs derived wait in the inbox
    return {**answer.as_json(), "trace": f"/events/{event_id}"}
