"""Build small configuration roots for tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CODES = """\
status_codes:
  - {code: NEW, label: New placement}
  - {code: LEGAL, label: In legal}
  - {code: AJ, label: Active judgment}
worklists:
  - {id: COURT-PREP, label: Court preparation}
"""


def write_root(base: Path, files: dict[str, str], *, codes: bool = True) -> Path:
    """Write ``files`` (relative path → text, dedented) under ``base``; returns ``base``."""
    if codes:
        files = {"rules/codes.yaml": CODES, **files}
    for rel, text in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (base / "rules").mkdir(exist_ok=True)
    return base
