"""Shared pieces of the engine benchmarks: timing, a config root on disk, SQLite setup."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, insert

from engine.domain import models as m

T = TypeVar("T")
CLIENTS = 5
STATUSES = 5
WORKLISTS = 5


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock and CPU seconds of one piece of work (CPU: this process only).

    The machine is shared: wall time is what a user sees, CPU time shows the work done
    even when other processes take turns on the two cores.
    """

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def timed(work: Callable[[], T]) -> tuple[T, Timing]:
    """Run ``work`` once; its result and its timing."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def best(runs: int, work: Callable[[], T]) -> tuple[T, Timing]:
    """The result of ``work`` and its fastest wall and CPU times over ``runs`` runs."""
    results = [timed(work) for _ in range(runs)]
    wall = min(t.wall for _, t in results)
    cpu = min(t.cpu for _, t in results)
    return results[0][0], Timing(wall, cpu)


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
    codes += ["  - {code: NEW, label: New placement}"]
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


def rates(count: float, timing: Timing) -> tuple[float, float]:
    """(per wall second, per CPU second)."""
    return count / timing.wall, count / timing.cpu


def row(label: str, wall: float, cpu: float, unit: str, note: str = "") -> None:
    """One result line: the wall-clock figure, the CPU-time figure, a note."""
    print(f"  {label:<42} {wall:>12,.0f} {unit:<14} (cpu {cpu:>10,.0f})  {note}".rstrip())


def ratio(label: str, wall: float, cpu: float, target: float, at_least: str) -> bool:
    """Print a ratio line against its target; True when the wall-clock ratio meets it."""
    ok = wall >= target
    verdict = "ok" if ok else "MISSED"
    print(f"  {label:<42} {wall:>12.2f}x{'':<13} (cpu {cpu:>9.2f}x)  {at_least} {verdict}")
    return ok
