"""Case documents (ACE "Upload New File"): stored files with their size and SHA-256.

Files live under the documents folder (``DOCKET_DOCUMENTS``, default ``./docket-documents``)
as ``<case>/<sha256 prefix>-<name>``; the ``case_documents`` row keeps the name, size, full
SHA-256 and the stored path relative to that folder. Everything is checked before a byte is
written, so a refused upload changes nothing; the same bytes under the same name are stored
once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from pathlib import Path

from engine.domain.models import Case, CaseDocument
from engine.domain.operations.cases import get_case
from engine.domain.unit import DomainError, Unit

DOCUMENTS_ENV = "DOCKET_DOCUMENTS"
LIMIT_ENV = "DOCKET_DOCUMENT_MAX_BYTES"
DEFAULT_FOLDER = "docket-documents"
DEFAULT_LIMIT = 25 * 1024 * 1024

_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")


def folder() -> Path:
    """Where case documents are stored (``DOCKET_DOCUMENTS``, default ./docket-documents)."""
    return Path(os.environ.get(DOCUMENTS_ENV) or DEFAULT_FOLDER)


def limit() -> int:
    """The largest document accepted, in bytes (``DOCKET_DOCUMENT_MAX_BYTES``, 25 MiB)."""
    raw = os.environ.get(LIMIT_ENV)
    if not raw:
        return DEFAULT_LIMIT
    try:
        return int(raw)
    except ValueError:
        raise DomainError(f"{LIMIT_ENV} must be a number of bytes, got '{raw}'") from None


def _name(value: str | None) -> str:
    name = str(value or "").strip()
    if not name or name in (".", "..") or _UNSAFE_NAME.search(name) or len(name) > 200:
        raise DomainError(
            f"document name '{value}' is not a plain file name (no folders, 1 to 200 characters)"
        )
    return name


def _read(row: Case, name: str, path: str | None, content: str | None) -> bytes:
    if (path is None) == (content is None):
        raise DomainError(f"case '{row.id}': upload either a path or content (base64)")
    maximum = limit()
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise DomainError(f"case '{row.id}': no file at '{path}'")
        if source.stat().st_size > maximum:  # refuse before reading a large file into memory
            raise DomainError(f"document '{name}' is larger than the limit of {maximum} bytes")
        data = source.read_bytes()
    else:
        try:
            data = base64.b64decode(str(content), validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(f"document '{name}': content is not valid base64") from None
    if not data:
        raise DomainError(f"document '{name}' is empty")
    if len(data) > maximum:
        raise DomainError(f"document '{name}' is larger than the limit of {maximum} bytes")
    return data


def upload_case_document(
    unit: Unit,
    case: str,
    name: str | None = None,
    content: str | None = None,
    path: str | None = None,
) -> CaseDocument:
    """Attach a document to a case from base64 ``content`` or a file ``path``."""
    row = get_case(unit, case)
    name = _name(name if name is not None else Path(str(path or "")).name)
    data = _read(row, name, path, content)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(row.id.replace("/", "_")) / f"{digest[:16]}-{name}"
    target = folder() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)  # atomic: a crash never leaves half a document under its name
    document = CaseDocument(
        case_id=row.id,
        name=name,
        path=relative.as_posix(),
        size=len(data),
        sha256=digest,
        uploaded_at=unit.now,
    )
    unit.session.add(document)
    unit.session.flush()
    return document
