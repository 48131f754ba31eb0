"""Connector secrets: read from ``${ENV}`` references only, and kept out of every text shown.

A settings key that names a secret (``password``, ``token``, ``secret``, ``api_key``…) must
hold exactly one ``${VARIABLE}`` reference; any other string may hold references too
(``https://${SMS_HOST}/send``). The values read for secret keys are remembered so a
``Redactor`` can blank them out of errors, logs and ``docket outbox show``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from engine.config.secrets import ENV_REFERENCE, inline_secrets, is_secret_key

__all__ = ["ENV_REFERENCE", "MASK", "Expanded", "Redactor", "expand", "inline_secrets"]

MASK = "***"


@dataclass(slots=True)
class Expanded:
    """Settings with references replaced, the secret values read, and what was missing."""

    settings: Any
    secrets: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (settings path, variable)


def expand(settings: Any, environ: Mapping[str, str]) -> Expanded:
    """Replace ``${VAR}`` references from ``environ``; remember the values of secret keys."""
    result = Expanded(None)
    result.settings = _expand(settings, environ, (), result, secret=False)
    return result


def _expand(
    value: Any, environ: Mapping[str, str], path: tuple[str, ...], out: Expanded, secret: bool
) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): _expand(v, environ, (*path, str(k)), out, secret or is_secret_key(str(k)))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_expand(v, environ, (*path, str(i)), out, secret) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            out.missing.append((".".join(path), name))
            return ""
        found = environ[name]
        if secret and found:
            out.secrets.append(found)
        return found

    return ENV_REFERENCE.sub(replace, value)


class Redactor:
    """Blanks known secret values (and their URL-encoded forms) out of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            # Very short values would blank out ordinary words; they are no secret anyway.
            if len(secret) >= 4:
                forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for form in self._forms:
            text = text.replace(form, MASK)
        return text
