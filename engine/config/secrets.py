"""Which connector settings are secrets, and the one form a secret may take: ``${VARIABLE}``.

Shared by the loader (an inline password is a configuration error, at its line) and the
outbox (which reads the variables when a connector starts and blanks their values out of
everything it shows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ONE_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
SECRET_KEY = re.compile(
    r"(password|passwd|secret|token|api_?key|private_?key|credentials?)$", re.IGNORECASE
)

# The user-info part of a URL (``admin:secret@``); the password travels with every log line.
URL_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/\s?#@]*)@")

PathKey = tuple[str | int, ...]


def is_secret_key(key: str) -> bool:
    """True for settings keys whose value must come from the environment."""
    return bool(SECRET_KEY.search(key))


def inline_secrets(settings: Any, path: PathKey = ()) -> list[PathKey]:
    """Paths of secret keys written inline (anything but a single ``${VAR}`` reference)."""
    found: list[PathKey] = []
    if isinstance(settings, Mapping):
        for key, value in settings.items():
            here = (*path, str(key))
            if is_secret_key(str(key)) and not isinstance(value, Mapping | list | tuple):
                if value is not None and not (
                    isinstance(value, str) and ONE_REFERENCE.match(value)
                ):
                    found.append(here)
            else:
                found.extend(inline_secrets(value, here))
    elif isinstance(settings, list | tuple):
        for index, value in enumerate(settings):
            found.extend(inline_secrets(value, (*path, index)))
    return found


def url_credentials(settings: Any, path: PathKey = ()) -> list[PathKey]:
    """Paths of strings holding a URL with credentials written inline (``http://u:p@host``).

    User info made only of ``${VAR}`` references (``http://${USER}:${PASS}@host``) is allowed:
    those values are read from the environment and blanked like any secret.
    """
    found: list[PathKey] = []
    if isinstance(settings, Mapping):
        for key, value in settings.items():
            found.extend(url_credentials(value, (*path, str(key))))
    elif isinstance(settings, list | tuple):
        for index, value in enumerate(settings):
            found.extend(url_credentials(value, (*path, index)))
    elif isinstance(settings, str):
        for match in URL_USERINFO.finditer(settings):
            if ENV_REFERENCE.sub("", match.group(1)).strip(":"):
                found.append(path)
                break
    return found


def variable_name(*words: str | int) -> str:
    """A suggested variable name: ``mail``, ``password`` -> ``MAIL_PASSWORD``."""
    return "_".join("".join(c if c.isalnum() else "_" for c in str(w)).upper() for w in words)


def credentials_in_url(owner: str, path: PathKey) -> str:
    """The message for ``http://user:password@host`` in a connector's settings."""
    shown = ".".join(str(p) for p in path)
    variable = variable_name(owner, *path, "credentials")
    return (
        f"settings '{shown}' has credentials written inline in the URL (user:password@); "
        f"put them in an environment variable and write '${{{variable}}}@' (or a header)"
    )
