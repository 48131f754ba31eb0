"""The outbox folder: every message as a file under ``./docket-outbox``, the default connector.

With nothing configured, Docket still "sends": emails become ``.eml`` files (open them in any
mail client), letters ``.pdf`` files, SMS, webhooks and calls ``.json`` files, reports
``.html`` — one folder per channel, each file named by the message's idempotency key, so a
message sent twice is written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, ClassVar

from connectors._email import build_email
from connectors._files import write_once
from connectors._http import plain_json
from connectors._pdf import letter_html
from connectors._printer import Printer
from engine.outbox.api import ConnectorContext, Message, Receipt

DEFAULT_FOLDER = "docket-outbox"


class FolderConnector:
    """Writes each message to ``<path>/<channel>/<key>.<eml|pdf|html|json>``."""

    name: ClassVar[str] = "folder"
    channels: ClassVar[tuple[str, ...]] = ("*",)
    deduplicates: ClassVar[bool] = True  # by file name
    settings_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "minLength": 1, "default": DEFAULT_FOLDER},
            "from": {"type": "string", "description": "From address of the .eml files."},
        },
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        folder = Path(str(settings.get("path", DEFAULT_FOLDER)))
        self.folder = folder if folder.is_absolute() else context.workdir / folder
        self.sender = str(settings.get("from") or f"{context.agency} <outbox@docket.invalid>")
        self.context = context
        self.printer = Printer(context.config_root)

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        folder = self.folder / message.channel
        if message.channel == "email":
            path = folder / f"{idempotency_key}.eml"
            if not path.exists():
                write_once(path, build_email(message, idempotency_key, self.sender).as_bytes())
        elif message.channel == "letter":
            path = folder / f"{idempotency_key}.pdf"
            if not path.exists():
                html = letter_html(message, idempotency_key, agency=self.context.agency)
                write_once(path, self.printer.pdf(html)[0])
        elif message.channel == "report":
            path = folder / f"{idempotency_key}.html"
            write_once(path, (message.body or "").encode())
        else:
            path = folder / f"{idempotency_key}.json"
            doc = {"key": idempotency_key, **asdict(message)}
            write_once(path, json.dumps(doc, default=plain_json, indent=2).encode())
        return Receipt(str(path), f"written to {path.parent}")
