"""Benchmark: letters through the relay, against WeasyPrint printing one PDF per letter.

    python bench/bench_letters.py               # 500 letters
    python bench/bench_letters.py --letters 100 # a quick run

The sample agency (``rules/``, ``action_paths/``) places N accounts; each placement queues a
validation notice. Then, in the same process and on the same letters:
  * baseline: WeasyPrint on each letter's HTML page, one PDF per letter, defaults (the
    fonts the system has, nothing shared) — what Docket did before;
  * ``folder``: the relay, one PDF per letter (the outbox folder; email attachments);
  * ``print_batch``: the relay, one PDF per batch of 200 letters and a manifest;
  * ``print_batch`` with ``workers: 2``: the same, printed by two processes (the pool's start
    included).
Each relay figure is end to end: queued letter → claimed → PDF on disk → recorded sent. CPU
seconds are this process's (the pool's processes are not in them: compare that row by wall
time); wall seconds are what a user waits, on a shared machine.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from _common import Timing, timed
from sqlalchemy import select

from connectors._pdf import letter_html
from engine.config import load_ruleset
from engine.domain import SimulatedClock
from engine.domain import models as m
from engine.domain.operations import accounts
from engine.outbox import relay_once
from engine.outbox.messages import idempotency_key, to_message
from engine.runtime import Engine

REPO = Path(__file__).resolve().parents[1]
DAY = date(2026, 5, 4)


def agency(root: Path, connector: str) -> Path:
    """The sample agency with one letter connector (YAML text)."""
    for part in ("rules", "action_paths"):
        shutil.copytree(REPO / part, root / part)
    (root / "rules" / "zz-bench-connectors.yaml").write_text(f"connectors:\n{connector}")
    return root


def queued(root: Path, db: Path, letters: int) -> Engine:
    """An engine whose outbox holds ``letters`` validation notices, due now."""
    ruleset = load_ruleset(root)
    engine = Engine(ruleset, f"sqlite:///{db}", clock=SimulatedClock(DAY, "America/Chicago"))
    with engine.unit("bench") as unit:
        for n in range(letters):
            accounts.upsert_party(
                unit,
                {
                    "id": f"P{n}",
                    "name": f"Dana Reyes {n}",
                    "address": f"{n} Elm Street\nSpringfield, IL 62701",
                },
            )
            accounts.place_account(
                unit,
                id=f"A{n}",
                client="ACME",
                parties=[f"P{n}"],
                balances={"principal": "1200.00"},
            )
    engine.process()
    return engine


def letter_pages(engine: Engine) -> list[str]:
    """Each queued letter's full HTML page, as the relay would print it."""
    rows = engine.read(
        lambda s: list(
            s.scalars(select(m.OutboxMessage).where(m.OutboxMessage.channel == "letter"))
        )
    )
    return [letter_html(to_message(row, DAY), idempotency_key(row), agency="Bench") for row in rows]


def baseline(pages: list[str], out: Path) -> Timing:
    """WeasyPrint with its defaults, one PDF per letter."""
    import weasyprint

    out.mkdir()

    def work() -> None:
        for n, page in enumerate(pages):
            (out / f"{n}.pdf").write_bytes(weasyprint.HTML(string=page).write_pdf())

    return timed(work)[1]


def relayed(engine: Engine) -> tuple[Timing, int]:
    report, timing = timed(lambda: relay_once(engine, engine.clock.now()))  # type: ignore[union-attr]
    assert not report.dead and not report.retrying, report.as_json()
    return timing, len(report.sent)


def run(letters: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = agency(
            base / "folder", f"  - {{id: files, type: folder, settings: {{path: {base}/out}}}}\n"
        )
        batch = "  - {{id: printer, type: print_batch, settings: {{folder: {}, workers: {}}}}}\n"
        printer = agency(base / "print", batch.format(base / "batches", 1))
        pool = agency(base / "pool", batch.format(base / "pooled", 2))
        by_folder = queued(folder, base / "folder.sqlite", letters)
        by_batch = queued(printer, base / "print.sqlite", letters)
        by_pool = queued(pool, base / "pool.sqlite", letters)
        pages = letter_pages(by_folder)
        import weasyprint  # noqa: F401  (imported once, outside every timing)

        results["baseline"] = (baseline(pages, base / "baseline"), len(pages))
        results["folder"] = relayed(by_folder)
        results["print_batch"] = relayed(by_batch)
        results["pool"] = relayed(by_pool)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # font and WeasyPrint chatter is not what is measured
    results = run(args.letters)
    base_timing, _ = results["baseline"]
    labels = {
        "baseline": "WeasyPrint, 1 PDF/letter",
        "folder": "relay → folder (1 PDF each)",
        "print_batch": "relay → print_batch",
        "pool": "relay → print_batch, 2 procs",
    }
    print(f"{args.letters} validation notices (sample agency)")
    print(f"{'':30} {'wall s':>7} {'CPU s':>7} {'letters/s wall':>15} {'CPU':>7} {'ratio':>7}")
    for name, (timing, count) in results.items():
        wall, cpu = count / timing.wall, count / timing.cpu
        ratio = wall * base_timing.wall if name == "pool" else cpu * base_timing.cpu
        shown = "-" if name == "pool" else f"{cpu:.1f}"
        print(
            f"{labels[name]:30} {timing.wall:>7.2f} {timing.cpu:>7.2f} {wall:>15.1f}"
            f" {shown:>7} {ratio / count:>6.1f}×"
        )


if __name__ == "__main__":
    main()
