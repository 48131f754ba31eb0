"""``docket demo`` plays the sample agency's stories and prints their timeline."""

from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli.main import _register, cli

_register()


def test_demo_prints_the_timeline_of_every_story(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "fired new-placement (account A1)" in out
    assert "status A1: NEW -> DSP" in out
    assert "2026-05-21 Thu\n" in out
    assert "letter court-reminder -> P1" in out
    assert "  report settlement-summary\n" in out  # a report has no recipient to show
    assert "NOT as expected" not in out


def test_demo_leaves_real_files_in_the_outbox_folder(tmp_path, monkeypatch):
    from email import message_from_bytes, policy

    from pypdf import PdfReader

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    outbox = tmp_path / "docket-outbox"
    assert f"sent through the outbox folder connector to {outbox}" in result.output
    letters = sorted((outbox / "letter").glob("*.pdf"))
    texts = ["".join(p.extract_text() for p in PdfReader(f).pages) for f in letters]
    assert any("Your court date in case C1" in text for text in texts)
    assert any("Northwind Recovery is a debt collector" in text for text in texts)
    [eml] = list((outbox / "email").glob("*.eml"))
    email = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert email["Message-ID"] == f"<{eml.stem}@docket.invalid>"
    assert email["Subject"]


def test_demo_json_reports_each_story(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo", "--json"], catch_exceptions=False)
    stories = json.loads(result.output)
    assert len(stories) >= 2
    assert all(story["passed"] for story in stories)
