"""What an event is about: the subject, the accounts account-actions apply to, the context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.config.model import RuleSet
from engine.domain import ONE_EVENT, NotFound, Scope
from engine.domain import models as m
from engine.runtime.context import views as v

SUBJECT_KINDS = ("account", "case", "settlement", "offer", "follow_up")


@dataclass(slots=True)
class Subject:
    kind: str
    id: str
    account: m.Account | None = None  # the primary account (a case's first added)
    accounts: list[m.Account] = field(default_factory=list)  # account actions apply to these
    case: m.Case | None = None
    settlement: m.Settlement | None = None
    offer: m.Offer | None = None
    follow_up: m.FollowUp | None = None
    judgment: m.Judgment | None = None

    @property
    def key(self) -> str:
        """The ordering key: a case, else the account's bundle."""
        if self.case is not None:
            return f"case:{self.case.id}"
        if self.account is not None:
            return f"bundle:{self.account.bundle or self.account.id}"
        return f"{self.kind}:{self.id}"


def _need(session: Session, model: type[Any], key: str, what: str) -> Any:
    found = session.get(model, key)
    if found is None:
        raise NotFound(f"unknown {what} '{key}'")
    return found


def _case_accounts(session: Session, case: m.Case) -> list[m.Account]:
    return [_need(session, m.Account, link.account_id, "account") for link in case.accounts]


def resolve(session: Session, kind: str, subject_id: str, scope: Scope = ONE_EVENT) -> Subject:
    """Load the subject of an event; NotFound names what is missing."""
    if kind == "account":
        account = scope.get(session, m.Account, subject_id)
        if account is None:
            raise NotFound(f"unknown account '{subject_id}'")
        subject = Subject(kind, subject_id, account=account, accounts=[account])
        subject.case = scope.newest_case(session, account.id)
    elif kind == "case":
        case = _need(session, m.Case, subject_id, "case")
        accounts = _case_accounts(session, case)
        subject = Subject(
            kind,
            subject_id,
            account=accounts[0] if accounts else None,
            accounts=accounts,
            case=case,
        )
    elif kind == "settlement":
        settlement = _need(session, m.Settlement, subject_id, "settlement")
        account = _need(session, m.Account, settlement.account_id, "account")
        subject = Subject(
            kind, subject_id, account=account, accounts=[account], settlement=settlement
        )
        subject.case = session.get(m.Case, settlement.case_id) if settlement.case_id else None
    elif kind == "offer":
        offer = _need(session, m.Offer, subject_id, "offer")
        account = _need(session, m.Account, offer.account_id, "account")
        subject = Subject(kind, subject_id, account=account, accounts=[account], offer=offer)
    elif kind == "follow_up":
        follow_up = _need(session, m.FollowUp, subject_id, "follow-up")
        subject = Subject(kind, subject_id, follow_up=follow_up)
        if follow_up.case_id:
            subject.case = _need(session, m.Case, follow_up.case_id, "case")
            subject.accounts = _case_accounts(session, subject.case)
            subject.account = subject.accounts[0] if subject.accounts else None
        elif follow_up.account_id:
            subject.account = _need(session, m.Account, follow_up.account_id, "account")
            subject.accounts = [subject.account]
    else:
        raise NotFound(f"unknown subject kind '{kind}' (one of {', '.join(SUBJECT_KINDS)})")
    judgment_id = subject.case.judgment_id if subject.case is not None else None
    if judgment_id is None and subject.account is not None:
        judgment_id = subject.account.judgment_id
    if judgment_id:
        subject.judgment = session.get(m.Judgment, judgment_id)
    judgment_account = subject.account is not None and subject.account.is_judgment
    if subject.case is None and subject.judgment is not None and judgment_account:
        # A judgment account belongs to no case itself: its case is its original accounts'.
        subject.case = session.get(m.Case, subject.judgment.case_id)
    return subject


def context_for(
    session: Session,
    ruleset: RuleSet,
    subject: Subject,
    event: dict[str, Any],
    variables: dict[str, Any],
    today: Any,
    now: Any,
    scope: Scope = ONE_EVENT,
) -> dict[str, Any]:
    """The names expressions and templates see (DESIGN §3)."""

    def wrap(view: type[v.View], obj: Any) -> Any:
        return None if obj is None else view(obj, session, ruleset)

    client = None
    if subject.account is not None:
        client = wrap(v.ClientView, scope.get(session, m.Client, subject.account.client_code))
    return {
        "account": wrap(v.AccountView, subject.account),
        "case": wrap(v.CaseView, subject.case),
        "client": client,
        "judgment": wrap(v.JudgmentView, subject.judgment),
        "settlement": wrap(v.SettlementView, subject.settlement),
        "offer": wrap(v.OfferView, subject.offer),
        "follow_up": wrap(v.FollowUpView, subject.follow_up),
        "party": None,
        "event": event,
        "vars": variables,
        "today": today,
        "now": now,
    }
