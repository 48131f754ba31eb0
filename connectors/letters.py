"""Letters for a print vendor: one PDF per letter in a daily batch folder, and a CSV manifest.

``folder/2026-05-21/<idempotency key>.pdf`` and ``folder/2026-05-21/manifest.csv`` (one row
per letter: key, file, pages, recipient, name, address, template, account, case, client).
The file name is the key: a letter sent again into the same day's batch finds its PDF and its
manifest row already there and is not written twice. The vendor, though, prints whatever
batch it picks up, and a letter sent again on another day lands in another batch; so the type
does not declare ``deduplicates``: after a crash between writing and recording, the letter
waits in doubt for an admin.
"""

from __future__ import annotations

import csv
import fcntl
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from connectors._files import write_once
from connectors._pdf import letter_html, render_pdf
from engine.outbox.api import ConnectorContext, Message, PermanentError, Receipt

MANIFEST = "manifest.csv"
COLUMNS = (
    "key",
    "file",
    "pages",
    "recipient",
    "name",
    "address",
    "template",
    "account",
    "case",
    "client",
)


class PrintBatch:
    """Letters (channel ``letter``) as PDFs in a daily batch folder for the print vendor."""

    name: ClassVar[str] = "print_batch"
    channels: ClassVar[tuple[str, ...]] = ("letter",)
    deduplicates: ClassVar[bool] = False  # a vendor prints a repeat in another day's batch
    settings_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "folder": {"type": "string", "minLength": 1, "description": "Batch root folder."},
            "layout": {"type": "string", "description": "Page layout template (.j2/.html)."},
            "return_address": {"type": "string"},
            "page_size": {"enum": ["Letter", "A4", "Legal"], "default": "Letter"},
        },
        "required": ["folder"],
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        folder = Path(str(settings["folder"]))
        self.folder = folder if folder.is_absolute() else context.workdir / folder
        layout = settings.get("layout")
        self.layout = (context.config_root / str(layout)) if layout else None
        if self.layout is not None and not self.layout.is_file():
            raise ValueError(f"layout {layout} not found under {context.config_root}")
        self.return_address = settings.get("return_address")
        self.page_size = str(settings.get("page_size", "Letter"))
        self.agency = context.agency
        self.root = context.config_root

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        if not message.recipient.address:
            raise PermanentError(
                f"letter to {message.recipient.party or message.recipient.name} has no postal "
                "address"
            )
        day = message.today or message.created_on
        batch = self.folder / (day.isoformat() if day else "undated")
        pdf_path = batch / f"{idempotency_key}.pdf"
        if pdf_path.exists() and self._listed(batch, idempotency_key):
            return Receipt(str(pdf_path), f"batch {batch.name}, already in the manifest")
        html = letter_html(
            message,
            idempotency_key,
            agency=self.agency,
            layout=self.layout,
            return_address=self.return_address,
            page_size=self.page_size,
        )
        pdf, pages = render_pdf(html, self.root)
        write_once(pdf_path, pdf)  # after a crash the file may be there: it is kept as it is
        self._manifest(batch, message, idempotency_key, pdf_path.name, pages)
        return Receipt(str(pdf_path), f"batch {batch.name}, {pages} page(s)")

    @staticmethod
    def _listed(batch: Path, key: str) -> bool:
        path = batch / MANIFEST
        if not path.exists():
            return False
        with path.open(newline="", encoding="utf-8") as handle:
            return any(row and row[0] == key for row in csv.reader(handle))

    def _manifest(self, batch: Path, message: Message, key: str, name: str, pages: int) -> None:
        path = batch / MANIFEST
        batch.mkdir(parents=True, exist_ok=True)
        with path.open("a+", newline="", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two relays may append to one day's batch
            handle.seek(0)
            rows = list(csv.reader(handle))
            if any(row and row[0] == key for row in rows[1:]):
                return
            out = io.StringIO()
            writer = csv.writer(out)
            if not rows:
                writer.writerow(COLUMNS)
            recipient = message.recipient
            writer.writerow(
                [
                    key,
                    name,
                    pages,
                    recipient.party or "",
                    recipient.name or "",
                    ", ".join(line.strip() for line in (recipient.address or "").splitlines()),
                    message.template or "",
                    message.account or "",
                    message.case or "",
                    message.client or "",
                ]
            )
            handle.seek(0, 2)
            handle.write(out.getvalue())
