"""Letters for a print vendor: daily batch folders, one PDF per batch, and a CSV manifest.

``folder/2026-05-21/batch-<key>.pdf`` holds the letters of one relay batch (up to
``batch_size``, named by its first letter's idempotency key) one after the other, and
``folder/2026-05-21/manifest.csv`` one row per letter: key, file, its first and last page in
that file, pages, recipient, name, address, template, account, case, client — the page
ranges print vendors take to cut a batch into envelopes. A letter whose key is already in
the day's manifest is not printed again. The vendor, though, prints whatever batch it picks
up, and a letter sent again on another day lands in another batch; so the type does not
declare ``deduplicates``: after a crash between writing and recording, the letter waits in
doubt for an admin.
"""

from __future__ import annotations

import csv
import fcntl
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from connectors._files import write_once
from connectors._pdf import letter_html
from connectors._printer import Printer
from engine.outbox.api import ConnectorContext, ConnectorError, Message, PermanentError, Receipt

MANIFEST = "manifest.csv"
COLUMNS = (
    "key",
    "file",
    "first_page",
    "last_page",
    "pages",
    "recipient",
    "name",
    "address",
    "template",
    "account",
    "case",
    "client",
)
Answer = Receipt | ConnectorError


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
            "batch_size": {
                "type": "integer",
                "minimum": 1,
                "maximum": 5000,
                "default": 200,
                "description": "Letters per relay call.",
            },
            "workers": {
                "type": "integer",
                "minimum": 1,
                "maximum": 32,
                "default": 1,
                "description": "Processes printing at once; a relay call's letters are split"
                " into one batch PDF per worker.",
            },
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
        self.layout_options: dict[str, Any] = {
            "agency": context.agency,
            "layout": self.layout,
            "return_address": settings.get("return_address"),
            "page_size": str(settings.get("page_size", "Letter")),
        }
        self.batch_size = int(settings.get("batch_size", 200))
        self.printer = Printer(context.config_root, int(settings.get("workers", 1)))

    def close(self) -> None:
        self.printer.close()

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        [answer] = self.send_batch([(message, idempotency_key)])
        if isinstance(answer, ConnectorError):
            raise answer
        return answer

    def send_batch(self, items: Sequence[tuple[Message, str]]) -> list[Answer]:
        """The letters of one relay batch: one PDF per business day they fall on."""
        answers: dict[int, Answer] = {}
        days: dict[str, list[int]] = {}
        for index, (message, _key) in enumerate(items):
            if not message.recipient.address:
                who = message.recipient.party or message.recipient.name
                answers[index] = PermanentError(f"letter to {who} has no postal address")
                continue
            when = message.today or message.created_on
            days.setdefault(when.isoformat() if when else "undated", []).append(index)
        for folder, indexes in days.items():
            answers.update(self._print(self.folder / folder, [(i, *items[i]) for i in indexes]))
        return [answers[index] for index in range(len(items))]

    def _print(self, batch: Path, letters: list[tuple[int, Message, str]]) -> dict[int, Answer]:
        listed = self._listed(batch)
        done = {
            i: Receipt(listed[k], f"batch {batch.name}, already in the manifest")
            for i, _m, k in letters
            if k in listed
        }
        todo = [(i, message, key) for i, message, key in letters if key not in listed]
        if not todo:
            return dict(done)
        share = -(-len(todo) // self.printer.workers)  # one batch PDF per worker
        groups = [todo[start : start + share] for start in range(0, len(todo), share)]
        pages = [[letter_html(m, key, **self.layout_options) for _i, m, key in g] for g in groups]
        answers: dict[int, Answer] = dict(done)
        for group, printed in zip(groups, self.printer.batches(pages), strict=True):
            pdf_path = batch / f"batch-{group[0][2]}.pdf"
            write_once(pdf_path, printed.pdf)  # after a crash the file may be there: kept
            placed = list(zip(group, printed.pages, strict=True))
            self._manifest(batch, pdf_path.name, [(m, k, a, b) for (_i, m, k), (a, b) in placed])
            for (index, _m, _key), (first, last) in placed:
                note = f"page {first}" if first == last else f"pages {first}-{last}"
                answers[index] = Receipt(str(pdf_path), f"batch {batch.name}, {note}")
        return answers

    @staticmethod
    def _listed(batch: Path) -> dict[str, str]:
        """The keys already in the day's manifest, with the file each was printed in."""
        path = batch / MANIFEST
        if not path.exists():
            return {}
        with path.open(newline="", encoding="utf-8") as handle:
            return {row["key"]: str(batch / row["file"]) for row in csv.DictReader(handle)}

    @staticmethod
    def _manifest(batch: Path, name: str, rows: list[tuple[Message, str, int, int]]) -> None:
        path = batch / MANIFEST
        batch.mkdir(parents=True, exist_ok=True)
        with path.open("a+", newline="", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two relays may append to one day's batch
            handle.seek(0)
            known = {row[0] for row in csv.reader(handle)}
            out = io.StringIO()
            writer = csv.writer(out)
            if not known:
                writer.writerow(COLUMNS)
            for message, key, first, last in rows:
                if key in known:
                    continue
                recipient = message.recipient
                address = ", ".join(line.strip() for line in (recipient.address or "").splitlines())
                writer.writerow(
                    [
                        key,
                        name,
                        first,
                        last,
                        last - first + 1,
                        recipient.party or "",
                        recipient.name or "",
                        address,
                        message.template or "",
                        message.account or "",
                        message.case or "",
                        message.client or "",
                    ]
                )
            handle.seek(0, 2)
            handle.write(out.getvalue())
