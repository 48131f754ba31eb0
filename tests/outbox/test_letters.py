"""Letters as PDFs (WeasyPrint) in a daily print batch, and the default outbox folder."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from pypdf import PdfReader

from engine.outbox.routing import router_for
from tests.outbox.conftest import MakeDesk


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


PRINT_BATCH = """
- id: printer
  type: print_batch
  settings:
    folder: print-batches
    return_address: "Outbox Test Recovery, PO Box 1, Chicago IL 60601"
"""


def test_a_letter_is_printed_into_the_daily_batch_with_a_manifest_row(
    desk: MakeDesk, tmp_path: Path
) -> None:
    one = desk(PRINT_BATCH)
    one.place(send=("letter",))

    report = one.relay()

    assert report.sent == [1]
    batch = tmp_path / "print-batches" / "2026-05-04"
    [pdf] = list(batch.glob("*.pdf"))
    text = pdf_text(pdf)
    assert "Notice of debt" in text
    assert "Dear Dana Reyes," in text
    assert "Account A1 placed by Acme Bank: $1200.00 is owed." in text
    assert "12 Elm Street" in text and "Springfield, IL 62701" in text
    assert "PO Box 1, Chicago IL 60601" in text
    with (batch / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = one.row().payload["_delivery"]["receipt"]
    assert rows == [
        {
            "key": pdf.stem.removeprefix("batch-"),
            "file": pdf.name,
            "first_page": "1",
            "last_page": "1",
            "pages": "1",
            "recipient": "P1",
            "name": "Dana Reyes",
            "address": "12 Elm Street, Springfield, IL 62701",  # one line for the vendor
            "template": "notice-letter",
            "account": "A1",
            "case": "",
            "client": "ACME",
        }
    ]
    assert key == str(pdf)
    assert one.row().payload["_delivery"]["detail"] == "batch 2026-05-04, page 1"


def test_a_relay_pass_prints_its_letters_into_one_pdf_with_page_ranges(
    desk: MakeDesk, tmp_path: Path
) -> None:
    one = desk(PRINT_BATCH)
    for n in range(1, 4):
        one.place(f"A{n}", send=("letter",), party=f"P{n}")

    assert one.relay().sent == [1, 2, 3]

    batch = tmp_path / "print-batches" / "2026-05-04"
    [pdf] = list(batch.glob("*.pdf"))
    with (batch / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["account"], r["file"], r["first_page"], r["last_page"]) for r in rows] == [
        ("A1", pdf.name, "1", "1"),
        ("A2", pdf.name, "2", "2"),
        ("A3", pdf.name, "3", "3"),
    ]
    pages = PdfReader(pdf).pages
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):  # each page is its own letter
        text = page.extract_text()
        assert f"Account A{number} placed by Acme Bank" in text
        assert rows[number - 1]["key"] in text  # the footer names the letter's key
    details = [row.payload["_delivery"]["detail"] for row in one.rows()]
    assert details == [f"batch 2026-05-04, page {n}" for n in (1, 2, 3)]


def test_a_batch_size_of_two_splits_three_letters_into_two_pdfs(
    desk: MakeDesk, tmp_path: Path
) -> None:
    one = desk(PRINT_BATCH + "    batch_size: 2\n")
    for n in range(1, 4):
        one.place(f"A{n}", send=("letter",), party=f"P{n}")

    assert one.relay().sent == [1, 2, 3]

    batch = tmp_path / "print-batches" / "2026-05-04"
    assert sorted(len(PdfReader(pdf).pages) for pdf in batch.glob("*.pdf")) == [1, 2]
    with (batch / "manifest.csv").open(newline="") as handle:
        assert [row["account"] for row in csv.DictReader(handle)] == ["A1", "A2", "A3"]


def test_a_letter_sent_again_is_printed_once(desk: MakeDesk, tmp_path: Path, db_url: str) -> None:
    from click.testing import CliRunner

    from engine.cli.main import _register, cli

    _register()
    one = desk(PRINT_BATCH)
    one.place(send=("letter",))
    one.relay()
    args = ["--config", str(one.root), "--db", db_url]
    # An admin puts the sent letter back by hand (say, after restoring a backup): the print
    # vendor's folder still gets it once.
    with one.engine.unit() as unit:
        unit.session.get(type(one.row()), 1).status = "dead"
    assert CliRunner().invoke(cli, ["outbox", "retry", "1", *args]).exit_code == 0

    assert one.relay(timedelta(minutes=1)).sent == [1]
    batch = tmp_path / "print-batches" / "2026-05-04"
    assert len(list(batch.glob("*.pdf"))) == 1
    assert len((batch / "manifest.csv").read_text().splitlines()) == 2  # header + one letter
    assert one.row().payload["_delivery"]["receipt"] == str(next(batch.glob("*.pdf")))
    assert one.row().payload["_delivery"]["detail"] == "batch 2026-05-04, already in the manifest"


def test_a_letter_without_a_postal_address_is_a_dead_letter(desk: MakeDesk) -> None:
    one = desk(PRINT_BATCH)
    one.place(send=("letter",))
    with one.engine.unit() as unit:
        from engine.domain import models as m

        unit.session.get(m.Party, "P1").address = None
        unit.session.get(m.OutboxMessage, 1).recipient = {
            "party": "P1",
            "name": "Dana Reyes",
            "address": None,
            "roles": ["responsible"],
        }

    assert one.relay().dead == [1]
    assert one.row().last_error == "printer: letter to P1 has no postal address"


def test_a_letter_cannot_make_the_relay_fetch_a_url(
    desk: MakeDesk, http_server, tmp_path: Path
) -> None:
    server = http_server()
    one = desk(PRINT_BATCH)
    one.place(send=("letter",))
    with one.engine.unit() as unit:
        from engine.domain import models as m

        row = unit.session.get(m.OutboxMessage, 1)
        body = row.payload["body"] + f'<img src="{server.url}/leak.png">'
        row.payload = {**row.payload, "body": body}

    assert one.relay().sent == [1]
    assert server.requests == []


def test_with_nothing_configured_messages_land_in_the_outbox_folder(
    desk: MakeDesk, tmp_path: Path
) -> None:
    one = desk()
    one.place(send=("email", "sms", "letter", "webhook"))

    report = one.relay()

    assert report.sent == [1, 2, 3, 4]
    outbox = tmp_path / "docket-outbox"
    [eml] = list((outbox / "email").glob("*.eml"))
    email = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert email["Subject"] == "Your account A1 with Acme Bank"
    assert email["To"] == "Dana Reyes <dana@example.test>"
    assert email["Message-ID"] == f"<{eml.stem}@docket.invalid>"
    [pdf] = list((outbox / "letter").glob("*.pdf"))
    assert "Account A1 placed by Acme Bank" in pdf_text(pdf)
    [sms] = list((outbox / "sms").glob("*.json"))
    doc = json.loads(sms.read_text())
    assert doc["recipient"]["address"] == "+15550100"
    assert doc["body"].startswith("Outbox Test Recovery: account A1")
    [hook] = list((outbox / "webhook").glob("*.json"))
    assert json.loads(hook.read_text())["payload"]["body"]["account"] == "A1"
    # A second pass finds nothing due and writes nothing more.
    assert one.relay(timedelta(hours=1)).sent == []
    assert len(list(outbox.rglob("*.*"))) == 4


def test_two_workers_print_a_relay_pass_as_two_batches_in_other_processes(
    desk: MakeDesk, tmp_path: Path
) -> None:
    one = desk(PRINT_BATCH + "    workers: 2\n")
    for n in range(1, 6):
        one.place(f"A{n}", send=("letter",), party=f"P{n}")

    router = router_for(one.ruleset)
    try:
        assert one.relay(router=router).sent == [1, 2, 3, 4, 5]
        printer = router.get("printer").connector.printer
        assert printer._pool is not None  # the letters were printed in the pool
    finally:
        router.close()

    batch = tmp_path / "print-batches" / "2026-05-04"
    pdfs = {pdf.name: len(PdfReader(pdf).pages) for pdf in batch.glob("*.pdf")}
    assert sorted(pdfs.values()) == [2, 3]
    with (batch / "manifest.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["account"] for row in rows] == ["A1", "A2", "A3", "A4", "A5"]
    for row in rows:  # each manifest row points at its letter's page in its batch
        page = PdfReader(batch / row["file"]).pages[int(row["first_page"]) - 1]
        assert f"Account {row['account']} placed by Acme Bank" in page.extract_text()
