"""Follow-up attachments: checked (size, type, content), stored by checksum, kept in history.

Files live under the attachments folder (``DOCKET_ATTACHMENTS``, default
``./docket-attachments``) as ``<follow-up>/<sha256 prefix>-<name>``, up to
``DOCKET_ATTACHMENT_MAX_BYTES`` (10 MiB); the history line keeps the name, size, type, full
SHA-256 and the stored path relative to that folder. Reading, the size limit and storing are
``uploads``'s, shared with case documents; the types allowed are this module's.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from engine.domain.errors import DomainError
from engine.domain.models import FollowUpEntry
from engine.domain.operations.follow_ups.entries import get, record
from engine.domain.operations.uploads import UploadKind
from engine.domain.unit import Unit

ATTACHMENTS = UploadKind(
    noun="attachment",
    folder_env="DOCKET_ATTACHMENTS",
    default_folder="docket-attachments",
    limit_env="DOCKET_ATTACHMENT_MAX_BYTES",
    default_limit=10 * 1024 * 1024,
)

_HEADER = re.compile(rb"^[A-Za-z0-9-]+:[ \t]")


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


def check(name: str, data: bytes) -> str:
    """The MIME type of an acceptable attachment; DomainError says why its type is refused."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in TYPES:
        allowed = ", ".join(sorted({"jpg" if e == "jpeg" else e for e in TYPES}))
        raise DomainError(
            f"attachment '{name}': type '{extension or 'none'}' is refused; allowed: {allowed}"
        )
    mime, looks_right = TYPES[extension]
    if not looks_right(data):
        raise DomainError(f"attachment '{name}': its content is not that of a .{extension} file")
    return mime


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
    name, data = ATTACHMENTS.read(f"follow-up '{row.id}'", name, path, content)
    mime = check(name, data)
    stored = ATTACHMENTS.store(row.id, name, data)
    return record(
        unit,
        row,
        "attachment",
        {
            "name": stored.name,
            "size": stored.size,
            "type": mime,
            "sha256": stored.sha256,
            "stored": stored.path,
            "author": author,
        },
    )
