"""Uploaded files (case documents, follow-up attachments): read, checked and stored by checksum.

An upload names a plain file and brings its bytes either as a ``path`` on this machine (the
CLI) or as base64 ``content`` (the API, scenarios). Everything is checked before a byte is
written, so a refused upload changes nothing. Files are stored under the kind's folder as
``<owner>/<sha256 prefix>-<name>``; the same bytes under the same name are stored once, and a
crash never leaves half a file under its name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.domain.errors import DomainError, InvalidInput
from engine.domain.ids import invisible, shown

_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")


def size_text(n: int) -> str:
    """A size the way people read it: bytes, KiB or MiB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} bytes"


@dataclass(frozen=True, slots=True)
class Stored:
    """A file as stored: its name, size, full SHA-256 and path relative to the folder."""

    name: str
    size: int
    sha256: str
    path: str


@dataclass(frozen=True, slots=True)
class UploadKind:
    """One kind of upload: its word in messages, its folder and its size limit (both from
    environment variables, read on every upload so a running service can be reconfigured)."""

    noun: str
    folder_env: str
    default_folder: str
    limit_env: str
    default_limit: int

    def folder(self) -> Path:
        """Where files of this kind are stored."""
        return Path(os.environ.get(self.folder_env) or self.default_folder)

    def limit(self) -> int:
        """The largest file accepted, in bytes."""
        raw = os.environ.get(self.limit_env)
        if not raw:
            return self.default_limit
        try:
            return int(raw)
        except ValueError:
            raise DomainError(f"{self.limit_env} must be a number of bytes, got '{raw}'") from None

    def file_name(self, value: str | None) -> str:
        """A plain file name as given (no folders, no spaces around it, no control or invisible
        characters such as a right-to-left override) or InvalidInput."""
        name = "" if value is None else str(value)
        hidden = invisible(name)
        if (
            not name
            or name != name.strip()
            or name in (".", "..")
            or _UNSAFE_NAME.search(name)
            or hidden is not None
            or len(name) > 200
        ):
            raise InvalidInput(
                "name",
                f"{self.noun} name {shown(name)} is not a plain file name (no folders, no "
                "spaces around it, no control or invisible characters, 1 to 200 characters)"
                + (f": it holds {hidden}" if hidden else ""),
            )
        return name

    def _too_large(self, name: str, size: int, maximum: int) -> DomainError:
        return DomainError(
            f"{self.noun} '{name}' is {size_text(size)}; the limit is {size_text(maximum)}"
        )

    def read(
        self, owner: str, name: str | None, path: str | None, content: str | None
    ) -> tuple[str, bytes]:
        """The checked name and bytes of an upload; ``owner`` (``case 'C1'``) opens messages.

        Without a ``name`` the file name of ``path`` is used.
        """
        if (path is None) == (content is None):
            raise DomainError(f"{owner}: give either a path or content (base64)")
        name = self.file_name(name if name is not None else Path(str(path or "")).name)
        maximum = self.limit()
        if path is not None:
            source = Path(path)
            if not source.is_file():
                raise DomainError(f"{owner}: no file at '{path}'")
            size = source.stat().st_size
            if size > maximum:  # refuse before reading a large file into memory
                raise self._too_large(name, size, maximum)
            data = source.read_bytes()
        else:
            try:
                data = base64.b64decode(str(content), validate=True)
            except (binascii.Error, ValueError):
                raise DomainError(f"{self.noun} '{name}': content is not valid base64") from None
        if not data:
            raise DomainError(f"{self.noun} '{name}' is empty")
        if len(data) > maximum:
            raise self._too_large(name, len(data), maximum)
        return name, data

    def store(self, owner_id: str, name: str, data: bytes) -> Stored:
        """Write ``data`` under the owner's folder (once per content and name); refused unless
        the resolved path is that file in that folder, inside the kind's folder."""
        digest = hashlib.sha256(data).hexdigest()
        relative = Path(owner_id) / f"{digest[:16]}-{name}"
        target = self._inside(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(data)
            partial.replace(target)  # atomic: a crash never leaves half a file under its name
        return Stored(name, len(data), digest, relative.as_posix())

    def _inside(self, relative: Path) -> Path:
        # Ids and names are checked where they are made; this holds even if one was not (a
        # row from before the id rule), or if a folder below the root is a link out of it.
        root = self.folder().resolve()
        target = (root / relative).resolve()
        try:
            stays = target.relative_to(root).parts == relative.parts
        except ValueError:
            stays = False
        if not stays or len(relative.parts) != 2:
            raise DomainError(
                f"{self.noun} {shown(relative.as_posix())} would be stored outside "
                f"{self.folder_env}; refused"
            )
        return target
