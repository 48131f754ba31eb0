"""The workspace operations: comments, attachments, emails, reschedule, reassign, history."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.domain import models as m
from engine.domain.errors import DomainError
from engine.domain.operations.follow_ups import check, describe, open_follow_ups
from engine.runtime.engine import Engine


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


FILES = {
    "scan.pdf": b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n",
    "photo.png": b"\x89PNG\r\n\x1a\n" + bytes(32),
    "photo.jpg": b"\xff\xd8\xff\xe0" + bytes(32),
    "notes.txt": "Client called twice — agreed to a plan.\n".encode(),
    "letter.docx": _docx(),
    "reply.eml": b"From: dana@x.test\r\nSubject: my account\r\n\r\nI dispute this.\r\n",
}


@pytest.fixture
def opened(engine: Engine) -> Engine:
    engine.operate(
        "open_follow_up",
        {
            "follow_up": "F1",
            "account": "A1",
            "kind": "dispute",
            "owner": "Compliance",
            "stakeholders": ["P1", "P2", "Compliance", "legal@x.test"],
            "due_date": "2026-05-20",
        },
    )
    return engine


def _history(engine: Engine) -> list[dict]:
    return engine.read(lambda s: describe(s, "F1"))["history"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("name", sorted(FILES))
def test_allowed_types_are_recognised_by_extension_and_content(name):
    expected = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpg": "image/jpeg",
        "txt": "text/plain",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "eml": "message/rfc822",
    }
    assert check(name, FILES[name]) == expected[name.rsplit(".", 1)[1]]
    assert check(name.upper(), FILES[name]) == expected[name.rsplit(".", 1)[1]]


def test_attachments_are_stored_with_their_checksum(opened, attachments):
    name = "letter.docx"
    data = FILES[name]
    result = opened.operate(
        "attach_follow_up", {"follow_up": "F1", "name": name, "content": _b64(data)}
    )
    digest = hashlib.sha256(data).hexdigest()
    assert result["sha256"] == digest
    assert result["size"] == len(data)
    stored = attachments / result["stored"]
    assert stored.read_bytes() == data
    assert stored.name == f"{digest[:16]}-{name}"
    line = _history(opened)[-1]
    assert (line["kind"], line["name"], line["sha256"]) == ("attachment", name, digest)


def test_an_attachment_is_read_from_a_path_and_keeps_its_type(opened, tmp_path, attachments):
    source = tmp_path / "Scan 12.pdf"
    source.write_bytes(FILES["scan.pdf"])
    result = opened.operate("attach_follow_up", {"follow_up": "F1", "path": str(source)})
    assert (result["name"], result["type"]) == ("Scan 12.pdf", "application/pdf")
    assert (attachments / result["stored"]).read_bytes() == FILES["scan.pdf"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "tool.exe",
            b"MZ\x90\x00",
            "type 'exe' is refused; allowed: docx, eml, jpg, pdf, png, txt",
        ),
        ("README", b"hello", "type 'none' is refused"),
        ("scan.pdf", FILES["photo.png"], "its content is not that of a .pdf file"),
        ("photo.png", b"GIF89a....", "its content is not that of a .png file"),
        ("letter.docx", b"PK\x03\x04broken", "its content is not that of a .docx file"),
        ("notes.txt", b"\x00\x01binary", "its content is not that of a .txt file"),
        ("reply.eml", b"\x00\x00", "its content is not that of a .eml file"),
        ("empty.txt", b"", "is empty"),
        ("../escape.txt", b"hello", "is not a plain file name"),
    ],
)
def test_refused_attachments_say_why(opened, name, data, message):
    with pytest.raises(DomainError) as refused:
        opened.operate("attach_follow_up", {"follow_up": "F1", "name": name, "content": _b64(data)})
    assert message in str(refused.value)


def test_a_refused_attachment_changes_nothing(opened, attachments):
    with pytest.raises(DomainError, match=r"its content is not that of a \.pdf file"):
        opened.operate(
            "attach_follow_up",
            {"follow_up": "F1", "name": "scan.pdf", "content": _b64(FILES["photo.png"])},
        )
    assert [line["kind"] for line in _history(opened)] == ["opened"]
    assert not attachments.exists()


def test_the_size_limit_is_checked_before_anything_is_stored(
    opened, attachments, monkeypatch, tmp_path
):
    monkeypatch.setenv("DOCKET_ATTACHMENT_MAX_BYTES", "16")
    with pytest.raises(DomainError, match=r"attachment 'notes\.txt' is 17 bytes; the limit is 16"):
        opened.operate(
            "attach_follow_up",
            {"follow_up": "F1", "name": "notes.txt", "content": _b64(b"x" * 17)},
        )
    with pytest.raises(DomainError, match="content is not valid base64"):
        opened.operate(
            "attach_follow_up", {"follow_up": "F1", "name": "notes.txt", "content": "@@@"}
        )
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(DomainError, match=r"attachment 'big\.txt' is 2\.0 KiB; the limit is 16"):
        opened.operate("attach_follow_up", {"follow_up": "F1", "path": str(big)})
    with pytest.raises(DomainError, match="follow-up 'F1': give either a path or content"):
        opened.operate("attach_follow_up", {"follow_up": "F1", "name": "notes.txt"})
    assert [line["kind"] for line in _history(opened)] == ["opened"]
    assert not attachments.exists()


def test_emails_go_to_stakeholders_through_the_outbox_with_unique_keys(opened):
    first = opened.operate(
        "email_follow_up", {"follow_up": "F1", "to": "stakeholders", "template": "follow-up-note"}
    )
    # P2 has no email and Compliance is a department: the stakeholders with an address get it.
    assert first["to"] == ["P1", "legal@x.test"]
    assert first["subject"] == "Dispute on account A1"
    second = opened.operate(
        "email_follow_up",
        {"follow_up": "F1", "to": ["P1"], "template": "follow-up-note", "subject": "Update"},
    )
    rows = opened.read(
        lambda s: list(s.scalars(select(m.OutboxMessage).order_by(m.OutboxMessage.id)))
    )
    assert [(r.channel, r.recipient["address"], r.payload["subject"]) for r in rows] == [
        ("email", "dana@x.test", "Dispute on account A1"),
        ("email", "legal@x.test", "Dispute on account A1"),
        ("email", "dana@x.test", "Update"),
    ]
    keys = [r.key for r in rows]
    assert keys == [
        f"follow_up:F1:{first['entry']}:P1",
        f"follow_up:F1:{first['entry']}:legal@x.test",
        f"follow_up:F1:{second['entry']}:P1",
    ]
    assert first["keys"] == keys[:2]
    body = rows[0].payload["body"]
    assert "Dear Dana Reyes," in body
    assert "follow-up F1 on account A1" in body
    assert "(Acme Bank, balance $500.00) is owned by Compliance" in body
    assert "due on 2026-05-20" in body
    assert all(r.account_id == "A1" and r.subject_kind == "follow_up" for r in rows)


@pytest.mark.parametrize(
    ("to", "template", "message"),
    [
        ("Compliance", "follow-up-note", "recipient 'Compliance' is neither a party nor"),
        ("P2", "follow-up-note", "party 'P2' has no email address"),
        ("P1", "nope", "unknown template 'nope'"),
        ([], "follow-up-note", "name at least one recipient"),
    ],
)
def test_bad_emails_are_refused_and_queue_nothing(opened, to, template, message):
    with pytest.raises(DomainError) as refused:
        opened.operate("email_follow_up", {"follow_up": "F1", "to": to, "template": template})
    assert message in str(refused.value)
    assert opened.read(lambda s: s.scalars(select(m.OutboxMessage)).all()) == []
    assert [line["kind"] for line in _history(opened)] == ["opened"]


def test_reschedule_and_reassign_keep_old_and_new_in_history(opened):
    opened.operate(
        "reschedule_follow_up",
        {"follow_up": "F1", "due_date": "2026-06-01", "reason": "documents late"},
    )
    opened.operate("reassign_follow_up", {"follow_up": "F1", "owner": "Legal"})
    opened.operate(
        "comment_follow_up", {"follow_up": "F1", "text": "Sent to counsel", "author": "kim"}
    )
    lines = _history(opened)
    assert [(line["kind"], line.get("old"), line.get("new")) for line in lines] == [
        ("opened", None, None),
        ("rescheduled", "2026-05-20", "2026-06-01"),
        ("reassigned", "Compliance", "Legal"),
        ("comment", None, None),
    ]
    assert lines[1]["reason"] == "documents late"
    assert (lines[3]["text"], lines[3]["author"]) == ("Sent to counsel", "kim")
    row = opened.read(lambda s: describe(s, "F1"))
    assert (row["due_date"], row["owner"]) == ("2026-06-01", "Legal")


@pytest.mark.parametrize(
    ("operation", "params", "message"),
    [
        ("reschedule_follow_up", {"due_date": "2026-05-20"}, "already due on 2026-05-20"),
        ("reschedule_follow_up", {"due_date": "2026-05-01"}, "is before today"),
        ("reassign_follow_up", {"owner": "Compliance"}, "already owned by Compliance"),
        ("comment_follow_up", {"text": "  "}, "the comment is empty"),
        ("resolve_follow_up", {"outcome": ""}, "the outcome is empty"),
    ],
)
def test_pointless_or_empty_changes_are_refused(opened, operation, params, message):
    with pytest.raises(DomainError) as refused:
        opened.operate(operation, {"follow_up": "F1", **params})
    assert message in str(refused.value)
    assert [line["kind"] for line in _history(opened)] == ["opened"]


def test_a_resolved_follow_up_refuses_changes_but_takes_comments(opened):
    opened.operate("resolve_follow_up", {"follow_up": "F1", "outcome": "Withdrawn"})
    for operation, params, what in [
        ("reschedule_follow_up", {"due_date": "2026-06-01"}, "rescheduled"),
        ("reassign_follow_up", {"owner": "Legal"}, "reassigned"),
        ("resolve_follow_up", {"outcome": "again"}, "resolved again"),
        ("email_follow_up", {"to": "P1", "template": "follow-up-note"}, "send emails"),
    ]:
        with pytest.raises(DomainError, match=f"was resolved.*cannot {what}|cannot be {what}"):
            opened.operate(operation, {"follow_up": "F1", **params})
    opened.operate("comment_follow_up", {"follow_up": "F1", "text": "Client wrote again"})
    row = opened.read(lambda s: describe(s, "F1"))
    assert (row["status"], row["due_date"], row["owner"]) == (
        "resolved",
        "2026-05-20",
        "Compliance",
    )
    assert [line["kind"] for line in row["history"]] == ["opened", "resolved", "comment"]


def test_unknown_follow_ups_are_named(engine):
    for operation, params in [
        ("comment_follow_up", {"text": "hi"}),
        ("attach_follow_up", {"name": "a.txt", "content": "aGk="}),
        ("email_follow_up", {"to": "P1", "template": "follow-up-note"}),
        ("reschedule_follow_up", {"due_date": "2026-06-01"}),
        ("reassign_follow_up", {"owner": "Legal"}),
        ("resolve_follow_up", {"outcome": "done"}),
    ]:
        with pytest.raises(DomainError, match="unknown follow-up 'F9'"):
            engine.operate(operation, {"follow_up": "F9", **params})


def test_open_follow_ups_are_listed_by_due_date_and_owner(engine):
    for ident, owner, due in [
        ("F1", "Legal", "2026-06-01"),
        ("F2", "Sales", "2026-05-10"),
        ("F3", "Legal", None),
        ("F4", "Legal", "2026-05-20"),
    ]:
        engine.operate(
            "open_follow_up",
            {"follow_up": ident, "account": "A1", "kind": "other", "owner": owner, "due_date": due},
        )
    engine.operate("resolve_follow_up", {"follow_up": "F4", "outcome": "done"})
    listed = engine.read(open_follow_ups)
    assert [row["id"] for row in listed] == ["F2", "F1", "F3"]
    legal = engine.read(lambda s: open_follow_ups(s, "Legal"))
    assert [row["id"] for row in legal] == ["F1", "F3"]


def test_the_folder_is_configurable(opened, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere"
    monkeypatch.setenv("DOCKET_ATTACHMENTS", str(other))
    result = opened.operate(
        "attach_follow_up", {"follow_up": "F1", "name": "notes.txt", "content": _b64(b"hi")}
    )
    assert (other / result["stored"]).is_file()
    assert Path(result["stored"]).parts[0] == "F1"
    assert date.fromisoformat(_history(opened)[-1]["on"]) == date(2026, 5, 4)
