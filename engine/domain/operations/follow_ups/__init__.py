"""Follow-ups (seed 004): their lifecycle and history entries, emails and attachments, the open
follow-ups on a subject (automation suspended), the follow-up views, and their buttons."""

from __future__ import annotations

from engine.domain.operations.follow_ups.attachments import ATTACHMENTS, attach_follow_up, check
from engine.domain.operations.follow_ups.email import email_follow_up
from engine.domain.operations.follow_ups.entries import get, record
from engine.domain.operations.follow_ups.lifecycle import (
    ITEM_KINDS,
    KIND_ALIASES,
    KINDS,
    canonical_kind,
    comment_follow_up,
    open_follow_up,
    reassign_follow_up,
    reschedule_follow_up,
    resolve_follow_up,
)
from engine.domain.operations.follow_ups.subjects import open_on
from engine.domain.operations.follow_ups.views import describe, history, open_follow_ups, summary

__all__ = [
    "ATTACHMENTS",
    "ITEM_KINDS",
    "KINDS",
    "KIND_ALIASES",
    "attach_follow_up",
    "canonical_kind",
    "check",
    "comment_follow_up",
    "describe",
    "email_follow_up",
    "get",
    "history",
    "open_follow_up",
    "open_follow_ups",
    "open_on",
    "reassign_follow_up",
    "record",
    "reschedule_follow_up",
    "resolve_follow_up",
    "summary",
]
