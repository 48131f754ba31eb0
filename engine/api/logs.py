"""Structured logs: one JSON object per line (time, level, logger, message, extra fields)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from engine.domain.models.base import json_default

# LogRecord attributes that are not "extra" fields given by the caller.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "color_message", "taskName"}
)


class JsonFormatter(logging.Formatter):
    """Format records as JSON lines; ``extra={...}`` fields become members."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=json_default, ensure_ascii=False)


def configure(level: str = "info") -> None:
    """Send the docket, uvicorn and apscheduler loggers to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "apscheduler"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # The API writes its own access line (with route and token); uvicorn's would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
    # Libraries that narrate each unit of work at INFO (every job, every PDF's fonts):
    # warnings only, unless debugging.
    quiet = "DEBUG" if level.upper() == "DEBUG" else "WARNING"
    for name in ("apscheduler", "procrastinate", "fontTools", "weasyprint"):
        logging.getLogger(name).setLevel(quiet)


UVICORN_LOG_CONFIG: dict[str, Any] = {"version": 1, "disable_existing_loggers": False}
