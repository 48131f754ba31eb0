"""A fax connector for Docket, written against the public connector API only.

It "faxes" by appending a line to a journal file. It cannot deduplicate (a fax machine
prints what it gets), so after a crash Docket asks ``reconcile``, which reads the journal to
tell whether the fax went out. For the crash tests: ``send`` touches ``<journal>.started``
and, while ``hang_file`` exists, hangs before or after faxing (``hang_stage``), so a test can
kill the relay there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from engine.outbox.api import ConnectorContext, Message, PermanentError, Receipt


class FaxConnector:
    name = "fax"
    channels = ("letter",)
    deduplicates = False
    settings_schema: Mapping[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "journal": {"type": "string"},
            "hang_file": {"type": "string"},
            "hang_stage": {"enum": ["before", "after"]},
            "station_token": {"type": "string", "pattern": "^ST-"},
        },
        "required": ["journal"],
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        self.journal = context.workdir / str(settings["journal"])
        hang = settings.get("hang_file")
        self.hang = context.workdir / str(hang) if hang else None
        self.stage = settings.get("hang_stage", "after")

    def _entries(self) -> list[dict[str, Any]]:
        if not self.journal.exists():
            return []
        return [json.loads(line) for line in self.journal.read_text().splitlines() if line]

    def _wait(self, stage: str) -> None:
        while self.hang is not None and self.stage == stage and self.hang.exists():
            time.sleep(0.05)

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        if not message.recipient.name:
            raise PermanentError("a fax needs a recipient name")
        self.journal.with_suffix(".started").touch()
        self._wait("before")
        with self.journal.open("a") as out:
            out.write(json.dumps({"key": idempotency_key, "to": message.recipient.name}) + "\n")
        self._wait("after")
        return Receipt(f"fax-{len(self._entries())}", "faxed")

    def reconcile(self, message: Message, idempotency_key: str) -> Receipt | None:
        for number, entry in enumerate(self._entries(), start=1):
            if entry["key"] == idempotency_key:
                return Receipt(f"fax-{number}", "found in the fax journal")
        return None
