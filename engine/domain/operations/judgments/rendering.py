"""Rendering a judgment (ACE "Judgment Rendered", seed 003; DESIGN §5).

Rendering a judgment creates the judgment account under a judgment client (``judgment:
true``), with the judgment amount as its principal and any court costs and attorney fees in
their buckets, and spreads the amount over the original accounts party to the judgment. The
originals stay linked (``judgment_id``); every later payment on the judgment account is
mirrored onto them (``payments``), and their clients keep the invoicing and reporting.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from engine.config.catalogue import DEFAULT_STATUS
from engine.domain.errors import DomainError, InvalidInput
from engine.domain.ids import check_id
from engine.domain.models import Account, AccountParty, Judgment, JudgmentSpread
from engine.domain.money import ZERO, largest_remainder
from engine.domain.operations.accounts.placement import ensure_client
from engine.domain.operations.cases.access import case_accounts, get_case, require_open
from engine.domain.operations.cases.dates import check_case_date
from engine.domain.operations.judgments.request import JudgmentRequest
from engine.domain.unit import Unit

DEFAULT_RESULT = "Judgment for plaintiff"


def _judgment_client(unit: Unit, code: str) -> str:
    configured = unit.ruleset.clients.get(str(code))
    if configured is None:
        raise DomainError(f"unknown client '{code}': it is not in the configuration")
    if not configured.judgment:
        raise DomainError(
            f"client '{code}' is not a judgment client (a judgment client has judgment: true)"
        )
    return configured.code


def _client_rate(unit: Unit, client_code: str) -> Decimal:
    configured = unit.ruleset.clients[client_code].interest
    return configured.rate if configured is not None else Decimal(0)


def _spread(
    unit: Unit,
    case_id: str,
    amount: Decimal,
    spread: Mapping[str, Decimal] | None,
    accounts: list[Account],
) -> dict[str, Decimal]:
    """The judgment amount over the original accounts: the given spread (it must sum to the
    amount), else the proposed spread (or the balances) scaled to the amount."""
    on_case = {a.id: a for a in accounts}
    if spread is not None:
        for account_id, part in spread.items():
            if account_id not in on_case:
                raise DomainError(f"account '{account_id}' is not on case '{case_id}'")
            if part < 0:
                raise DomainError(f"spread to account '{account_id}' is negative ({part})")
        total = sum(spread.values(), ZERO)
        if total != amount:
            raise DomainError(
                f"case '{case_id}': the spread sums to {total}, not the judgment amount {amount}"
            )
        return {k: v for k, v in spread.items() if v > 0}
    links = get_case(unit, case_id).accounts
    proposed = [link.proposed_spread for link in links]
    weights = (
        [Decimal(p) for p in proposed if p is not None]
        if all(p is not None for p in proposed)
        else [max(on_case[link.account_id].balance(), ZERO) for link in links]
    )
    parts = largest_remainder(amount, weights)
    return {link.account_id: part for link, part in zip(links, parts, strict=True) if part > 0}


def render_judgment(unit: Unit, request: JudgmentRequest) -> Judgment:
    """Render the case's judgment: the judgment account, the spread over the originals, the
    links; emits ``onCaseJudgment`` then ``onAfterJudgmentSpread``."""
    row = get_case(unit, request.case)
    require_open(row, "render a judgment")
    if row.file_date is None:
        raise DomainError(f"case '{row.id}' has not been filed: file it before the judgment")
    client_code = _judgment_client(unit, request.judgment_client)
    if not request.judgment_account:
        raise InvalidInput(
            "judgment_account", f"case '{row.id}': name the judgment account to create"
        )
    account_id = check_id(request.judgment_account, "judgment_account")
    if unit.session.get(Account, account_id) is not None:
        raise DomainError(f"account '{account_id}' already exists: name a new judgment account")
    judgment_id = account_id if request.judgment is None else check_id(request.judgment, "judgment")
    if unit.session.get(Judgment, judgment_id) is not None:
        raise DomainError(f"judgment '{judgment_id}' already exists")
    principal = request.amount
    if principal <= 0:
        raise DomainError(f"case '{row.id}': the judgment amount must be positive, got {principal}")
    extras = {"court_costs": request.court_costs, "attorney_fees": request.attorney_fees}
    for bucket, value in extras.items():
        if value is not None and value < 0:
            raise DomainError(f"case '{row.id}': {bucket.replace('_', ' ')} are negative ({value})")
    rate = request.interest_rate
    if rate is None:
        rate = _client_rate(unit, client_code)
    rendered_on = request.judgment_date or unit.today
    check_case_date(row, "judgment_date", rendered_on)
    if rendered_on > unit.today:
        raise DomainError(f"case '{row.id}': judgment date {rendered_on} is in the future")
    effective = request.effective_date or rendered_on
    if request.status is not None and request.status not in unit.ruleset.status_codes:
        raise DomainError(f"unknown status code '{request.status}'")
    originals = case_accounts(unit, row)
    spread_rows = _spread(unit, row.id, principal, request.spread, originals)
    by_id = {a.id: a for a in originals}
    for original_id in spread_rows:
        client = unit.ruleset.clients.get(by_id[original_id].client_code)
        if client is None or not client.judgment_spreader:
            raise DomainError(
                f"client '{by_id[original_id].client_code}' of account '{original_id}' has no "
                "judgment_spreader to mirror judgment payments onto its accounts"
            )
    ensure_client(unit, client_code)
    new = Account(
        id=account_id,
        client_code=client_code,
        bundle=row.bundle,
        status=request.status or DEFAULT_STATUS["render_judgment"],
        placed_date=unit.today,
        is_judgment=True,
        judgment_id=judgment_id,
        flags=[],
        holds=[],
        fields={"case": row.id},
        principal=principal,
        interest=ZERO,
        fees=ZERO,
        court_costs=request.court_costs or ZERO,
        attorney_fees=request.attorney_fees or ZERO,
        other=ZERO,
        overpayment=ZERO,
        created_at=unit.now,
    )
    # The defendants are the parties responsible for the judgment debt.
    new.parties = [
        AccountParty(party_id=link.party_id, roles=["responsible"], position=position)
        for position, link in enumerate(row.defendants)
    ]
    unit.session.add(new)
    unit.session.flush()
    rendered = Judgment(
        id=judgment_id,
        case_id=row.id,
        account_id=account_id,
        client_code=client_code,
        amount=principal,
        interest_rate=rate,
        effective_date=effective,
        judgment_date=rendered_on,
        result=str(request.result or DEFAULT_RESULT),
        created_at=unit.now,
    )
    unit.session.add(rendered)
    unit.session.flush()
    for original_id, part in spread_rows.items():
        unit.session.add(
            JudgmentSpread(judgment_id=judgment_id, account_id=original_id, amount=part)
        )
        by_id[original_id].judgment_id = judgment_id
    row.judgment_id = judgment_id
    row.judgment_date = rendered_on
    row.status = "JUDGMENT"
    unit.session.flush()
    data = {"judgment": judgment_id, "account": account_id, "amount": str(principal)}
    unit.emit("onCaseJudgment", "case", row.id, data)
    unit.emit(
        "onAfterJudgmentSpread",
        "case",
        row.id,
        {"judgment": judgment_id, "spread": {k: str(v) for k, v in spread_rows.items()}},
    )
    return rendered
