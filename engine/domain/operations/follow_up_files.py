"""Follow-up attachments: checked (size, type, content), stored by checksum, kept in history.

Files live under the attachments folder (``DOCKET_ATTACHMENTS``, default
``./docket-attachments``) as ``<follow-up>/<sha256 prefix>-<name>``; the history line keeps
the name, size, type, full SHA-256 and the stored path relative to that folder. Everything is
checked before a byte is written, so a refused file changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from engine.domain.models import FollowUp, FollowUpEntry
from engine.domain.operations.follow_ups import get, record
from engine.domain.unit import DomainError, Unit

ATTACHMENTS_ENV = "DOCKET_ATTACHMENTS"
LIMIT_ENV = "DOCKET_ATTACHMENT_MAX_BYTES"
DEFAULT_FOLDER = "docket-attachments"
DEFAULT_LIMIT = 10 * 1024 * 1024

_HEADER = re.compile(rb"^[A-Za-z0-9-]+:[ \t]")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_eml(data: bytes) -> bool:
    # An RFC 5322 message opens with header fields; mail is often 8-bit, so no UTF-8 demand.
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0]
    return b"\x00" not in data and bool(_HEADER.match(first))


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


# Allowed extensions: the MIME type recorded and a cheap check of the content.
TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("application/pdf", lambda data: data.startswith(b"%PDF-")),
    "png": ("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    "txt": ("text/plain", _is_text),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _is_docx,
    ),
    "eml": ("message/rfc822", _is_eml),
}


def folder() -> Path:
    """Where attachments are stored (``DOCKET_ATTACHMENTS``, default ./docket-attachments)."""
    return Path(os.environ.get(ATTACHMENTS_ENV) or DEFAULT_FOLDER)


def limit() -> int:
    """The largest attachment accepted, in bytes (``DOCKET_ATTACHMENT_MAX_BYTES``, 10 MiB)."""
    raw = os.environ.get(LIMIT_ENV)
    if not raw:
        return DEFAULT_LIMIT
    try:
        return int(raw)
    except ValueError:
        raise DomainError(f"{LIMIT_ENV} must be a number of bytes, got '{raw}'") from None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} bytes"


def file_name(value: str) -> str:
    """A plain file name (no folders, no control characters) or a DomainError."""
    name = str(value or "").strip()
    if not name or name in (".", "..") or _UNSAFE_NAME.search(name) or len(name) > 200:
        raise DomainError(
            f"attachment name '{value}' is not a plain file name (no folders, 1 to 200 characters)"
        )
    return name


def _read(row: FollowUp, name: str, path: str | None, content: str | None) -> bytes:
    if (path is None) == (content is None):
        raise DomainError(f"follow-up '{row.id}': attach either a path or content (base64)")
    maximum = limit()
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise DomainError(f"follow-up '{row.id}': no file at '{path}'")
        size = source.stat().st_size
        if size > maximum:  # refuse before reading a large file into memory
            raise DomainError(
                f"attachment '{name}' is {_size(size)}; the limit is {_size(maximum)}"
            )
        return source.read_bytes()
    try:
        return base64.b64decode(str(content), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(f"attachment '{name}': content is not valid base64") from None


def check(name: str, data: bytes) -> str:
    """The MIME type of an acceptable attachment; DomainError says why one is refused."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TYPES:
        allowed = ", ".join(sorted({"jpg" if e == "jpeg" else e for e in TYPES}))
        raise DomainError(
            f"attachment '{name}': type '{extension or 'none'}' is refused; allowed: {allowed}"
        )
    maximum = limit()
    if len(data) > maximum:
        raise DomainError(
            f"attachment '{name}' is {_size(len(data))}; the limit is {_size(maximum)}"
        )
    if not data:
        raise DomainError(f"attachment '{name}' is empty")
    mime, looks_right = TYPES[extension]
    if not looks_right(data):
        raise DomainError(f"attachment '{name}': its content is not that of a .{extension} file")
    return mime


def _store(row: FollowUp, name: str, data: bytes, digest: str) -> str:
    relative = Path(row.id.replace("/", "_")) / f"{digest[:16]}-{name}"
    target = folder() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():  # same follow-up, same bytes, same name: already stored
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return relative.as_posix()


def attach_follow_up(
    unit: Unit,
    follow_up: str,
    name: str | None = None,
    path: str | None = None,
    content: str | None = None,
    author: str | None = None,
) -> FollowUpEntry:
    """Store a document on a follow-up (size and type checked, SHA-256 kept in history)."""
    row = get(unit, follow_up)
    name = file_name(name if name is not None else Path(str(path or "")).name)
    data = _read(row, name, path, content)
    mime = check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    stored = _store(row, name, data, digest)
    return record(
        unit,
        row,
        "attachment",
        {
            "name": name,
            "size": len(data),
            "type": mime,
            "sha256": digest,
            "stored": stored,
            "author": author,
        },
    )
