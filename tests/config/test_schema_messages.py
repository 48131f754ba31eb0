"""The schema stage's messages: one finding per problem, at the right line, worded for admins."""

from __future__ import annotations

from textwrap import dedent

import pytest

from engine.config.errors import Finding
from engine.config.schema import validate_config_file, validate_scenario_file
from engine.config.yamlload import load_text

TRIGGER = """\
triggers:
  - id: court-reminder
    on: onCaseCourtDate
    run: court-reminder
"""


def config_findings(text: str) -> list[str]:
    loaded = load_text(dedent(text), "rules/t.yaml")
    assert loaded.findings == []
    findings = validate_config_file(loaded)
    assert all(f.stage == "schema" and f.severity == "error" for f in findings)
    return [f"{f.mark.line}:{f.mark.col}: {f.message}" for f in findings]


def scenario_findings(text: str) -> list[Finding]:
    loaded = load_text(dedent(text), "scenarios/s.yaml")
    assert loaded.findings == []
    return validate_scenario_file(loaded)


HEAD = "scenario: s\nconfig: ../\nstart: 2026-05-01\n"

CONFIG_CASES = [
    pytest.param(
        TRIGGER + "    ofset: -3 business days\n",
        ["5:5: unknown key 'ofset' in trigger 'court-reminder' (did you mean 'offset'?)"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        TRIGGER + "    catch_up: never\n",
        [
            "5:15: 'catch_up' in trigger 'court-reminder' must be one of once, skip, all "
            "(got 'never')"
        ],
        id="enum",
    ),
    pytest.param(
        "triggers:\n  - id: court-reminder\n    on: onCaseCourtDate\n",
        ["2:5: missing required key 'run' in trigger 'court-reminder'"],
        id="required",
    ),
    pytest.param(
        TRIGGER + "    offset: 3 bizdays\n",
        [
            "5:13: 'offset' in trigger 'court-reminder' is not a duration: '3 bizdays'; "
            "write e.g. '-3 business days'"
        ],
        id="duration-pattern",
    ),
    pytest.param(
        "clients:\n  - code: ACME\n    settlement: {percentages: {principal: 140}}\n",
        ["3:43: percentage 'principal' in client 'ACME' must be between 0 and 100 (got 140)"],
        id="percentage-maximum",
    ),
    pytest.param(
        "clients:\n  - code: ACME\n    fee_percent: '140'\n",
        ["3:18: percentage 'fee_percent' in client 'ACME' must be between 0 and 100 (got '140')"],
        id="percentage-string-pattern",
    ),
    pytest.param(
        "agency: {name: N, timezone: America/Chicago, max_event_depth: eight}\n",
        ["1:63: 'max_event_depth' in agency must be a whole number (got 'eight')"],
        id="type",
    ),
    pytest.param(
        "agency: {name: N, timezone: UTC, max_event_depth: 0}\n",
        ["1:51: 'max_event_depth' in agency must be at least 1 (got 0)"],
        id="minimum",
    ),
    pytest.param(
        "trigers: []\n",
        ["1:1: unknown section 'trigers' (did you mean 'triggers'?)"],
        id="unknown-section",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: onCaseFiel\n    run: p\n",
        [
            "3:9: 'on' in trigger 't' is not a known trigger event: 'onCaseFiel' "
            "(did you mean 'onCaseFile'?)"
        ],
        id="unknown-trigger-name",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: {date: case.court}\n    run: p\n",
        [
            "3:16: 'on.date' in trigger 't' must be case.<date field> or account.<field> "
            "(got 'case.court') (did you mean 'case.court_date'?)"
        ],
        id="date-field",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: 42\n    run:\n",
        [
            "3:9: 'on' in trigger 't' must be a trigger event or a mapping (got 42)",
            "4:9: 'run' in trigger 't' must be an identifier or a list (got nothing)",
        ],
        id="no-branch-fits",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: onCaseFile\n    run: p\n    if: {ay: [x]}\n",
        ["5:10: unknown key 'ay' in 'if' of trigger 't' (did you mean 'any'?)"],
        id="condition-object",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: onCaseFile\n    run: p\n    unless: 5\n",
        [
            "5:13: 'unless' in trigger 't' is not a condition: 5; "
            "write e.g. 'account.balance >= 500' or {any: [...]}"
        ],
        id="condition-type",
    ),
    pytest.param(
        """\
        action_paths:
          - id: p1
            steps:
              - send_letter: {templte: x, to: defendants}
        """,
        [
            "4:23: unknown key 'templte' in 'send_letter' of step 1 of action path 'p1' "
            "(did you mean 'template'?)"
        ],
        id="misspelt-required-param-reported-once",
    ),
    pytest.param(
        """\
        action_paths:
          - id: p1
            steps:
              - if: account.balance > 0
                then:
                  - move_worklist: {to: X, next_work: soon}
              - else: [{stop: x}]
              - set_status: 42
              - custom_action: {any: thing}
        """,
        [
            "6:47: 'move_worklist.next_work' in step 1.then.1 of action path 'p1' is not a "
            "duration: 'soon'; write e.g. '-3 business days'",
            "7:9: 'else' in step 2 of action path 'p1' needs 'if'",
            "8:21: 'set_status' in step 3 of action path 'p1' must be text or a mapping (got 42)",
        ],
        id="steps",
    ),
    pytest.param(
        # YAML 1.2 integers: an unquoted 21:00 stays a string (no base-60), so it is valid.
        "contact_policy:\n  quiet_hours: {from: 21:00, to: '8am'}\n",
        [
            "2:34: 'quiet_hours.to' in contact policy is not a time: '8am'; write e.g. \"21:00\"",
        ],
        id="time",
    ),
    pytest.param(
        "spreaders:\n  - {id: s, order: [fees, princpal, fees]}\n",
        [
            "2:20: 'order' in spreader 's' lists 'fees' twice",
            "2:27: 'order' item 2 in spreader 's' must be one of principal, interest, fees, "
            "court_costs, attorney_fees, other (got 'princpal') (did you mean 'principal'?)",
        ],
        id="list-items",
    ),
    pytest.param(
        "clients:\n  - code: ACME\n"
        "    interest: {rate: '9.0', changes: [{effective: 2026-02-30, rate: 5}]}\n",
        [
            "3:51: 'effective' in rate change 1 of client 'ACME' is not a date: '2026-02-30'; "
            "write e.g. 2026-05-01"
        ],
        id="date-format",
    ),
    pytest.param(
        "clients:\n  - code: ACME\n    settlement: {tolerance: {amount: '5.005'}}\n",
        [
            "3:38: 'settlement.tolerance.amount' in client 'ACME' is not an amount of money: "
            "'5.005'; write e.g. \"5.00\""
        ],
        id="money",
    ),
    pytest.param(
        "triggers:\n  - id: t\n    on: onCaseFile\n    run: p\n    if: {either: [x]}\n",
        ["5:10: unknown key 'either' in 'if' of trigger 't' (expected any, all or not)"],
        id="unknown-key-lists-the-few-allowed",
    ),
    pytest.param(
        "triggers:\n  - id: ''\n    on: onCaseFile\n    run: p\n",
        ["2:9: 'id' in trigger 1 must not be empty"],
        id="empty-id",
    ),
    pytest.param(
        "clients:\n  - code: ACME\n    settlement: {tolerance: {amount: '-5.00'}}\n",
        ["3:38: 'settlement.tolerance.amount' in client 'ACME' must not be negative (got '-5.00')"],
        id="negative-money",
    ),
    pytest.param(
        """\
        action_paths:
          - id: p1
            steps:
              - if: account.balance > 0
                else: [{stop: x}]
        """,
        ["4:9: 'if' in step 1 of action path 'p1' needs 'then'"],
        id="if-without-then-reported-once",
    ),
    pytest.param(
        "status_codes:\n  - {code: LEGAL, label: In Legal, legal: yes}\n",
        ["2:43: 'legal' in status code 'LEGAL' must be true or false (got 'yes')"],
        id="yaml-1.2-booleans",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONFIG_CASES)
def test_config_messages(text: str, expected: list[str]) -> None:
    assert config_findings(text) == expected


def test_valid_snippet_has_no_findings() -> None:
    assert config_findings(TRIGGER + "    offset: -3 business days\n    catch_up: skip\n") == []


def test_empty_file_and_empty_sections_are_valid() -> None:
    assert config_findings("") == []
    assert config_findings("# nothing yet\ntriggers:\naction_paths:\n") == []


def test_unknown_key_mark_points_at_the_key_and_names_the_file() -> None:
    loaded = load_text(TRIGGER + "    ofset: 1 day\n", "rules/triggers.yaml")
    (finding,) = validate_config_file(loaded)
    assert str(finding) == (
        "rules/triggers.yaml:5:5: error: unknown key 'ofset' in trigger 'court-reminder' "
        "(did you mean 'offset'?)"
    )


def test_yaml_failures_are_left_to_the_yaml_stage() -> None:
    loaded = load_text("triggers: [\n", "rules/t.yaml")
    assert loaded.findings
    assert validate_config_file(loaded) == []


def test_scenario_design_example_is_valid() -> None:
    text = (
        HEAD
        + """\
given:
  clients: [{code: ACME}]
  parties: [{id: P1, name: Dana Reyes, email: dana@example.test, phone: "+15550100"}]
  accounts:
    - {id: A1, client: ACME, parties: [P1], status: ACTIVE, balances: {principal: "1200.00"}}
steps:
  - {on: 2026-05-04, do: open_case, with: {case: C1, accounts: [A1], defendants: [P1]}}
  - {on: 2026-05-06, do: file_case, with: {case: C1}, expect_error: not authorized}
  - down: {from: 2026-05-18, to: 2026-05-21}
  - until: 2026-05-31
expect:
  letters: [{template: court-reminder, to: P1, on: 2026-05-21, late: true}]
  status: {A1: LEGAL}
  not: [{emails: {to: P1}}]
"""
    )
    assert scenario_findings(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "steps:\n  - {on: 2026-05-04, do: open_cas}\n",
            "'do' in step 1 (open_cas) is not a known operation: 'open_cas' "
            "(did you mean 'open_case'?)",
            id="operation",
        ),
        pytest.param(
            "steps:\n  - {on: 2026-05-04, do: file_case, until: 2026-05-05}\n",
            "step 1 (file_case) must have only one of 'do', 'down' or 'until' "
            "(has 'do' and 'until')",
            id="one-step-form",
        ),
        pytest.param(
            "steps:\n  - {with: {case: C1}}\n",
            "step 1 needs one of 'do', 'down' or 'until'",
            id="no-step-form",
        ),
        pytest.param(
            "expect:\n  letters: [{template: x, cnt: 1}]\n",
            "unknown key 'cnt' in 'letters' item 1 of expect (did you mean 'count'?)",
            id="expectation-key",
        ),
        pytest.param(
            "expect:\n  settlements: {S1: {status: done}}\n",
            "'settlements.S1.status' in expect must be one of active, reached, inactive, void "
            "(got 'done')",
            id="settlement-status",
        ),
        pytest.param(
            "given:\n  accounts: [{id: A1, client: X, balances: {princpal: 5}}]\n",
            "unknown key 'princpal' in 'balances' of account 'A1' (did you mean 'principal'?)",
            id="balances-bucket",
        ),
    ],
)
def test_scenario_messages(text: str, expected: str) -> None:
    assert [f.message for f in scenario_findings(HEAD + text)] == [expected]


def test_scenario_needs_its_header() -> None:
    messages = [f.message for f in scenario_findings("given: {}\n")]
    assert messages == [
        "missing required key 'config' in the scenario",
        "missing required key 'scenario' in the scenario",
        "missing required key 'start' in the scenario",
    ]


def test_unknown_scenario_version_fails_alone() -> None:
    findings = scenario_findings("version: 2\nscenario: s\nbogus: 1\n")
    assert [f.message for f in findings] == [
        "unsupported scenario format version 2 (this Docket reads version 1)"
    ]
    assert (findings[0].mark.line, findings[0].mark.col) == (1, 10)
