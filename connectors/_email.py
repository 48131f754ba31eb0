"""One email built from an outbox message: the same for SMTP and the outbox folder."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from connectors._text import is_html, message_text
from engine.outbox.api import Message, PermanentError


def message_id(key: str, sender: str) -> str:
    """``<key@domain>``: derived from the idempotency key, so a re-send carries the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "docket.invalid"
    return f"<{key}@{domain}>"


def valid_address(address: str | None) -> bool:
    _name, addr = parseaddr(address or "")
    local, at, domain = addr.rpartition("@")
    return bool(at and local and "." in domain and " " not in addr)


def build_email(
    message: Message, key: str, sender: str, reply_to: str | None = None
) -> EmailMessage:
    """An RFC 5322 message: text and HTML parts, Message-ID from the key."""
    address = message.recipient.address
    if not valid_address(address):
        raise PermanentError(f"invalid email address {address!r} for {message.recipient.party}")
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.recipient.name or "", str(address)))
    email["Subject"] = message.subject or (message.template or "Message").replace("-", " ")
    email["Message-ID"] = message_id(key, sender)
    email["Date"] = format_datetime(datetime.now(UTC))
    email["X-Docket-Key"] = key
    if reply_to:
        email["Reply-To"] = reply_to
    email.set_content(message_text(message) + "\n")
    if is_html(message):  # a plain-text template's data never becomes markup
        email.add_alternative(f"<html><body>{message.body or ''}</body></html>", subtype="html")
    return email
