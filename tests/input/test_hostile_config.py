"""Issue 17, finding 3 in the configuration: a client code keeps the id rule, and its length
fits the column every account copies it into (40 characters), on SQLite as on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from engine.config import validate_root
from tests.config.helpers import write_root


def test_a_client_code_longer_than_its_column_is_a_finding_at_its_line(tmp_path: Path) -> None:
    root = write_root(
        tmp_path,
        {
            "rules/clients.yaml": f"""\
                clients:
                  - code: ACME
                    name: Acme Bank
                  - code: {"C" * 41}
                    name: Too long
            """
        },
    )
    errors = [str(f) for f in validate_root(root).errors]
    assert errors == [
        f"rules/clients.yaml:4:11: error: client '{'C' * 41}': a client code is at most 40 "
        "characters (this one is 41)"
    ]


def test_a_client_code_of_40_characters_is_valid(tmp_path: Path) -> None:
    root = write_root(tmp_path, {"rules/clients.yaml": f"clients:\n  - code: {'C' * 40}\n"})
    assert validate_root(root).valid
