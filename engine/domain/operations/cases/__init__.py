"""Legal cases (ACE legal module, seed 003): opening them, their dates, milestones and
documents, the case view, and their buttons."""

from __future__ import annotations

from engine.domain.operations.cases.access import (
    case_accounts,
    get_case,
    require_open,
    responsible_parties,
)
from engine.domain.operations.cases.dates import check_case_date, set_case_dates
from engine.domain.operations.cases.documents import DOCUMENTS, upload_case_document
from engine.domain.operations.cases.milestones import (
    authorize_account,
    auto_spread,
    dismiss_case,
    file_case,
    record_served,
    request_client_auth,
    request_summons,
    serve_defendants,
)
from engine.domain.operations.cases.opening import add_case_accounts, add_defendants, open_case
from engine.domain.operations.cases.views import describe_case

__all__ = [
    "DOCUMENTS",
    "add_case_accounts",
    "add_defendants",
    "authorize_account",
    "auto_spread",
    "case_accounts",
    "check_case_date",
    "describe_case",
    "dismiss_case",
    "file_case",
    "get_case",
    "open_case",
    "record_served",
    "request_client_auth",
    "request_summons",
    "require_open",
    "responsible_parties",
    "serve_defendants",
    "set_case_dates",
    "upload_case_document",
]
