"""The catalogue: every trigger name and every operation name Docket knows, in one place.

The JSON Schemas' trigger-name and operation-name enums are generated from these tables
(``docket schema``), so an editor, ``docket validate``, the dispatcher and the operations table
(``engine.domain.operations``) always agree on the names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SubjectKind = Literal["account", "case", "settlement", "offer", "follow_up"]


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One trigger name: what it is about and, for date triggers, which date drives it."""

    name: str
    subject: SubjectKind
    description: str
    date_field: str | None = None  # set for date triggers: the subject's column that drives it

    @property
    def is_date(self) -> bool:
        return self.date_field is not None


def _case_event(name: str, description: str) -> EventSpec:
    return EventSpec(name, "case", description)


def _case_date(name: str, field: str, description: str) -> EventSpec:
    return EventSpec(name, "case", description, date_field=field)


EVENTS: tuple[EventSpec, ...] = (
    # InterProse ACE legal case and judgment triggers: events fired by the case "buttons".
    _case_event("onAfterCaseInsert", "A case was opened on an account."),
    _case_event("onCaseClientAuthorizationRequest", "Client authorization was requested."),
    _case_event("onCaseSummonsRequest", "A summons was requested."),
    _case_event("onCaseServeRequest", "Defendants were sent for service."),
    _case_event("onCaseServed", "Service on the defendants was recorded."),
    _case_event("onCaseFile", "The case was filed with the court."),
    _case_event("onCaseJudgment", "A judgment was rendered on the case."),
    _case_event("onAfterJudgmentSpread", "The judgment was spread over the original accounts."),
    _case_event("onCaseDismiss", "The case was dismissed."),
    # ACE date triggers: fired by the scheduler when the date (plus the trigger's offset) arrives.
    _case_date(
        "onCaseClientAuthRequestDate",
        "client_auth_request_date",
        "The date client authorization was requested.",
    ),
    _case_date("onCaseClientAuthDate", "client_auth_date", "The client authorization date."),
    _case_date("onCaseMediationDate", "mediation_date", "The mediation date."),
    _case_date(
        "onCaseMediationResolutionDate",
        "mediation_resolution_date",
        "The mediation resolution date.",
    ),
    _case_date(
        "onCaseSummonsRequestDate", "summons_request_date", "The date a summons was requested."
    ),
    _case_date("onCaseSummonsGrantDate", "summons_grant_date", "The date the summons was granted."),
    _case_date("onCaseServeRequestDate", "serve_request_date", "The date service was requested."),
    _case_date("onCaseServedDate", "served_date", "The date the defendants were served."),
    _case_date("onCaseCourtDate", "court_date", "The court date."),
    _case_date("onCaseFileDate", "file_date", "The date the case was filed."),
    _case_date("onCaseSignedDate", "signed_date", "The date the judgment was signed."),
    _case_date("onCaseJudgmentDate", "judgment_date", "The judgment date."),
    _case_date("onCaseDismissedDate", "dismissed_date", "The date the case was dismissed."),
    # Accounts and payments.
    EventSpec("onAfterAccountInsert", "account", "An account was placed by a client."),
    EventSpec("onAfterPaymentPost", "account", "A payment was posted and spread."),
    EventSpec("onStatusChange", "account", "The account's status code changed."),
    EventSpec("onWorklistChange", "account", "The account moved to another worklist."),
    EventSpec("onAfterBankruptcyInsert", "account", "A bankruptcy was recorded (a contact hold)."),
    EventSpec("onAfterDeceased", "account", "The consumer was recorded deceased (a contact hold)."),
    EventSpec("onDispute", "account", "The consumer disputed the debt (a contact hold)."),
    EventSpec(
        "onCeaseCommunication", "account", "The consumer asked to cease communication (a hold)."
    ),
    EventSpec("onContactHoldLifted", "account", "A contact hold was lifted; contact may resume."),
    # Settlements and offers.
    EventSpec("onSettlementReached", "settlement", "Payments since inception reached the amount."),
    EventSpec("onInstallmentMissed", "settlement", "A settlement installment was not paid."),
    EventSpec("onOfferGenerated", "offer", "The settlement offer was sent to the customer."),
    EventSpec("onOfferAccepted", "offer", "The customer accepted the settlement offer."),
    EventSpec("onOfferDeclined", "offer", "The customer declined the settlement offer."),
    EventSpec("onOfferCancelled", "offer", "The settlement offer was cancelled."),
    EventSpec("onOfferTermEnd", "offer", "The offer's term ended and it was resolved."),
    # Follow-ups.
    EventSpec("onAfterFollowUpInsert", "follow_up", "A follow-up workspace was opened."),
    EventSpec("onFollowUpDue", "follow_up", "A follow-up's due date arrived.", "due_date"),
    EventSpec("onFollowUpResolved", "follow_up", "A follow-up was resolved."),
)

BY_NAME: dict[str, EventSpec] = {spec.name: spec for spec in EVENTS}
EVENT_NAMES: tuple[str, ...] = tuple(spec.name for spec in EVENTS)
DATE_TRIGGER_NAMES: tuple[str, ...] = tuple(spec.name for spec in EVENTS if spec.is_date)

# The 22 triggers of the ACE legal case and judgment guide (seed 003).
ACE_CASE_TRIGGERS: tuple[str, ...] = tuple(spec.name for spec in EVENTS if spec.subject == "case")

# Fields a custom date trigger (``on: {date: FIELD}``) may name, by subject prefix.
CASE_DATE_FIELDS: tuple[str, ...] = tuple(
    spec.date_field for spec in EVENTS if spec.subject == "case" and spec.date_field
)
ACCOUNT_DATE_FIELDS: tuple[str, ...] = ("next_work_date", "placed_date", "last_payment_date")


def lookup(name: str) -> EventSpec | None:
    """The catalogue entry for a trigger name, or None."""
    return BY_NAME.get(name)


# Operations (a scenario's ``do:``, the API's ``POST /operations/{name}``, the CLI's commands):
# the domain's operations table holds one entry for each name but ``emit``, which the scenario
# runner answers itself (a test keeps the two equal).
OPERATION_HELP: dict[str, str] = {
    "place_account": "Place a new account {account, client, balances, parties, …}.",
    "open_case": "Open a case {case, accounts, defendants, status}.",
    "add_case_accounts": "Add accounts of the bundle to a case {case, accounts}.",
    "add_defendants": "Add defendants to a case {case, defendants}.",
    "auto_spread": "Spread the accounts' balances to the proposed judgment spread {case}.",
    "upload_case_document": "Attach a document to a case {case, name}.",
    "request_client_auth": "Request client authorization {case}.",
    "authorize_account": "Enter the authorization of one account {case, account, date}.",
    "set_case_dates": "Enter case dates {case, court_date, served_date, …}.",
    "request_summons": "Request a summons {case}.",
    "serve_defendants": "Send defendants for service {case}.",
    "record_served": "Record service {case, date}.",
    "file_case": "File the case; refused until every account is authorized {case}.",
    "render_judgment": (
        "Render a judgment {case, judgment_client, judgment_account, amount, interest_rate, "
        "effective_date, result}."
    ),
    "dismiss_case": "Dismiss a case {case}.",
    "post_payment": "Post a payment and spread it {account, amount, date}.",
    "unspread_payment": "Unspread a posted payment {payment}.",
    "respread_payment": "Respread a payment {payment, spreader}.",
    "create_settlement": (
        "Create a settlement {settlement, account, amount or calculate: true, inception_date}."
    ),
    "approve_settlement": "Approve a settlement outside the client's authority {settlement}.",
    "set_settlement_state": "Make a settlement active, inactive or void {settlement, state}.",
    "remove_settlement": "Delete a settlement {settlement}.",
    "create_offer": "Create a settlement offer {offer, account, amount, term_days, expiry_date}.",
    "offer_action": "Generate, accept, decline or cancel an offer {offer, action}.",
    "record_bankruptcy": "Record a bankruptcy (a contact hold) {account}.",
    "record_deceased": "Record the consumer deceased (a contact hold) {account}.",
    "record_dispute": "Record a dispute (a contact hold) {account}.",
    "record_cease_communication": "Record a cease-communication request {account}.",
    "lift_contact_hold": "Lift a contact hold; contact may resume {account, hold, detail}.",
    "open_follow_up": "Open a follow-up {follow_up, account or case, kind, due_date}.",
    "comment_follow_up": "Comment on a follow-up {follow_up, text}.",
    "attach_follow_up": "Attach a document to a follow-up {follow_up, name}.",
    "email_follow_up": "Send an email from a follow-up {follow_up, to, template}.",
    "reassign_follow_up": "Reassign a follow-up {follow_up, owner}.",
    "reschedule_follow_up": "Reschedule a follow-up {follow_up, due_date}.",
    "resolve_follow_up": "Resolve a follow-up {follow_up, outcome}.",
    "emit": "Emit an event {event, account or case, data}.",
}
OPERATION_NAMES: tuple[str, ...] = tuple(OPERATION_HELP)

# The status code an operation gives an account when it is given none. The domain takes
# its defaults from here, and a configuration that does not define one is refused when it
# loads (not with a 409 on the first placement).
DEFAULT_STATUS: dict[str, str] = {"place_account": "NEW", "render_judgment": "NEW"}
