"""Email over SMTP: STARTTLS (587), implicit TLS (465) or plain, with optional login.

The Message-ID is derived from the idempotency key, so a copy can be recognised; but an
ordinary mail server delivers a repeat all the same, so the type does not declare
``deduplicates``: after a crash between sending and recording, the message waits in doubt
for an admin instead of going out again. Failures are classified the
SMTP way: 4xx replies and broken connections are transient, 5xx replies (an unknown
mailbox, a refused sender, bad credentials) are permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from connectors._email import build_email
from engine.outbox.api import (
    ConnectorContext,
    ConnectorError,
    Message,
    PermanentError,
    Receipt,
    TransientError,
)

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _by_code(code: int, text: str) -> ConnectorError:
    return TransientError(text) if 400 <= code < 500 else PermanentError(text)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {' '.join(text.split())}"


class SmtpConnector:
    """Emails (channel ``email``) through an SMTP server."""

    name: ClassVar[str] = "smtp"
    channels: ClassVar[tuple[str, ...]] = ("email",)
    deduplicates: ClassVar[bool] = False  # mail servers deliver a repeated Message-ID
    settings_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "host": {"type": "string", "minLength": 1},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "security": {"enum": ["starttls", "ssl", "none"], "default": "starttls"},
            "username": {"type": "string"},
            "password": {"type": "string", "description": "${SMTP_PASSWORD}"},
            "from": {"type": "string", "minLength": 3, "description": "Sender address."},
            "reply_to": {"type": "string"},
            "timeout": {"type": "number", "exclusiveMinimum": 0, "default": 30},
            "ca_file": {"type": "string", "description": "CA bundle for a private server."},
            "verify": {"type": "boolean", "default": True},
            "local_hostname": {"type": "string"},
        },
        "required": ["host", "from"],
        "dependentRequired": {"username": ["password"]},
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        self.host = str(settings["host"])
        self.security = str(settings.get("security", "starttls"))
        self.port = int(settings.get("port") or DEFAULT_PORTS[self.security])
        self.username = settings.get("username")
        self.password = settings.get("password")
        self.sender = str(settings["from"])
        self.reply_to = settings.get("reply_to")
        self.timeout = float(settings.get("timeout", 30))
        self.local_hostname = settings.get("local_hostname")
        ca_file = settings.get("ca_file")
        if ca_file and not Path(ca_file).is_absolute():
            ca_file = str(context.config_root / ca_file)
        self.tls = ssl.create_default_context(cafile=ca_file)
        if not settings.get("verify", True):
            self.tls.check_hostname = False
            self.tls.verify_mode = ssl.CERT_NONE

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self.tls,
            )
        return smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        email = build_email(message, idempotency_key, self.sender, self.reply_to)
        where = f"{self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.tls)
                if self.username:
                    smtp.login(str(self.username), str(self.password))
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
            refusal = f"{where} refused {message.recipient.address}: {code} {reply}"
            raise _by_code(code, refusal) from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"{where} answered {_reply(exc)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentError(f"{where}: {exc}") from exc
        except ssl.SSLCertVerificationError as exc:
            untrusted = f"{where}: TLS certificate not trusted: {exc.verify_message}"
            raise PermanentError(untrusted) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientError(f"cannot reach {where}: {type(exc).__name__}: {exc}") from exc
        return Receipt(email["Message-ID"], f"accepted by {where}")
