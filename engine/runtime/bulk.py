"""Insert a batch's new append-only rows with Core executemany instead of the ORM flush.

At the end of a batch, the rows its events added (history, outbox messages, derived inbox
events, runs, notes, tasks, records) are written once, table by table, in the order they were
added, and the session forgets them: the batch commits right after, nothing in it reads those
objects again, and the ORM's per-object bookkeeping (primary keys read back, identity map,
cascades) was most of the cost of writing them.

Only rows no foreign key points at are taken, and only objects built from plain column
values (no relationship set on them), so the ORM flush of everything else, which runs
first, can never need one of them. Anything else is left to that flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import InstanceState, Mapper, Session

from engine.domain import models as m

# Rows the runtime and domain operations add and no foreign key points at (checked below).
APPEND_ONLY: tuple[type[Any], ...] = (
    m.InboxEvent,
    m.Run,
    m.StatusHistory,
    m.WorklistHistory,
    m.OutboxMessage,
    m.Note,
    m.Task,
    m.Record,
)


@dataclass(frozen=True, slots=True)
class _Shape:
    table: Table
    columns: dict[str, str]  # attribute key -> column key
    none_is_value: frozenset[str]  # attributes whose None is a value (JSON null), not "unset"
    relationships: frozenset[str]


def _shape(model: type[Any]) -> _Shape:
    mapper: Mapper[Any] = inspect(model)
    table: Table = model.__table__
    for other in m.Base.metadata.tables.values():
        for key in other.foreign_keys:
            if key.column.table is table:  # its rows would have to be written first
                raise RuntimeError(f"{other.name} points at {table.name}: not append-only")
    attrs = {prop.key: prop.columns[0] for prop in mapper.column_attrs}
    return _Shape(
        table,
        {key: column.key for key, column in attrs.items()},
        frozenset(key for key, column in attrs.items() if column.type.should_evaluate_none),
        frozenset(mapper.relationships.keys()),
    )


SHAPES = {model: _shape(model) for model in APPEND_ONLY}
# A row to insert, with its place in the order the batch added its rows.
Stamped = tuple[int, Table, dict[str, Any]]


def _row(shape: _Shape, values: dict[str, Any]) -> dict[str, Any]:
    # As the ORM does: a None is left out (the column's default or NULL applies, and a
    # primary key is generated), except where None is itself a value.
    columns, none_is_value = shape.columns, shape.none_is_value
    return {
        columns[key]: value
        for key, value in values.items()
        if key in columns and (value is not None or key in none_is_value)
    }


def plain(model: type[Any], values: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    """The table and insertable row of an append-only ``model``'s attribute values."""
    shape = SHAPES[model]
    return shape.table, _row(shape, values)


def take_new(session: Session, order: dict[int, int]) -> list[Stamped]:
    """Remove the session's new append-only objects stamped in ``order`` (id -> place); their
    rows with their places. Objects without a place are left to the flush."""
    taken: list[Stamped] = []
    for obj in list(session.new):
        shape = SHAPES.get(type(obj))
        place = order.get(id(obj)) if shape is not None else None
        if shape is None or place is None:
            continue
        state: InstanceState[Any] = inspect(obj)
        values = state.dict
        if not shape.relationships.isdisjoint(values):
            continue
        taken.append((place, shape.table, _row(shape, values)))
        session.expunge(obj)
    return taken


def _keys(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


def insert_rows(session: Session, rows: list[Stamped]) -> None:
    """Insert the rows, each table's in order: one executemany per run of the same columns."""
    connection = session.connection()
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for _, table, row in rows:
        by_table.setdefault(table, []).append(row)
    for table, table_rows in by_table.items():
        for _, same in groupby(table_rows, key=_keys):
            connection.execute(insert(table), list(same))
