"""A fresh, empty database per scenario: a temporary SQLite file, or a PostgreSQL schema.

``DOCKET_SCENARIO_DB_URL`` (or ``docket test --db``) names a PostgreSQL server; each scenario
then gets a schema of its own (``search_path``), dropped afterwards, so scenarios never see
each other's rows and parallel runs never clash.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from engine.domain import normalize_url
from engine.scenario.errors import DatabaseChoiceError

ENV_URL = "DOCKET_SCENARIO_DB_URL"


def scenario_db_base(explicit: str | None = None) -> str | None:
    """The PostgreSQL server scenarios use (None: temporary SQLite files)."""
    url = explicit or os.environ.get(ENV_URL) or None
    if url is None:
        return None
    url = normalize_url(url)
    if not url.startswith("postgresql"):
        raise DatabaseChoiceError(
            f"{ENV_URL} must name a PostgreSQL server (got '{url}'); SQLite scenarios use a "
            "temporary file each"
        )
    return url


@contextmanager
def fresh_database(base: str | None) -> Iterator[str]:
    """Yield the URL of an empty database that is removed afterwards."""
    if base is None:
        with tempfile.TemporaryDirectory(prefix="docket-scenario-") as folder:
            yield f"sqlite:///{Path(folder) / 'scenario.db'}"
        return
    schema = f"s_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
