"""Insert a batch's new append-only rows with Core executemany instead of the ORM flush.

At the end of a batch, the rows its events added (history, outbox messages, derived inbox
events, runs, notes, tasks, records) are written once, table by table, in the order they were
added, and the session forgets them: the batch commits right after, nothing in it reads those
objects again, and the ORM's per-object bookkeeping (primary keys read back, identity map,
cascades) was most of the cost of writing them.

Only rows no foreign key points at are taken, and only objects built from plain column
values (no relationship set on them), so the ORM flush of everything else, which runs
first, can never need one of them. Anything else is left to that flush.

On SQLite, a batch's inserts skip SQLAlchemy's per-row parameter assembly, which cost more
than the driver's own insert: for each (table, columns) the statement is compiled once, and
each row becomes the tuple the driver takes, through the columns' own bind processors (the
same conversions SQLAlchemy applies), with the columns' Python defaults filled in as the ORM
would. PostgreSQL keeps SQLAlchemy's executemany, which already batches rows into a few
multi-row statements there (round trips, not Python, are its cost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table, bindparam, insert, inspect
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


def table(model: type[Any]) -> Table:
    """The table a model is mapped to."""
    found: Table = model.__table__
    return found


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
            insert_many(connection, table, list(same))


def insert_many(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``connection.execute(insert(table), rows)`` for rows with the same keys (module doc)."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(insert(table), list(rows))
        return
    sql, convert = _statement(dialect, table, tuple(rows[0]))
    connection.exec_driver_sql(sql, [convert(row) for row in rows])


Convert = Callable[[dict[str, Any]], tuple[Any, ...]]


@lru_cache(maxsize=256)
def _statement(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> tuple[str, Convert]:
    """The compiled insert of ``keys`` and of the columns with a Python default, and what
    turns a row into its parameters: its values (or the defaults, as the ORM fills them) in
    the statement's order, through the columns' bind processors."""
    given = set(keys)
    columns = {
        column.key: column
        for column in table.columns
        if column.key in given or (column.default is not None and not column.default.is_sequence)
    }
    if given - columns.keys():
        raise KeyError(f"{table.name} has no column {sorted(given - columns.keys())}")
    statement = insert(table).values({key: bindparam(key) for key in columns})
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    assert len(names) == len(columns), "SQLite takes positional parameters"
    defaults = {key: _default(columns[key]) for key in names if key not in given}
    pick = itemgetter(*names)
    processors = [columns[key].type.dialect_impl(dialect).bind_processor(dialect) for key in names]

    def convert(row: dict[str, Any]) -> tuple[Any, ...]:
        values = pick({**defaults, **row} if defaults else row)
        if len(names) == 1:
            values = (values,)
        return tuple([v if p is None else p(v) for p, v in zip(processors, values, strict=True)])

    return compiled.string, convert


def _default(column: Column[Any]) -> Any:
    """The value the ORM gives a column left out of a new row (a callable's result is made
    once: it is bound as a parameter, never shared as an object)."""
    default: Any = column.default
    return default.arg(None) if default.is_callable else default.arg
