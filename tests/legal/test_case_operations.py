"""The case buttons: bundle and defendant rules, dates, documents, filing, dismissal, and the
judgment's refusals — each refusal names the object and changes nothing."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.domain import models as m
from engine.domain.errors import DomainError
from engine.runtime.engine import Engine
from tests.legal.conftest import START, MakeEngine, filed_case, place, set_day


def _bundle(engine: Engine) -> None:
    """A1, A2 (Dana, bundle B1; Sam co-signs A2), A3 (Dana, bundle B9), A4 (Lee, B1)."""
    place(
        engine,
        {"id": "A1", "client": "ACME", "bundle": "B1", "balances": {"principal": "1000"}},
        {
            "id": "A2",
            "client": "ACME",
            "bundle": "B1",
            "parties": ["P1", "P2"],
            "balances": {"principal": "500", "fees": "25"},
        },
        {"id": "A3", "client": "ACME", "bundle": "B9", "balances": {"principal": "90"}},
        {"id": "A4", "client": "ACME", "bundle": "B1", "parties": ["P3"]},
        {"id": "H1", "client": "HARBOR", "bundle": "B1", "balances": {"principal": "70"}},
    )


def _events(engine: Engine) -> list[str]:
    rows = select(m.InboxEvent.name).where(m.InboxEvent.subject_kind == "case")
    return engine.read(lambda s: list(s.scalars(rows.order_by(m.InboxEvent.seq))))


def _case(engine: Engine, case: str = "C1") -> dict[str, Any]:
    def read(s):
        row = s.get(m.Case, case)
        item = {c.name: getattr(row, c.name) for c in m.Case.__table__.columns}
        item["accounts"] = [
            (a.account_id, a.authorized_date, a.proposed_spread) for a in row.accounts
        ]
        item["defendants"] = [d.party_id for d in row.defendants]
        return item

    return engine.read(read)


def _refused(engine: Engine, name: str, params: dict[str, Any], message: str) -> None:
    before = engine.read(
        lambda s: (
            s.scalar(select(func.count()).select_from(m.InboxEvent)),
            s.scalar(select(func.count()).select_from(m.Account)),
        )
    )
    case_before = _case(engine) if engine.read(lambda s: s.get(m.Case, "C1")) else None
    with pytest.raises(DomainError) as refused:
        engine.operate(name, params)
    assert message in str(refused.value)
    after = engine.read(
        lambda s: (
            s.scalar(select(func.count()).select_from(m.InboxEvent)),
            s.scalar(select(func.count()).select_from(m.Account)),
        )
    )
    assert after == before
    if case_before is not None:
        assert _case(engine) == case_before


def test_accounts_and_defendants_must_belong_to_the_case(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    refusals = [
        ({"accounts": ["A3"]}, "account 'A3' is not in the bundle of case 'C1'"),
        ({"accounts": ["A4"]}, "account 'A4' is not a responsible-party account of case 'C1'"),
        ({"accounts": ["A1"]}, "account 'A1' is already on case 'C1'"),
        ({"accounts": ["A9"]}, "unknown account 'A9'"),
        ({"accounts": ["A2"], "status_code": "ACTIVE"}, "'ACTIVE' is not a legal status code"),
    ]
    for params, message in refusals:
        _refused(engine, "add_case_accounts", {"case": "C1", **params}, message)
    _refused(engine, "add_defendants", {"case": "C1", "defendants": ["P2"]}, "party 'P2' is not")
    _refused(engine, "add_case_accounts", {"case": "C9", "accounts": ["A2"]}, "unknown case 'C9'")
    assert engine.operate("add_case_accounts", {"case": "C1", "accounts": ["A2"]})["added"] == [
        "A2"
    ]
    engine.operate("add_defendants", {"case": "C1", "defendants": ["P2"]})
    _refused(engine, "add_defendants", {"case": "C1", "defendants": ["P2"]}, "already a defendant")
    _refused(engine, "add_defendants", {"case": "C1", "defendants": ["P3"]}, "party 'P3' is not")
    case = _case(engine)
    assert [a[0] for a in case["accounts"]] == ["A1", "A2"]
    assert case["defendants"] == ["P1", "P2"]


def test_open_case_rules(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    _refused(
        engine,
        "open_case",
        {"case": "C1", "accounts": ["A1"], "defendants": ["P3"]},
        "party 'P3' is not a responsible party on any account of the case",
    )
    _refused(
        engine,
        "open_case",
        {"case": "C1", "accounts": ["A1"], "opened_date": "2026-05-05"},
        "opened date 2026-05-05 is in the future",
    )
    engine.operate(
        "open_case",
        {"case": "C1", "accounts": ["A1"], "status_code": "LEGAL", "opened_date": "2026-04-01"},
    )
    assert _case(engine)["opened_date"] == date(2026, 4, 1)
    assert engine.read(lambda s: s.get(m.Account, "A1").status) == "LEGAL"


def test_auto_spread_proposes_each_accounts_balance_and_reruns(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    assert engine.operate("auto_spread", {"case": "C1"})["proposed_spread"] == {"A1": "1000.00"}
    engine.operate("add_case_accounts", {"case": "C1", "accounts": ["A2"]})
    spread = engine.operate("auto_spread", {"case": "C1"})["proposed_spread"]
    assert spread == {"A1": "1000.00", "A2": "525.00"}


def test_every_case_date_can_be_entered_and_cleared(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    fields = list(m.CASE_DATE_FIELDS)
    dates = {name: (START + timedelta(days=n)).isoformat() for n, name in enumerate(fields)}
    changed = engine.operate("set_case_dates", {"case": "C1", **dates})["changed"]
    assert changed == dates
    case = _case(engine)
    assert {name: case[name].isoformat() for name in fields} == dates
    cleared = engine.operate("set_case_dates", {"case": "C1", **dict.fromkeys(fields)})
    assert cleared["changed"] == dict.fromkeys(fields)
    assert all(_case(engine)[name] is None for name in fields)
    refusals = [
        ({"court_date": "2026-05-03"}, "court_date 2026-05-03 is before the case was opened"),
        ({"court_dat": "2026-06-01"}, "did you mean 'court_date'"),
        ({"court_date": "soon"}, "'court_date' must be a date"),
        ({}, "name at least one date field"),
    ]
    for params, message in refusals:
        _refused(engine, "set_case_dates", {"case": "C1", **params}, message)


def test_the_buttons_fill_their_dates_and_emit_their_events(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1", "A2"], "defendants": ["P1"]})
    set_day(engine, START + timedelta(days=1))
    engine.operate("request_client_auth", {"case": "C1"})
    engine.operate("request_summons", {"case": "C1"})
    engine.operate("serve_defendants", {"case": "C1", "response_days": 21})
    engine.operate("record_served", {"case": "C1", "date": START.isoformat()})
    _refused(
        engine,
        "file_case",
        {"case": "C1"},
        "case 'C1' cannot be filed: accounts 'A1', 'A2' not authorized",
    )
    engine.operate("authorize_account", {"case": "C1", "account": "A1", "date": "2026-05-04"})
    _refused(engine, "file_case", {"case": "C1"}, "account 'A2' not authorized")
    _refused(
        engine,
        "authorize_account",
        {"case": "C1", "account": "A2", "date": "2026-05-01"},
        "authorization date 2026-05-01 is before the case was opened",
    )
    _refused(
        engine, "authorize_account", {"case": "C1", "account": "A3"}, "'A3' is not on case 'C1'"
    )
    engine.operate("authorize_account", {"case": "C1", "account": "A2"})
    engine.operate("file_case", {"case": "C1"})
    case = _case(engine)
    day = START + timedelta(days=1)
    assert (
        case["client_auth_request_date"],
        case["summons_request_date"],
        case["serve_request_date"],
        case["serve_response_days"],
        case["served_date"],
        case["file_date"],
        case["status"],
    ) == (day, day, day, 21, START, day, "FILED")
    assert case["accounts"] == [("A1", START, None), ("A2", day, None)]
    assert _events(engine) == [
        "onAfterCaseInsert",
        "onCaseClientAuthorizationRequest",
        "onCaseSummonsRequest",
        "onCaseServeRequest",
        "onCaseServed",
        "onCaseFile",
    ]
    engine.operate("dismiss_case", {"case": "C1"})
    case = _case(engine)
    assert (case["status"], case["dismissed_date"]) == ("DISMISSED", day)
    assert _events(engine)[-1] == "onCaseDismiss"
    for name in ("request_summons", "file_case", "dismiss_case", "auto_spread"):
        _refused(engine, name, {"case": "C1"}, "case 'C1' is dismissed")


def test_serving_needs_defendants(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"]})
    _refused(engine, "serve_defendants", {"case": "C1"}, "case 'C1' has no defendants to serve")
    engine.operate("add_defendants", {"case": "C1", "defendants": ["P1"]})
    _refused(
        engine, "serve_defendants", {"case": "C1", "response_days": -1}, "must not be negative"
    )


def test_documents_are_stored_with_their_checksum(
    make_engine: MakeEngine, documents: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1"], "defendants": ["P1"]})
    data = b"%PDF-1.7 complaint"
    digest = hashlib.sha256(data).hexdigest()
    content = base64.b64encode(data).decode()
    result = engine.operate(
        "upload_case_document", {"case": "C1", "name": "complaint.pdf", "content": content}
    )
    assert (result["size"], result["sha256"]) == (len(data), digest)
    stored = documents / "C1" / f"{digest[:16]}-complaint.pdf"
    assert result["stored"] == f"C1/{digest[:16]}-complaint.pdf"
    assert stored.read_bytes() == data
    source = tmp_path / "summons.txt"
    source.write_bytes(b"Summons issued")
    result = engine.operate("upload_case_document", {"case": "C1", "path": str(source)})
    assert result["name"] == "summons.txt"
    names = engine.read(
        lambda s: [d.name for d in s.scalars(select(m.CaseDocument).order_by(m.CaseDocument.id))]
    )
    assert names == ["complaint.pdf", "summons.txt"]
    monkeypatch.setenv("DOCKET_DOCUMENT_MAX_BYTES", "10")
    refusals = [
        (
            {"name": "x.pdf", "content": content},
            "document 'x.pdf' is 18 bytes; the limit is 10 bytes",
        ),
        ({"name": "x.pdf", "content": "%%%"}, "content is not valid base64"),
        ({"name": "x.pdf", "content": ""}, "document 'x.pdf' is empty"),
        ({"name": "../x.pdf", "content": "eA=="}, "is not a plain file name"),
        ({"name": "x.pdf"}, "case 'C1': give either a path or content"),
        ({"name": "x.pdf", "path": "x.pdf", "content": "eA=="}, "give either a path or content"),
        ({"path": str(tmp_path / "missing.pdf")}, "case 'C1': no file at"),
    ]
    for params, message in refusals:
        with pytest.raises(DomainError, match=message):
            engine.operate("upload_case_document", {"case": "C1", **params})
    assert engine.read(lambda s: s.scalar(select(func.count()).select_from(m.CaseDocument))) == 2


def test_judgment_refusals_change_nothing(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    engine.operate("open_case", {"case": "C1", "accounts": ["A1", "H1"], "defendants": ["P1"]})
    base = {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "100"}
    _refused(engine, "render_judgment", base, "case 'C1' has not been filed")
    for account in ("A1", "H1"):
        engine.operate("authorize_account", {"case": "C1", "account": account})
    engine.operate("file_case", {"case": "C1"})
    refusals = [
        ({"judgment_client": "ACME"}, "client 'ACME' is not a judgment client"),
        ({"judgment_client": "NOPE"}, "unknown client 'NOPE'"),
        ({"judgment_account": "A2"}, "account 'A2' already exists"),
        ({"amount": "0"}, "the judgment amount must be positive, got 0.00"),
        ({"spread": {"A1": "60", "H1": "30"}}, "the spread sums to 90.00, not the judgment"),
        ({"spread": {"A1": "60", "A3": "40"}}, "account 'A3' is not on case 'C1'"),
        ({"spread": {"A1": "100"}, "interest_rate": "101"}, "between 0 and 100"),
        ({"judgment_date": "2026-05-05"}, "judgment date 2026-05-05 is in the future"),
        ({"judgment_date": "2026-05-01"}, "judgment_date 2026-05-01 is before the case was"),
        ({}, "client 'HARBOR' of account 'H1' has no judgment_spreader"),
    ]
    for params, message in refusals:
        _refused(engine, "render_judgment", {**base, **params}, message)
    result = engine.operate("render_judgment", {**base, "spread": {"A1": "100"}})
    assert result["spread"] == {"A1": "100.00"}
    assert engine.read(lambda s: s.get(m.Account, "H1").judgment_id) is None
    _refused(engine, "render_judgment", base, "case 'C1' already has judgment 'J1'")
    _refused(engine, "add_case_accounts", {"case": "C1", "accounts": ["A2"]}, "already has")
    # Editing the judgment date keeps the judgment in step; it cannot be cleared.
    engine.operate("set_case_dates", {"case": "C1", "judgment_date": "2026-05-04"})
    _refused(engine, "set_case_dates", {"case": "C1", "judgment_date": None}, "cannot be cleared")
    assert engine.read(lambda s: s.get(m.Judgment, "J1").judgment_date) == START


def test_a_judgment_needs_a_filed_case_of_the_agency(make_engine: MakeEngine):
    engine = make_engine()
    _bundle(engine)
    filed_case(engine, "A1")
    _refused(
        engine,
        "open_case",
        {"case": "C2", "accounts": ["A1"], "defendants": ["P1"], "status_code": "AJ"},
        "status code 'AJ' is not a legal status code",
    )
    engine.operate(
        "render_judgment",
        {"case": "C1", "judgment_client": "ACME-JDG", "judgment_account": "J1", "amount": "10"},
    )
    _refused(engine, "open_case", {"case": "C2", "accounts": ["J1"]}, "'J1' is a judgment account")
