"""Case documents (ACE "Upload New File"): stored files with their size and SHA-256.

Files live under the documents folder (``DOCKET_DOCUMENTS``, default ``./docket-documents``)
as ``<case>/<sha256 prefix>-<name>``, any type, up to ``DOCKET_DOCUMENT_MAX_BYTES`` (25 MiB);
the ``case_documents`` row keeps the name, size, full SHA-256 and the stored path relative to
that folder. Reading, checking and storing are ``uploads``'s, shared with follow-up
attachments.
"""

from __future__ import annotations

from engine.domain.models import CaseDocument
from engine.domain.operations.cases.access import get_case
from engine.domain.operations.uploads import UploadKind
from engine.domain.unit import Unit

DOCUMENTS = UploadKind(
    noun="document",
    folder_env="DOCKET_DOCUMENTS",
    default_folder="docket-documents",
    limit_env="DOCKET_DOCUMENT_MAX_BYTES",
    default_limit=25 * 1024 * 1024,
)


def upload_case_document(
    unit: Unit,
    case: str,
    name: str | None = None,
    content: str | None = None,
    path: str | None = None,
) -> CaseDocument:
    """Attach a document to a case from base64 ``content`` or a file ``path``."""
    row = get_case(unit, case)
    name, data = DOCUMENTS.read(f"case '{row.id}'", name, path, content)
    stored = DOCUMENTS.store(row.id, name, data)
    document = CaseDocument(
        case_id=row.id,
        name=stored.name,
        path=stored.path,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_at=unit.now,
    )
    unit.session.add(document)
    unit.session.flush()
    return document
