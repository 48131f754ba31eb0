"""The one id rule, for every id the store keeps (clients, parties, accounts, bundles, cases,
judgments, settlements, offers, follow-ups), and the time-zone rule for every zone given.

An id is 1 to 64 characters (a client code 1 to 40, its column's length): ASCII letters,
digits, ``-``, ``_`` and ``.``, beginning with a letter or a digit — the characters the
configuration allows for its own ids (``ID_PATTERN``). So an id is the same text on SQLite
and PostgreSQL, fits every column that copies it, is never a path (``..``, ``/``), and holds
no spaces to strip, no control characters and no invisible ones (a right-to-left override
or a zero-width space would make two ids look alike). Input is refused, never repaired.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from typing import Any

from engine.config.errors import did_you_mean
from engine.config.schemagen_defs import CLIENT_CODE_MAX, ID_MAX, ID_PATTERN
from engine.domain.errors import InvalidInput, Path

__all__ = [
    "CLIENT_CODE_MAX",
    "ID_MAX",
    "RULE",
    "check_client_code",
    "check_id",
    "check_zone",
    "id_problem",
    "invisible",
    "shown",
    "zones",
]
RULE = (
    "ids are 1 to {longest} characters: letters A-Z and a-z, digits, '-', '_' and '.', "
    "beginning with a letter or a digit"
)

_ID = re.compile(ID_PATTERN)
# Control, format (bidi overrides, zero-width), separator, private-use, surrogate, unassigned.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def shown(value: str, longest: int = 80) -> str:
    """``value`` quoted for a message: non-ASCII and invisible characters escaped, so a
    message never carries a bidi override into a terminal or a log."""
    text = value if len(value) <= longest else value[:longest]
    return ascii(text) + ("…" if len(value) > longest else "")


def invisible(value: str) -> str | None:
    """The first control or invisible character of ``value``, described, or None."""
    for char in value:
        if unicodedata.category(char) in _INVISIBLE:
            name = unicodedata.name(char, "a control character")
            return f"U+{ord(char):04X} ({name})"
    return None


def id_problem(value: str, longest: int = ID_MAX) -> str | None:
    """Why ``value`` breaks the id rule, or None when it keeps it."""
    if not value:
        return "it is empty"
    if value != value.strip():
        return "it has spaces around it"
    hidden = invisible(value)
    if hidden is not None:
        return f"it holds {hidden}, an invisible or control character"
    if len(value) > longest:
        return f"it is {len(value)} characters long"
    if _ID.fullmatch(value):
        return None
    if not _ID.fullmatch(value[0]):
        return f"it begins with {value[0]!a}"
    wrong = next((c for c in value if not _ID.fullmatch("A" + c)), value[0])
    return f"it holds {wrong!a}"


def check_id(value: Any, field: str | Path, what: str | None = None, longest: int = ID_MAX) -> str:
    """``value`` as an id, or InvalidInput naming ``field``; whole numbers read as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if what is None:
        name = field if isinstance(field, str) else next(p for p in field if isinstance(p, str))
        what = f"{name.replace('_', ' ')} id"
    if not isinstance(value, str):
        raise InvalidInput(field, f"{what} must be text, got {type(value).__name__}")
    problem = id_problem(value, longest)
    if problem is not None:
        rule = RULE.format(longest=longest)
        raise InvalidInput(field, f"{what} {shown(value)} is refused: {problem} ({rule})")
    return value


def check_client_code(value: Any, field: str = "client") -> str:
    """A client code: the id rule, at most 40 characters."""
    return check_id(value, field, "client code", CLIENT_CODE_MAX)


@functools.cache
def zones() -> frozenset[str]:
    """The names of the tz database (the system's, else the ``tzdata`` package's)."""
    return frozenset(zoneinfo.available_timezones())


def check_zone(value: Any, field: str = "timezone") -> str:
    """``value`` as a time zone of the tz database (``America/Chicago``, ``UTC``), or
    InvalidInput naming ``field``."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"{field} must be text, got {type(value).__name__}")
    if value in zones():
        return value
    hint = did_you_mean(value, sorted(zones())) if value.isascii() else ""
    raise InvalidInput(
        field,
        f"{field} {shown(value)} is not a time zone of the tz database "
        f"(like 'America/Chicago' or 'UTC'){hint}",
    )
