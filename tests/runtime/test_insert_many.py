"""A batch's rows stored through ``rows.insert_many`` are byte for byte what SQLAlchemy's own
executemany stores: the same conversions, the same Python defaults for left-out columns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, delete, insert, select

from engine.domain import models as m
from engine.domain.store import make_engine, upgrade
from engine.runtime.batching import rows

DAY, AT = date(2026, 5, 4), datetime(2026, 5, 4, 9, 30, 15, 123456)
ROWS: dict[type[Any], list[dict[str, Any]]] = {
    # Left out: data, status, depth, source, late (Python defaults), seq (the store's).
    m.InboxEvent: [
        {
            "id": f"e{n}",
            "name": "onStatusChange",
            "subject_kind": "account",
            "subject_id": "A1",
            "business_date": DAY,
            "received_at": AT,
        }
        for n in range(3)
    ],
    m.Run: [
        {
            "id": 7,
            "event_id": "e1",
            "path_id": "welcome",
            "ruleset_hash": "h",
            "subject_kind": "account",
            "subject_id": "A1",
            "status": "completed",
            "started_on": DAY,
            "started_at": AT,
            "finished_at": AT,
            "vars": {"half": Decimal("600.00"), "on": DAY, "list": [1, None, "x"]},
            "resume": None,  # JSON null, a value: kept as the ORM keeps it
        }
    ],
    m.Record: [
        {
            "model": "audit",
            "subject_kind": "account",
            "subject_id": "A1",
            "fields": {"amount": Decimal("25.10"), "text": "café ✓"},
            "created_on": DAY,
            "created_at": AT,
        }
    ],
    m.FiredEvent: [{"event_id": "e1", "trigger_id": "welcome", "outcome": "ran"}],
    m.EventTrace: [{"event_id": "e1", "ruleset_hash": "h", "doc": {"triggers": []}}],
}


def _raw(connection: Any, table: Table) -> list[tuple[Any, ...]]:
    """The stored values as the driver returns them, without the store-numbered keys."""
    generated = {c.name for c in table.primary_key.columns if c.autoincrement is True}
    names = [c.name for c in table.columns if c.name not in generated]
    query = f"select {', '.join(names)} from {table.name} order by {names[0]}"
    return [tuple(row) for row in connection.exec_driver_sql(query)]


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model.__tablename__)
def test_insert_many_stores_what_sqlalchemy_stores(db_url: str, model: type[Any]) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    table: Table = model.__table__
    stored = []
    try:
        for write in (
            lambda c: c.execute(insert(table), ROWS[model]),
            lambda c: rows.insert_many(c, table, ROWS[model]),
        ):
            with engine.begin() as connection:
                connection.execute(delete(table))
                write(connection)
                stored.append(_raw(connection, table))
        assert stored[0] == stored[1]
        assert len(stored[1]) == len(ROWS[model])
        with engine.connect() as connection:  # and it reads back as the model's values
            found = connection.execute(select(table)).first()
            assert found is not None
            expected = {k: _stored(v) for k, v in ROWS[model][0].items()}
            assert {k: found._mapping[k] for k in ROWS[model][0]} == expected
    finally:
        engine.dispose()


def _stored(value: Any, inside_json: bool = False) -> Any:
    """What a column gives back for a value: in JSON, Decimals and dates become strings."""
    if isinstance(value, dict):
        return {k: _stored(v, True) for k, v in value.items()}
    if isinstance(value, list):
        return [_stored(v, True) for v in value]
    if inside_json and isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value
