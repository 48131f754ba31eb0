"""Where a date trigger's dates live: the subject table and its (indexed) date column.

``case.court_date`` is the ``cases.court_date`` column; ``follow_up.due_date`` and
``offer.end_date`` likewise. ``account.<name>`` is a column when the account has one
(``next_work_date``, ``placed_date``, ``last_payment_date``) and otherwise a custom field
holding an ISO date in ``accounts.fields`` (read through JSON, so not indexed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, String, cast
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from engine.config.catalogue import lookup
from engine.config.model import Trigger
from engine.domain import models as m
from engine.scheduler.errors import UnknownDateField

MODELS: dict[str, type[Any]] = {
    "case": m.Case,
    "account": m.Account,
    "follow_up": m.FollowUp,
    "offer": m.Offer,
    "settlement": m.Settlement,
}


@dataclass(frozen=True, slots=True)
class DateSource:
    """A date trigger's subjects: ``kind`` rows of ``model`` whose ``column`` holds the date."""

    kind: str
    model: type[Any]
    column: ColumnElement[Any]
    custom: bool = False  # a custom field: values are ISO strings, compared as text
    only_open: bool = False  # follow-ups come due only while open

    @property
    def key(self) -> InstrumentedAttribute[Any]:
        key: InstrumentedAttribute[Any] = self.model.id
        return key

    def bind(self, day: date) -> Any:
        """A date as the column compares it."""
        return day.isoformat() if self.custom else day

    def read(self, value: Any) -> date:
        """A column value as a date (custom fields hold ISO text)."""
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10])


def qualified_field(trigger: Trigger) -> str:
    """``subject.field`` for a trigger; catalogue names resolve to their subject's column."""
    field = trigger.date_field or ""
    if "." in field:
        return field
    spec = lookup(trigger.on)
    if spec is None or not spec.is_date:
        raise UnknownDateField(f"trigger '{trigger.id}': no date field for '{trigger.on}'")
    return f"{spec.subject}.{field or spec.date_field}"


def source_for(trigger: Trigger) -> DateSource:
    """The table and column a date trigger sweeps."""
    kind, _, name = qualified_field(trigger).partition(".")
    model = MODELS.get(kind)
    if model is None or not name:
        raise UnknownDateField(f"trigger '{trigger.id}': unknown date field '{trigger.date_field}'")
    if name.startswith("fields."):
        name = name.removeprefix("fields.")
    else:
        column = model.__table__.columns.get(name)
        if column is not None:
            if not isinstance(column.type, Date):
                raise UnknownDateField(
                    f"trigger '{trigger.id}': '{kind}.{name}' is not a date column"
                )
            return DateSource(kind, model, getattr(model, name), only_open=kind == "follow_up")
    if kind != "account":
        raise UnknownDateField(f"trigger '{trigger.id}': '{kind}' has no date field '{name}'")
    # A custom account field holding a plain ISO date (YYYY-MM-DD), compared as text.
    text = cast(m.Account.fields[name].as_string(), String)
    return DateSource(kind, model, text, custom=True)
