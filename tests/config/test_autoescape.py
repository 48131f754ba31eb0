"""HTML templates escape their data; plain-text templates, subjects and expressions stay plain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.config import load_ruleset
from engine.config.expressions import ExpressionCompiler, RuleEnvironment, is_html_template
from engine.config.model import Expression, Mark, RuleSet, Template
from tests.config.helpers import REPO, write_root

HEADING = "<h1>PAID IN FULL - NOTHING OWED</h1>"
BEACON = '<img src="https://evil.example/beacon">'
LETTER = """\
{# subject: Notice for {{ party.name }} #}
<p>Dear {{ party.name }},</p>
<p>{{ event.data.note }}</p>
{% include 'footer' %}
"""
FOOTER = "<p>Regards, {{ event.data.signature }}</p>\n"
SMS = "Hi {{ party.name }}, call us about {{ event.data.note }} & more.\n"
REPORT = "{{ event.data.note }}\n"
PATHS = """\
triggers:
  - {id: t, on: onCaseFile, run: p}
action_paths:
  - id: p
    steps:
      - send_letter: {template: letter, to: responsible}
      - send_sms: {template: sms, to: responsible}
      - add_note: "Note {{ event.data.note }}"
"""


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    root = write_root(
        tmp_path_factory.mktemp("root"),
        {
            "rules/templates/letter.j2": LETTER,
            "rules/templates/footer.j2": FOOTER,
            "rules/templates/sms.j2": SMS,
            "rules/templates/summary.html.j2": REPORT,
            "action_paths/p.yaml": PATHS,
        },
    )
    return load_ruleset(root)


def _context(note: str) -> dict[str, Any]:
    return {"party": {"name": HEADING}, "event": {"data": {"note": note, "signature": BEACON}}}


def test_a_party_name_in_a_letter_prints_as_text(ruleset: RuleSet) -> None:
    out = ruleset.templates["letter"].render(_context("x"))
    assert "<h1>" not in out
    assert "Dear &lt;h1&gt;PAID IN FULL - NOTHING OWED&lt;/h1&gt;," in out
    assert out.startswith("\n<p>Dear")  # the template's own markup is not escaped
    assert type(out) is str


def test_event_data_in_an_included_html_template_does_not_become_a_tag(ruleset: RuleSet) -> None:
    out = ruleset.templates["letter"].render(_context(BEACON))
    assert "<img" not in out
    assert "&lt;img src=&#34;https://evil.example/beacon&#34;&gt;" in out


def test_a_template_named_html_escapes_a_script(ruleset: RuleSet) -> None:
    out = ruleset.templates["summary.html"].render(_context("<script>alert(1)</script>"))
    assert out == "&lt;script&gt;alert(1)&lt;/script&gt;\n"


def test_a_plain_text_template_stays_plain(ruleset: RuleSet) -> None:
    out = ruleset.templates["sms"].render(_context("A & B"))
    assert out == f"Hi {HEADING}, call us about A & B & more.\n"


def test_expressions_and_inline_templates_stay_plain(ruleset: RuleSet) -> None:
    compiler = ExpressionCompiler(RuleEnvironment())
    compiler.set_templates({"letter": LETTER})
    where = Mark("rules/x.yaml", 1, 1)
    inline = compiler.value("Note: {{ event.data.note }} {% if true %}<br>{% endif %}", where, "t")
    expression = compiler.value("{{ event.data.note ~ '!' }}", where, "t")
    assert isinstance(inline, Template) and isinstance(expression, Expression)
    assert inline.render({"event": {"data": {"note": "<b>&"}}}) == "Note: <b>& <br>"
    assert expression.evaluate({"event": {"data": {"note": "<b>&"}}}) == "<b>&!"


@pytest.mark.parametrize(
    ("name", "source", "html"),
    [
        ("letter", "<p>{{ x }}</p>", True),
        ("report.html", "{{ x }}", True),
        ("sms", "Hi {{ x }}", False),
        ("sms", "{# subject: <b>{{ x }}</b> #}Hi {{ x }} {{ '<p>' }}", False),
        ("mail", "Hi{% if a < b %}<br>{% endif %}", True),
    ],
)
def test_a_template_is_html_by_its_name_or_its_own_markup(
    name: str, source: str, html: bool
) -> None:
    assert is_html_template(name, source) is html


def test_the_sample_letters_render_their_markup_and_escape_data() -> None:
    sample = load_ruleset(REPO)
    context = {
        "party": {"name": "O'Brien & <Sons>"},
        "account": {"id": "A1", "balance": Decimal("12.5")},
        "client": {"name": "Acme"},
        "today": "2026-12-04",
    }
    out = sample.templates["validation-notice"].render(context)
    assert "<p>Dear O&#39;Brien &amp; &lt;Sons&gt;,</p>" in out
    assert "<strong>How can you dispute the debt?</strong>" in out
    assert "&amp;lt;" not in out and "&lt;p&gt;" not in out


def test_subject_lines_stay_plain() -> None:
    assert RuleEnvironment().from_string("{{ x }}").render(x="<b>&") == "<b>&"
