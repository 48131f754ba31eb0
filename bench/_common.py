"""Shared pieces of the engine benchmarks: timing, a config root on disk, SQLite setup."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, insert

from engine.domain import models as m

T = TypeVar("T")
CLIENTS = 5
STATUSES = 5
WORKLISTS = 5


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """Run ``work`` once; its result and the wall time in seconds."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def best(runs: int, work: Callable[[], T]) -> tuple[T, float]:
    """The result of ``work`` and its fastest time over ``runs`` runs."""
    results = [timed(work) for _ in range(runs)]
    return results[0][0], min(seconds for _, seconds in results)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_root(root: Path, triggers: Iterable[str], paths: Iterable[str]) -> Path:
    """A configuration root: codes, worklists, clients, one template, triggers and paths."""
    (root / "rules" / "templates").mkdir(parents=True)
    (root / "action_paths").mkdir()
    (root / "rules" / "templates" / "notice.j2").write_text(
        "Dear {{ party.name }}, about account {{ account.id }}: {{ account.balance | money }}.\n"
    )
    codes = ["agency: {name: Bench Recovery, timezone: America/Chicago}", "status_codes:"]
    codes += [f"  - {{code: S{i}, label: Status {i}}}" for i in range(STATUSES)]
    codes += ["worklists:"] + [f"  - {{id: W{i}, label: Worklist {i}}}" for i in range(WORKLISTS)]
    codes += ["clients:"] + [f"  - {{code: C{i}, name: Client {i}}}" for i in range(CLIENTS)]
    (root / "rules" / "codes.yaml").write_text("\n".join(codes) + "\n")
    (root / "rules" / "triggers.yaml").write_text("triggers:\n" + "\n".join(triggers) + "\n")
    (root / "action_paths" / "paths.yaml").write_text("action_paths:\n" + "\n".join(paths) + "\n")
    return root


def seed_accounts(db: Engine, count: int) -> list[str]:
    """``count`` accounts (status S0, no worklist), each with one responsible party."""
    now = datetime.now(UTC).replace(tzinfo=None)
    ids = [f"A{i:06d}" for i in range(count)]
    with db.begin() as conn:
        conn.execute(
            insert(m.Client.__table__),
            [{"code": f"C{i}", "name": f"Client {i}", "judgment": False} for i in range(CLIENTS)],
        )
        conn.execute(
            insert(m.Party.__table__),
            [{"id": f"P{a}", "name": f"Party {a}", "address": "1 Main St"} for a in ids],
        )
        conn.execute(
            insert(m.Account.__table__),
            [
                {
                    "id": a,
                    "client_code": f"C{i % CLIENTS}",
                    "bundle": a,
                    "status": "S0",
                    "principal": Decimal("1000.00") + i % 500,
                    "placed_date": now.date(),
                    "created_at": now,
                    "flags": [],
                    "holds": [],
                    "fields": {},
                }
                for i, a in enumerate(ids)
            ],
        )
        conn.execute(
            insert(m.AccountParty.__table__),
            [
                {"account_id": a, "party_id": f"P{a}", "roles": ["responsible"], "position": 0}
                for a in ids
            ],
        )
    return ids


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:>12,.0f}/s"


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<44} {value}  {note}".rstrip())


def as_dict(values: Any) -> dict[str, Any]:
    return dict(values._mapping) if hasattr(values, "_mapping") else dict(values)
