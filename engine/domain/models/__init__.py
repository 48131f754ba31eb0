"""SQLAlchemy 2.0 models of the domain store."""

from engine.domain.models.accounts import (
    Account,
    AccountParty,
    Client,
    Party,
    StatusHistory,
    WorklistHistory,
)
from engine.domain.models.base import Base, MoneyType, RateType
from engine.domain.models.cases import (
    CASE_DATE_FIELDS,
    Case,
    CaseAccount,
    CaseDefendant,
    CaseDocument,
    Judgment,
    JudgmentSpread,
)
from engine.domain.models.events import InboxEvent, OutboxMessage
from engine.domain.models.ledger import Allocation, Transaction
from engine.domain.models.runs import (
    DateChange,
    EventTrace,
    FiredDate,
    FiredEvent,
    RuleSetVersion,
    Run,
    SchedulerState,
)
from engine.domain.models.settlements import Installment, Offer, Settlement, SettlementClaim
from engine.domain.models.tokens import ApiToken, IdempotencyKey
from engine.domain.models.work import FollowUp, FollowUpEntry, Note, Record, Task

__all__ = [
    "CASE_DATE_FIELDS",
    "Account",
    "AccountParty",
    "Allocation",
    "ApiToken",
    "Base",
    "Case",
    "CaseAccount",
    "CaseDefendant",
    "CaseDocument",
    "Client",
    "DateChange",
    "EventTrace",
    "FiredDate",
    "FiredEvent",
    "FollowUp",
    "FollowUpEntry",
    "IdempotencyKey",
    "InboxEvent",
    "Installment",
    "Judgment",
    "JudgmentSpread",
    "MoneyType",
    "Note",
    "Offer",
    "OutboxMessage",
    "Party",
    "RateType",
    "Record",
    "RuleSetVersion",
    "Run",
    "SchedulerState",
    "Settlement",
    "SettlementClaim",
    "StatusHistory",
    "Task",
    "Transaction",
    "WorklistHistory",
]
