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
    assert "NOT as expected" not in out


def test_demo_json_reports_each_story(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo", "--json"], catch_exceptions=False)
    stories = json.loads(result.output)
    assert len(stories) >= 2
    assert all(story["passed"] for story in stories)
