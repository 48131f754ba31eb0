"""What an expression or template may name: the context objects and their first-level fields.

The table is the contract between the rule language and the runtime's context builders: a
name or attribute missing here is a load-time error with a suggestion, so an admin's typo
never waits for the first event to surface.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.config.catalogue import CASE_DATE_FIELDS

# Objects whose first-level attributes are checked; ``None`` means any attribute is fine.
CONTEXT_ATTRIBUTES: Mapping[str, frozenset[str] | None] = {
    "account": frozenset(
        (
            "id",
            "client",
            "status",
            "worklist",
            "next_work_date",
            "balance",
            "balances",
            "flags",
            "fields",
            "parties",
            "placed_date",
            "last_payment_date",
            "is_judgment",
            "judgment_account",
            "original_accounts",
            "bundle",
            "holds",
            "age_days",
        )
    ),
    "case": frozenset(
        (
            "id",
            "status",
            "accounts",
            "defendants",
            "court",
            "attorney",
            "process_server",
            "opened_date",
            *CASE_DATE_FIELDS,
            "serve_response_days",
            "judgment",
            "documents",
        )
    ),
    "client": frozenset(
        (
            "code",
            "name",
            "judgment",
            "fee_percent",
            "settlement",
            "interest",
            "spreader",
            "judgment_spreader",
        )
    ),
    "judgment": frozenset(
        (
            "id",
            "case",
            "account",
            "client",
            "amount",
            "interest_rate",
            "effective_date",
            "result",
            "judgment_date",
            "interest_accrued",
            "balance",
        )
    ),
    "settlement": frozenset(
        (
            "id",
            "account",
            "amount",
            "received",
            "remaining",
            "status",
            "inception_date",
            "claims",
            "outside_authority",
            "approved_by",
            "reached_date",
            "installments",
        )
    ),
    "offer": frozenset(
        (
            "id",
            "account",
            "amount",
            "status",
            "offer_date",
            "expiry_date",
            "term_days",
            "received",
            "remaining",
            "end_date",
        )
    ),
    "party": frozenset(("id", "name", "email", "phone", "timezone", "roles", "address")),
    "follow_up": frozenset(
        ("id", "kind", "owner", "status", "due_date", "stakeholders", "outcome", "items")
    ),
    "event": frozenset(("id", "name", "data", "date", "subject", "depth", "late")),
    "vars": None,
    "today": None,
    "now": None,
}

EXPRESSION_NAMES: frozenset[str] = frozenset(CONTEXT_ATTRIBUTES)


def attributes_of(name: str) -> frozenset[str] | None:
    """The known first-level attributes of a context object, or None when any is allowed."""
    return CONTEXT_ATTRIBUTES.get(name)
