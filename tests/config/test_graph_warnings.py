"""Graph checks: warnings that let a configuration load, and what `docket validate` shows."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.cli.main import _register, cli
from engine.config import validate_root
from tests.config.helpers import write_root

_register()


def _messages(root: Path) -> list[str]:
    return [str(f) for f in validate_root(root).findings]


def test_an_unused_action_path_is_a_warning(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: used}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: used, steps: [{set_status: LEGAL}]}
                  - {id: forgotten, steps: [{set_status: LEGAL}]}
            """,
        },
    )
    assert _messages(root) == [
        "action_paths/p.yaml:3:5: warning: action path 'forgotten' is never used: no trigger, "
        "run step or client on_reached names it"
    ]
    assert validate_root(root).valid


def test_paths_named_by_run_steps_and_on_reached_count_as_used(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": """\
                triggers:
                  - {id: t, on: onCaseFile, run: first}
                clients:
                  - code: ACME
                    settlement: {on_reached: reached}
            """,
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: first, steps: [{run: second}]}
                  - {id: second, steps: [{set_flag: x}]}
                  - {id: reached, steps: [{set_flag: y}]}
            """,
        },
    )
    assert _messages(root) == []


def test_steps_after_stop_are_unreachable(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: p}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - id: p
                    steps:
                      - if: account.balance > 0
                        then:
                          - stop: paid
                          - set_flag: never
                      - stop: done
                      - set_status: LEGAL
                      - set_status: AJ
            """,
        },
    )
    assert _messages(root) == [
        "action_paths/p.yaml:7:13: warning: action path 'p': step is unreachable: it follows "
        "'stop' at line 6",
        "action_paths/p.yaml:9:9: warning: action path 'p': step is unreachable: it follows "
        "'stop' at line 8",
    ]


def test_a_path_that_changes_status_on_status_change_is_a_possible_loop(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: on-status, on: onStatusChange, run: p}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: p, steps: [{run: q}]}
                  - {id: q, steps: [{set_status: LEGAL}]}
            """,
        },
    )
    assert _messages(root) == [
        "rules/t.yaml:2:5: warning: possible trigger loop: trigger 'on-status' runs path 'p' "
        "(via 'q'), which sets a status (onStatusChange) -> trigger 'on-status' again "
        "(derived events stop at depth 8)"
    ]


def test_a_loop_through_two_triggers_and_emitted_events(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": """\
                triggers:
                  - {id: paid, on: onAfterPaymentPost, run: tell}
                  - {id: disputed, on: onDispute, run: move}
            """,
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: tell, steps: [{emit: onDispute}]}
                  - {id: move, steps: [{emit: {event: onAfterPaymentPost}}]}
            """,
        },
    )
    assert _messages(root) == [
        "rules/t.yaml:3:5: warning: possible trigger loop: trigger 'disputed' runs path 'move', "
        "which emits onAfterPaymentPost -> trigger 'paid' runs path 'tell', which emits "
        "onDispute -> trigger 'disputed' again (derived events stop at depth 8)"
    ]


def test_emitting_an_event_outside_the_catalogue_is_an_error(tmp_path: Path) -> None:
    # The inbox refuses any other name, so every run reaching the step would fail.
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: p}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: p, steps: [{emit: onCaseFiel}, {emit: customerPortalPing}]}
            """,
        },
    )
    assert _messages(root) == [
        "action_paths/p.yaml:2:28: error: action path 'p': emits unknown event 'onCaseFiel': "
        "only catalogue events can be emitted (did you mean 'onCaseFile'?)",
        "action_paths/p.yaml:2:48: error: action path 'p': emits unknown event "
        "'customerPortalPing': only catalogue events can be emitted",
    ]


def test_validate_exits_zero_with_warnings_and_prints_them(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/t.yaml": "triggers:\n  - {id: t, on: onCaseFile, run: used}\n",
            "action_paths/p.yaml": """\
                action_paths:
                  - {id: used, steps: [{set_status: LEGAL}]}
                  - {id: forgotten, steps: [{set_status: LEGAL}]}
            """,
        },
    )
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("action_paths/p.yaml:3:5: warning: action path 'forgotten'")
    ruleset = validate_root(root).ruleset
    assert ruleset is not None
    assert lines[1] == (
        f"rules: 3 files, 1 trigger, 2 action paths — valid, 1 warning (ruleset {ruleset.hash[:8]})"
    )
