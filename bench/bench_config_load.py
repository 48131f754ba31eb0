"""Benchmark: load, validate and compile a large configuration (target: under 2 seconds).

Generates 2,000 triggers and 2,000 action paths (3–5 steps each; conditions of 3–5
comparisons) into a temporary root, then times ``load_ruleset`` (best of 3) against a
baseline measured in the same run: plain ``yaml.safe_load`` of the same files.

Run: ``python -m bench.bench_config_load`` or ``python bench/bench_config_load.py``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from engine.config import load_ruleset
from engine.config.catalogue import EVENTS

TARGET_SECONDS = 2.0
FILES = 20  # triggers and paths are spread over this many files each

_FIELDS = (
    ("account.balance", "{n}"),
    ("account.age_days", "{n}"),
    ("account.status", "'S{k}'"),
    ("account.worklist", "'W{k}'"),
    ("client.code", "'C{k}'"),
    ("case.status", "'OPEN{k}'"),
    ("case.serve_response_days", "{k}"),
    ("account.balances.principal", "{n}"),
)
_OPERATORS = ("==", "!=", ">", ">=", "<", "<=")


def _comparison(rng: random.Random) -> str:
    field, value = rng.choice(_FIELDS)
    rendered = value.format(n=rng.randint(0, 50_000), k=rng.randint(0, 9))
    operator = rng.choice(_OPERATORS) if "'" not in rendered else rng.choice(("==", "!="))
    return f"{field} {operator} {rendered}"


def condition(rng: random.Random) -> str:
    parts = [_comparison(rng) for _ in range(rng.randint(3, 5))]
    text = parts[0]
    for part in parts[1:]:
        text += f" {rng.choice(('and', 'and', 'or'))} {part}"
    return text


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _step(rng: random.Random, index: int) -> list[str]:
    kind = rng.choice(("status", "worklist", "task", "if", "wait", "letter", "note"))
    if kind == "status":
        return [f"- set_status: S{rng.randint(0, 9)}"]
    if kind == "worklist":
        return [f"- move_worklist: {{to: W{rng.randint(0, 9)}, next_work: +{index} business days}}"]
    if kind == "task":
        return [
            f'- create_task: {{title: "Call {{{{ party.name }}}} about {{{{ account.id }}}}",'
            f" department: Legal, due: +{rng.randint(1, 9)} days}}"
        ]
    if kind == "if":
        return [
            f"- if: {_quote(condition(rng))}",
            f"  then: [{{set_status: S{rng.randint(0, 9)}}}]",
            '  else: [{add_note: "Skipped at {{ account.balance | money }}"}]',
        ]
    if kind == "wait":
        return [f"- wait: {rng.randint(1, 30)} days", "  until: case.judgment_date"]
    if kind == "letter":
        return [f"- send_letter: {{template: letter-{rng.randint(0, 4)}, to: defendants}}"]
    return [f"- add_note: Note {index} for the file"]


def generate(root: Path, triggers: int = 2000, paths: int = 2000, seed: int = 7) -> list[Path]:
    """Write the configuration under ``root``; returns the YAML files written."""
    rng = random.Random(seed)
    event_names = [e.name for e in EVENTS if not e.is_date]
    date_names = [e.name for e in EVENTS if e.is_date]
    (root / "rules" / "templates").mkdir(parents=True)
    (root / "action_paths").mkdir()
    for number in range(5):
        (root / "rules" / "templates" / f"letter-{number}.j2").write_text(
            f"Dear {{{{ party.name }}}}, letter {number} about {{{{ account.id }}}}.\n"
        )
    written = [root / "rules" / "codes.yaml"]
    codes = ["status_codes:", "  - {code: NEW, label: New placement}"]
    codes += [f"  - {{code: S{i}, label: Status {i}}}" for i in range(10)]
    codes += ["worklists:"] + [f"  - {{id: W{i}, label: Worklist {i}}}" for i in range(10)]
    codes += ["clients:"] + [f"  - {{code: C{i}, name: Client {i}}}" for i in range(10)]
    written[0].write_text("\n".join(codes) + "\n")
    per_file = triggers // FILES
    for file_number in range(FILES):
        lines = ["triggers:"]
        for i in range(file_number * per_file, (file_number + 1) * per_file):
            lines.append(f"  - id: t-{i:04d}")
            if rng.random() < 0.3:
                lines.append(f"    on: {rng.choice(date_names)}")
                lines.append(f"    offset: -{rng.randint(1, 5)} business days")
            else:
                lines.append(f"    on: {rng.choice(event_names)}")
            lines.append(f"    if: {_quote(condition(rng))}")
            lines.append(f"    run: p-{i % paths:04d}")
        path = root / "rules" / f"triggers-{file_number:02d}.yaml"
        path.write_text("\n".join(lines) + "\n")
        written.append(path)
    per_file = paths // FILES
    for file_number in range(FILES):
        lines = ["action_paths:"]
        for i in range(file_number * per_file, (file_number + 1) * per_file):
            lines += [f"  - id: p-{i:04d}", f"    description: Generated path {i}", "    steps:"]
            for index in range(rng.randint(3, 5)):
                lines += [f"      {line}" for line in _step(rng, index)]
        path = root / "action_paths" / f"paths-{file_number:02d}.yaml"
        path.write_text("\n".join(lines) + "\n")
        written.append(path)
    return written


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``work`` in seconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--triggers", type=int, default=2000)
    parser.add_argument("--paths", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = generate(root, args.triggers, args.paths)
        ruleset = load_ruleset(root)
        steps = sum(len(p.steps) for p in ruleset.action_paths.values())
        print(
            f"config: {len(ruleset.triggers)} triggers, {len(ruleset.action_paths)} action paths, "
            f"{steps} steps, {len(files)} YAML files"
        )

        def baseline() -> None:
            for path in files:
                yaml.safe_load(path.read_text(encoding="utf-8"))

        loaded = best_of(args.runs, lambda: load_ruleset(root))
        plain = best_of(args.runs, baseline)
    verdict = "ok" if loaded < TARGET_SECONDS else "SLOW"
    target = f"target < {TARGET_SECONDS} s"
    print(f"load + validate + compile: {loaded:.3f} s (best of {args.runs}; {target}) {verdict}")
    print(f"baseline yaml.safe_load of the same files: {plain:.3f} s")
    print(f"ratio: {loaded / plain:.2f}x the plain YAML parse")
    return 0 if loaded < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
