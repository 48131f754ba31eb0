"""Connector secrets: read from ``${ENV}`` references only, and kept out of every text shown.

A settings key that names a secret (``password``, ``token``, ``secret``, ``api_key``…) must
hold exactly one ``${VARIABLE}`` reference; any other string may hold references too
(``https://${SMS_HOST}/send``, ``Basic ${HOOK_AUTH}``). Every value read from the environment
is remembered so a ``Redactor`` can blank it out of errors, logs, ``docket outbox show`` and
``GET /outbox``; so are the credentials of ``Authorization`` values (``Basic …``, ``Bearer …``)
and of URLs (``user:password@``), whoever echoes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

from engine.config.secrets import ENV_REFERENCE, inline_secrets

__all__ = ["ENV_REFERENCE", "MASK", "Expanded", "Redactor", "expand", "inline_secrets"]

MASK = "***"

# ``Authorization: Basic dXNlcjpwYXNz`` as a gateway may echo it back, and ``user:pass@`` in URLs.
_SCHEME_CREDENTIALS = re.compile(r"\b(Basic|Bearer|Digest|Token)(\s+)[A-Za-z0-9+/=._~-]{4,}", re.I)
_URL_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s?#@]+@")


@dataclass(slots=True)
class Expanded:
    """Settings with references replaced, the secret values read, and what was missing."""

    settings: Any
    secrets: list[str] = field(default_factory=list)  # every value read from the environment
    missing: list[tuple[str, str]] = field(default_factory=list)  # (settings path, variable)


def expand(settings: Any, environ: Mapping[str, str]) -> Expanded:
    """Replace ``${VAR}`` references from ``environ``; remember every value read."""
    result = Expanded(None)
    result.settings = _expand(settings, environ, (), result)
    return result


def _expand(value: Any, environ: Mapping[str, str], path: tuple[str, ...], out: Expanded) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _expand(v, environ, (*path, str(k)), out) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_expand(v, environ, (*path, str(i)), out) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            out.missing.append((".".join(path), name))
            return ""
        found = environ[name]
        if found:  # any variable may carry a secret (a header, a URL's user info)
            out.secrets.append(found)
        return found

    return ENV_REFERENCE.sub(replace, value)


class Redactor:
    """Blanks known secret values (and their URL-encoded forms) and credentials out of text."""

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
        text = _SCHEME_CREDENTIALS.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
