"""What a valid configuration compiles to: the RuleSet the runtime reads."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace as Obj

import pytest

from engine.config import ConfigError, FrozenParams, load_ruleset, validate_root
from engine.config.durations import Duration
from engine.config.model import (
    ActionStep,
    AllOf,
    AnyOf,
    Expression,
    IfStep,
    NotOf,
    RunStep,
    StopStep,
    Template,
    WaitStep,
)
from tests.config.helpers import REPO, write_root

FULL = {
    "rules/agency.yaml": """\
        agency:
          name: Northwind Recovery
          timezone: America/Chicago
          calendar: {holidays: {country: US, subdivision: TX}, weekend: [sat, sun]}
          max_event_depth: 5
          sweep_time: "05:30"
    """,
    "rules/clients.yaml": """\
        spreaders:
          - {id: fees-first, order: [fees, interest, principal]}
          - {id: proportional, order: [principal, interest], across_accounts: proportional}
        clients:
          - code: ACME
            name: Acme Bank
            spreader: fees-first
            judgment_spreader: proportional
            fee_percent: 33.3
            settlement:
              authority: Up to 40% off principal.
              percentages: {principal: 60, interest: "50", fees: 100}
              include_new_interest: true
              tolerance: {percent: 1, amount: "5.00"}
              max_term_days: 90
              on_reached: court-reminder
          - code: ACME-JDG
            judgment: true
            interest:
              rate: 9.0
              basis: 360
              buckets: [principal, court_costs]
              changes: [{effective: "2027-01-01", rate: "8.25"}]
    """,
    "rules/triggers.yaml": """\
        triggers:
          - id: filing-notice
            on: onCaseFile
            if: account.balance >= 500
            run: court-reminder
          - id: court-reminder
            on: onCaseCourtDate
            offset: -3 business days
            unless: {any: [case.status == 'DISMISSED', {not: case.court_date}]}
            catch_up: all
            catch_up_window: 10 days
            run: [court-reminder]
          - id: next-work
            on: {date: account.next_work_date}
            run: court-reminder
          - id: switched-off
            on: onCaseFile
            enabled: false
            run: court-reminder
          - id: second-filing
            on: onCaseFile
            if: [account.balance > 0, case.status != 'DISMISSED']
            run: court-reminder
    """,
    "action_paths/court.yaml": """\
        action_paths:
          - id: court-reminder
            description: Remind and prepare
            mode: restart
            on_change: cancel
            steps:
              - set_status: LEGAL
              - move_worklist: {to: COURT-PREP, next_work: +1 business day}
              - create_task: {title: "Prepare for court on {{ case.court_date }}", due: +2 days}
              - set:
                  {owed: "{{ account.balance }}", tenth: "{{ account.balance * 0.1 }}", rate: 1.5}
              - send_letter: {template: letters/court, to: [responsible, co_signer]}
              - wait: 10 days
                until: case.judgment_date
              - if: account.balance > 0
                then: [{set_status: AJ}]
                else: [{run: close-out}]
              - label: done
                stop: finished
          - id: close-out
            steps:
              - add_note: "Closed with {{ account.balance | money }} left"
    """,
    "rules/templates/letters/court.j2": "Dear {{ party.name }}, court on {{ case.court_date }}.\n",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_root(tmp_path_factory.mktemp("full"), FULL)


def test_the_sample_agency_configuration_is_valid() -> None:
    result = validate_root(REPO)
    assert [str(f) for f in result.errors] == []
    assert result.ruleset is not None


def test_agency_settings_and_calendar(root: Path) -> None:
    agency = load_ruleset(root).agency
    assert (agency.name, agency.timezone, agency.max_event_depth, agency.sweep_time) == (
        "Northwind Recovery",
        "America/Chicago",
        5,
        "05:30",
    )
    assert agency.calendar.subdivision == "TX"
    # Memorial Day 2026 is Monday 25 May: one business day after Friday the 22nd is the 26th.
    assert agency.calendar.add_business_days(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_agency_defaults_when_the_section_is_absent(tmp_path: Path) -> None:
    ruleset = load_ruleset(write_root(tmp_path, {}))
    assert ruleset.agency.timezone == "UTC"
    assert ruleset.agency.max_event_depth == 8
    assert ruleset.agency.sweep_time == "06:00"
    assert ruleset.agency.calendar.country == "US"
    assert ruleset.agency.calendar.weekend == ("sat", "sun")


def test_client_amounts_are_decimals_from_their_text(root: Path) -> None:
    clients = load_ruleset(root).clients
    acme, judgment = clients["ACME"], clients["ACME-JDG"]
    assert acme.fee_percent == Decimal("33.3")
    assert acme.settlement is not None
    assert dict(acme.settlement.percentages) == {
        "principal": Decimal("60"),
        "interest": Decimal("50"),
        "fees": Decimal("100"),
    }
    assert all(type(v) is Decimal for v in acme.settlement.percentages.values())
    assert acme.settlement.tolerance.percent == Decimal("1")
    assert acme.settlement.tolerance.amount == Decimal("5.00")
    assert acme.settlement.on_reached == "court-reminder"
    assert judgment.name == "ACME-JDG" and judgment.judgment
    assert judgment.interest is not None
    assert judgment.interest.rate == Decimal("9.0") and type(judgment.interest.rate) is Decimal
    assert judgment.interest.basis == 360
    assert judgment.interest.buckets == ("principal", "court_costs")
    assert judgment.interest.changes[0].effective == date(2027, 1, 1)
    assert judgment.interest.changes[0].rate == Decimal("8.25")


def test_triggers_compile_with_their_dates_offsets_and_conditions(root: Path) -> None:
    ruleset = load_ruleset(root)
    triggers = {t.id: t for t in ruleset.triggers}
    court = triggers["court-reminder"]
    assert court.on == "onCaseCourtDate" and court.date_field == "case.court_date"
    assert court.offset == Duration(-3, "business_days")
    assert court.catch_up == "all" and court.catch_up_window == Duration(10, "days")
    assert isinstance(court.unless, AnyOf) and isinstance(court.unless.items[1], NotOf)
    assert triggers["next-work"].on == "date:account.next_work_date"
    assert triggers["next-work"].date_field == "account.next_work_date"
    assert isinstance(triggers["second-filing"].condition, AllOf)
    assert not triggers["switched-off"].enabled
    # Event triggers only, enabled ones, in file order.
    assert [t.id for t in ruleset.triggers_for("onCaseFile")] == ["filing-notice", "second-filing"]
    assert {t.id for t in ruleset.date_triggers} == {"court-reminder", "next-work"}


def test_steps_compile_to_their_kinds_with_shorthand_expanded(root: Path) -> None:
    path = load_ruleset(root).action_paths["court-reminder"]
    assert (path.mode, path.on_change, path.description) == (
        "restart",
        "cancel",
        "Remind and prepare",
    )
    kinds = [type(step) for step in path.steps]
    assert kinds == [ActionStep] * 5 + [WaitStep, IfStep, StopStep]
    status, move = path.steps[0], path.steps[1]
    assert isinstance(status, ActionStep) and dict(status.params) == {"code": "LEGAL"}
    assert isinstance(move, ActionStep)
    assert dict(move.params) == {"to": "COURT-PREP", "next_work": "+1 business day"}
    letter = path.steps[4]
    assert isinstance(letter, ActionStep) and letter.params["to"] == ("responsible", "co_signer")
    wait = path.steps[5]
    assert isinstance(wait, WaitStep) and wait.duration == Duration(10, "days")
    assert isinstance(wait.until, Expression) and wait.until.source == "case.judgment_date"
    branch = path.steps[6]
    assert isinstance(branch, IfStep) and isinstance(branch.otherwise[0], RunStep)
    stop = path.steps[7]
    assert isinstance(stop, StopStep) and stop.reason == "finished"


def test_params_are_frozen_and_hashable(root: Path) -> None:
    step = load_ruleset(root).action_paths["court-reminder"].steps[1]
    assert isinstance(step, ActionStep) and isinstance(step.params, FrozenParams)
    with pytest.raises(TypeError):
        step.params["to"] = "ELSEWHERE"  # type: ignore[index]
    assert hash(step) == hash(step)


def test_expression_params_keep_native_values_and_templates_render(root: Path) -> None:
    steps = load_ruleset(root).action_paths["court-reminder"].steps
    variables, task = steps[3], steps[2]
    assert isinstance(variables, ActionStep) and isinstance(task, ActionStep)
    context = {
        "account": Obj(balance=Decimal("1234.50")),
        "case": Obj(court_date=date(2026, 5, 26)),
    }
    owed, tenth = variables.params["owed"], variables.params["tenth"]
    assert isinstance(owed, Expression) and owed(context) == Decimal("1234.50")
    assert type(owed(context)) is Decimal
    # The float literal 0.1 is taken by its text: exact cents, no binary fraction.
    assert tenth(context) == Decimal("123.450")
    assert variables.params["rate"] == Decimal("1.5")
    title = task.params["title"]
    assert isinstance(title, Template)
    assert title.render(context) == "Prepare for court on 2026-05-26"


def test_templates_are_named_by_their_path_below_templates(root: Path) -> None:
    templates = load_ruleset(root).templates
    assert set(templates) == {"letters/court"}
    text = templates["letters/court"].render(
        {"party": Obj(name="Dana"), "case": Obj(court_date="X")}
    )
    assert text == "Dear Dana, court on X.\n"
    assert templates["letters/court"].mark.file == "rules/templates/letters/court.j2"


def test_marks_point_at_the_rule(root: Path) -> None:
    ruleset = load_ruleset(root)
    trigger = ruleset.triggers[0]
    assert str(trigger.mark) == "rules/triggers.yaml:2:5"
    condition = trigger.condition
    assert isinstance(condition, Expression) and str(condition.mark) == "rules/triggers.yaml:4:9"


def test_hash_is_stable_across_places_and_changes_with_content(root: Path, tmp_path: Path) -> None:
    original = load_ruleset(root).hash
    copy = tmp_path / "elsewhere"
    shutil.copytree(root, copy)
    assert load_ruleset(copy).hash == original
    template = copy / "rules/templates/letters/court.j2"
    template.write_text(template.read_text() + "Regards\n")
    changed = load_ruleset(copy).hash
    assert changed != original
    (copy / "rules/agency.yaml").write_text((copy / "rules/agency.yaml").read_text() + "\n")
    assert load_ruleset(copy).hash not in (original, changed)
    assert load_ruleset(copy) == load_ruleset(copy)


def test_load_ruleset_raises_with_every_error_sorted(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/triggers.yaml": """\
                triggers:
                  - {id: a, on: onCaseFile, run: nowhere}
                  - {id: b, on: onCaseFile, if: acount.balance > 0, run: p}
            """,
            "action_paths/p.yaml": "action_paths:\n  - {id: p, steps: [{set_status: LEGL}]}\n",
        },
    )
    with pytest.raises(ConfigError) as raised:
        load_ruleset(root)
    assert [str(f) for f in raised.value.findings] == [
        "action_paths/p.yaml:2:34: error: action path 'p': unknown status code 'LEGL'"
        " (did you mean 'LEGAL'?)",
        "rules/triggers.yaml:2:34: error: trigger 'a': unknown action path 'nowhere'",
        "rules/triggers.yaml:3:33: error: trigger 'b': unknown name 'acount'"
        " (did you mean 'account'?)",
    ]


def test_registered_actions_are_accepted_when_named(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: p}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: p, steps: [{fax_court: {number: '5'}}]}
            """,
        },
    )
    with pytest.raises(ConfigError, match="unknown action 'fax_court'"):
        load_ruleset(root)
    step = load_ruleset(root, actions=["fax_court"]).action_paths["p"].steps[0]
    assert isinstance(step, ActionStep) and dict(step.params) == {"number": "5"}


def test_a_schema_error_in_one_item_does_not_cascade(tmp_path: Path) -> None:
    # The path has a bad mode: its schema error is reported, and the trigger naming it is
    # not told the path does not exist.
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: p}\n",
            "action_paths/p.yaml": "action_paths:\n  - {id: p, mode: often, steps: [stop: x]}\n",
        },
    )
    result = validate_root(root)
    assert len(result.errors) == 1
    assert "mode" in result.errors[0].message
