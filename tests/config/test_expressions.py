"""Expressions and templates: checked at load, Decimal-exact, sandboxed, with probes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace as Obj

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from engine.config.calendar import BusinessCalendar
from engine.config.expressions import ExpressionCompiler, RuleEnvironment, precompile
from engine.config.model import Expression, Mark

MARK = Mark("rules/t.yaml", 4, 9)


@pytest.fixture
def compiler() -> ExpressionCompiler:
    return ExpressionCompiler(RuleEnvironment(BusinessCalendar("US")))


def _expr(compiler: ExpressionCompiler, source: str) -> Expression:
    compiled = compiler.expression(source, MARK, "trigger 't'")
    assert compiled is not None, [str(f) for f in compiler.findings]
    return compiled


def _errors(compiler: ExpressionCompiler, source: str) -> list[str]:
    assert compiler.expression(source, MARK, "trigger 't'") is None
    return [str(f) for f in compiler.findings]


ACCOUNT = Obj(balance=Decimal("1200.00"), fields={"court": "Travis"}, status="LEGAL")
CASE = Obj(
    accounts=[Obj(balance=Decimal("100.10")), Obj(balance=Decimal("0.205"))],
    court_date=date(2026, 5, 22),
)
CONTEXT = {"account": ACCOUNT, "case": CASE, "today": date(2026, 5, 22), "vars": {}}


def test_money_rounds_to_cents_half_up(compiler: ExpressionCompiler) -> None:
    assert _expr(compiler, "'2.345' | money")(CONTEXT) == Decimal("2.35")
    assert _expr(compiler, "account.balance / 3 | money")(CONTEXT) == Decimal("400.00")


def test_percent_takes_a_share_in_cents(compiler: ExpressionCompiler) -> None:
    assert _expr(compiler, "account.balance | percent(33.3)")(CONTEXT) == Decimal("399.60")
    assert _expr(compiler, "'10.05' | percent(50)")(CONTEXT) == Decimal("5.03")


def test_days_and_business_days_use_the_agency_calendar(compiler: ExpressionCompiler) -> None:
    assert _expr(compiler, "today | days(3)")(CONTEXT) == date(2026, 5, 25)
    # Friday 22 May 2026; Monday the 25th is Memorial Day.
    assert _expr(compiler, "today | business_days(1)")(CONTEXT) == date(2026, 5, 26)
    assert _expr(compiler, "today | business_days(-1)")(CONTEXT) == date(2026, 5, 21)


def test_sum_over_decimals_stays_decimal(compiler: ExpressionCompiler) -> None:
    total = _expr(compiler, "case.accounts | sum(attribute='balance')")(CONTEXT)
    assert total == Decimal("100.305") and type(total) is Decimal
    empty = _expr(compiler, "[] | sum")(CONTEXT)
    assert empty == 0 and type(empty) is Decimal


def test_float_literals_do_not_contaminate_decimal_arithmetic(compiler: ExpressionCompiler) -> None:
    value = _expr(compiler, "account.balance * 0.1 + 0.2 - 0.3")(CONTEXT)
    assert value == Decimal("119.900") and type(value) is Decimal
    assert _expr(compiler, "0.1 + 0.2")(CONTEXT) == pytest.approx(0.3)  # floats alone stay floats


def test_native_values_are_kept(compiler: ExpressionCompiler) -> None:
    assert _expr(compiler, "account.balance")(CONTEXT) is ACCOUNT.balance
    assert _expr(compiler, "case.court_date")(CONTEXT) == date(2026, 5, 22)
    assert _expr(compiler, "account.balance >= 500 and account.status == 'LEGAL'")(CONTEXT) is True


def test_probes_name_the_values_an_expression_reads(compiler: ExpressionCompiler) -> None:
    expr = _expr(
        compiler,
        "account.balance > 0 and account.fields['court'] == 'Travis' "
        "and (case.accounts | length) > 1 and today.isoformat() != ''",
    )
    seen = {probe.source: probe.fn(CONTEXT) for probe in expr.probes}
    assert seen == {
        "account.balance": Decimal("1200.00"),
        "account.fields['court']": "Travis",
        "case.accounts": CASE.accounts,
        "today": date(2026, 5, 22),
    }


def test_identical_sources_share_one_compiled_callable(compiler: ExpressionCompiler) -> None:
    first = _expr(compiler, "account.balance > 0")
    second = compiler.expression("account.balance > 0", Mark("rules/x.yaml", 9, 3), "trigger 'x'")
    assert second is not None and second.fn is first.fn and second.mark != first.mark
    precompile([first])
    assert first(CONTEXT) is True


def test_unknown_names_attributes_filters_and_tests_are_load_errors(
    compiler: ExpressionCompiler,
) -> None:
    assert sorted(
        _errors(compiler, "acount.balance > 0 and case.stauts == 'X' and x | monye is evn")
    ) == sorted(
        [
            "rules/t.yaml:4:9: error: trigger 't': unknown name 'acount' (did you mean 'account'?)",
            "rules/t.yaml:4:9: error: trigger 't': unknown name 'x'",
            "rules/t.yaml:4:9: error: trigger 't': 'case' has no field 'stauts'"
            " (did you mean 'status'?)",
            "rules/t.yaml:4:9: error: trigger 't': unknown filter 'monye' (did you mean 'money'?)",
            "rules/t.yaml:4:9: error: trigger 't': unknown test 'evn' (did you mean 'even'?)",
        ]
    )


def test_syntax_errors_name_the_line_within_a_multiline_expression(
    compiler: ExpressionCompiler,
) -> None:
    assert _errors(compiler, "account.balance > 0 and\n(case.status ==") == [
        "rules/t.yaml:5:1: error: trigger 't': syntax error: unexpected end of the expression"
    ]


def test_free_objects_accept_any_attribute(compiler: ExpressionCompiler) -> None:
    assert _expr(compiler, "vars.anything")({"vars": Obj(anything=3)}) == 3


def test_a_missing_value_is_a_clear_runtime_error(compiler: ExpressionCompiler) -> None:
    expr = _expr(compiler, "settlement.amount > 0")
    with pytest.raises(UndefinedError, match="settlement"):
        expr({})


def test_the_sandbox_refuses_python_internals(compiler: ExpressionCompiler) -> None:
    template = compiler.template("{{ vars.__class__.__mro__ }}", MARK, "t")
    assert template is not None
    with pytest.raises(SecurityError):
        template.render({"vars": {}})


def test_parameter_values_choose_expression_template_or_text(compiler: ExpressionCompiler) -> None:
    value = compiler.value("{{ account.balance }}", MARK, "t")
    assert isinstance(value, Expression) and value(CONTEXT) == Decimal("1200.00")
    template = compiler.value("Owed: {{ account.balance | money }}", MARK, "t")
    assert template.render(CONTEXT) == "Owed: 1200.00"
    assert compiler.value("plain text", MARK, "t") == "plain text"
    none_renders_empty = compiler.value("[{{ vars.missing }}]", MARK, "t")
    assert none_renders_empty.render({"vars": {"missing": None}}) == "[]"


def test_template_files_report_lines_of_the_file(compiler: ExpressionCompiler) -> None:
    mark = Mark("rules/templates/x.j2", 1, 1)
    assert (
        compiler.template(
            "Hi\n{% for a in case.accounts %}{{ a.balance }}", mark, "template 'x'", name="x"
        )
        is None
    )
    assert [str(f) for f in compiler.findings] == [
        "rules/templates/x.j2:2:1: error: template 'x': syntax error: Unexpected end of template. "
        "Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that "
        "needs to be closed is 'for'."
    ]
    loops = compiler.template(
        "{% for a in case.accounts %}{{ loop.index }}:{{ a.balance }} {% endfor %}",
        mark,
        "template 'x'",
        name="x",
    )
    assert loops is not None and loops.render(CONTEXT) == "1:100.10 2:0.205 "
