"""The contact policy guard: checked when a message is queued (the runtime's message actions)
and again before it is sent (the outbox relay), because a hold may arrive, or the quiet
hours begin, in between. It reads only the configuration and the store, so it lives in the
domain, where both layers that ask it may import it.

What it covers: letters, emails, SMS and calls to a *consumer* — a party with a consumer role
(responsible, co-signer, beneficiary) on one of the message's accounts, or a defendant of its
case. Messages to attorneys, literal addresses, webhooks and reports are not consumer contact.

- A hold the policy lists (bankruptcy, deceased, dispute, cease communication) on one of
  those accounts, or a status code with ``stop_contact``, blocks the message: status
  ``blocked``, parked for review whatever ``when_blocked`` says (``docket outbox retry``
  puts it back through this guard).
- Quiet hours, in the party's time zone (else the agency's), apply to email, SMS and calls;
  a letter is not received at the hour it is printed.
- Caps count contacts on one channel to one party about the message's accounts (Reg F
  counts per debt) in the last ``per_days`` days: queued, sending, sent or in doubt.
- Quiet hours and caps defer the message to the next allowed time (``when_blocked: defer``)
  or block it (``skip``); either way the reason is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config.model import ContactCap, ContactPolicy, RuleSet
from engine.domain import models as m

CONTACT_CHANNELS = frozenset({"letter", "email", "sms", "call"})
TIMED_CHANNELS = frozenset({"email", "sms", "call"})
CONSUMER_ROLES = frozenset({"responsible", "co_signer", "beneficiary"})
COUNTED = ("pending", "sending", "sent", "in_doubt")
UTC = ZoneInfo("UTC")


# The rules that hold a message back, by the start of the reason this module writes.
RULES: dict[str, str] = {
    "hold:": "hold",
    "status ": "stop_contact",
    "quiet hours": "quiet_hours",
    "cap:": "cap",
}


def rule_of(reason: str | None) -> str | None:
    """Which rule a stored block reason names: hold, stop_contact, quiet_hours or cap."""
    if not reason:
        return None
    return next((rule for start, rule in RULES.items() if reason.startswith(start)), None)


@dataclass(frozen=True, slots=True)
class Decision:
    """``pending`` (go ahead), ``deferred`` until a time, or ``blocked``; with the reason."""

    status: str = "pending"
    reason: str | None = None
    until: datetime | None = None  # naive UTC, for ``deferred``

    @property
    def allowed(self) -> bool:
        return self.status == "pending"

    @property
    def rule(self) -> str | None:
        return rule_of(self.reason)


ALLOWED = Decision()


def check(
    session: Session,
    ruleset: RuleSet,
    *,
    channel: str,
    party_id: str | None,
    accounts: Sequence[m.Account],
    case_id: str | None,
    now: datetime,
    exclude_id: int | None = None,
) -> Decision:
    """May this message go to this party now? ``now`` is naive UTC.

    ``accounts`` are the message's accounts (the subject's, or its case's), already loaded:
    the queue-time check runs for every message a rule writes and must not cost a query.
    """
    if channel not in CONTACT_CHANNELS or not party_id:
        return ALLOWED
    policy = ruleset.contact_policy
    consumer_of = _consumer_accounts(session, party_id, accounts, case_id)
    if consumer_of is None:
        return ALLOWED
    for account in consumer_of:
        held = [h for h in policy.holds if h in (account.holds or [])]
        if held:
            return Decision("blocked", f"hold: {held[0]} on account {account.id}")
        code = ruleset.status_codes.get(account.status)
        if code is not None and code.stop_contact:
            return Decision(
                "blocked", f"status {code.code} ({code.label}) stops contact on {account.id}"
            )
    if channel in TIMED_CHANNELS and policy.quiet_from and policy.quiet_to:
        party = session.get(m.Party, party_id)
        zone = (party.timezone if party is not None else None) or ruleset.agency.timezone
        until = quiet_until(policy, zone, now)
        if until is not None:
            return _blocked(
                policy, f"quiet hours {policy.quiet_from}–{policy.quiet_to} in {zone}", until
            )
    for cap in policy.caps:
        if cap.channel == channel:
            ids = [a.id for a in consumer_of]
            until = cap_until(session, cap, party_id, ids, now, exclude_id)
            if until is not None:
                reason = f"cap: {cap.max} {channel} per {cap.per_days} days reached"
                return _blocked(policy, reason, until)
    return ALLOWED


def _blocked(policy: ContactPolicy, reason: str, until: datetime) -> Decision:
    if policy.when_blocked == "skip":
        return Decision("blocked", reason)
    return Decision("deferred", reason, until)


def _consumer_accounts(
    session: Session, party_id: str, accounts: Sequence[m.Account], case_id: str | None
) -> list[m.Account] | None:
    """The accounts on which the party is a consumer; None when it is not one."""
    linked = [
        (account, link)
        for account in accounts
        for link in account.parties
        if link.party_id == party_id
    ]
    consumer = any(CONSUMER_ROLES.intersection(link.roles or ["responsible"]) for _, link in linked)
    if not consumer and case_id:
        defendant = session.scalar(
            select(func.count())
            .select_from(m.CaseDefendant)
            .where(m.CaseDefendant.case_id == case_id, m.CaseDefendant.party_id == party_id)
        )
        consumer = bool(defendant)
    if not consumer:
        return None
    return [account for account, _ in linked] or list(accounts)


def _clock(text: str) -> time:
    hour, _, minute = text.partition(":")
    return time(int(hour), int(minute or 0))


def quiet_until(policy: ContactPolicy, zone: str, now: datetime) -> datetime | None:
    """The end of the quiet hours (naive UTC) if ``now`` falls in them, else None."""
    assert policy.quiet_from is not None and policy.quiet_to is not None
    tz = ZoneInfo(zone)
    local = now.replace(tzinfo=UTC).astimezone(tz)
    start, end = _clock(policy.quiet_from), _clock(policy.quiet_to)
    at = local.time()
    quiet = (at >= start or at < end) if start > end else (start <= at < end)
    if not quiet:
        return None
    ends = datetime.combine(local.date(), end, tz)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), end, tz)
    return ends.astimezone(UTC).replace(tzinfo=None)


def cap_until(
    session: Session,
    cap: ContactCap,
    party_id: str,
    account_ids: list[str],
    now: datetime,
    exclude_id: int | None = None,
) -> datetime | None:
    """When the cap leaves room again (naive UTC) if it is reached now, else None."""
    window = timedelta(days=cap.per_days)
    when = func.coalesce(m.OutboxMessage.sent_at, m.OutboxMessage.created_at)
    query = select(m.OutboxMessage.id, m.OutboxMessage.recipient, when).where(
        m.OutboxMessage.channel == cap.channel,
        m.OutboxMessage.status.in_(COUNTED),
        m.OutboxMessage.account_id.in_(account_ids),
        when > now - window,
    )
    times = sorted(
        at
        for row_id, recipient, at in session.execute(query)
        if row_id != exclude_id and (recipient or {}).get("party") == party_id
    )
    if len(times) < cap.max:
        return None
    if cap.max == 0:
        return now + window
    # The cap frees up when enough of the oldest contacts leave the window.
    oldest_to_leave: datetime = times[len(times) - cap.max]
    return max(oldest_to_leave + window, now)
