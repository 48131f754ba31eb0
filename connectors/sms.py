"""SMS through an HTTP gateway, in a generic JSON form or the Twilio form.

``form: json`` POSTs ``{"to", "from", "text", "reference"}`` to ``url`` with an optional
``Authorization: Bearer <api_key>``. ``form: twilio`` POSTs ``To``/``From``/``Body`` as a form
to ``{url}/2010-04-01/Accounts/{account_sid}/Messages.json`` with HTTP basic auth (account
SID and auth token) — Twilio and the gateways that copy its API. Both carry the idempotency
key in ``Idempotency-Key`` (and Twilio's ``I-Twilio-Idempotency-Token``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from connectors._http import TIMEOUT_SCHEMA, URL_SCHEMA, request
from connectors._text import message_text
from engine.outbox.api import ConnectorContext, Message, PermanentError, Receipt

PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,19}$")
TWILIO_URL = "https://api.twilio.com"


def _receipt_id(response: Any) -> str | None:
    try:
        found = response.json()
    except ValueError:
        return None
    if not isinstance(found, dict):
        return None
    for key in ("sid", "id", "message_id", "messageId"):
        if found.get(key):
            return str(found[key])
    return None


class SmsGateway:
    """Text messages (channel ``sms``) through an HTTP gateway."""

    name: ClassVar[str] = "sms_http"
    channels: ClassVar[tuple[str, ...]] = ("sms",)
    deduplicates: ClassVar[bool] = True
    settings_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "form": {"enum": ["json", "twilio"], "default": "json"},
            "url": {**URL_SCHEMA, "description": "Gateway endpoint (twilio: the API base)."},
            "from": {"type": "string", "minLength": 1, "description": "Sender number or id."},
            "api_key": {"type": "string", "description": "Bearer token (json): ${SMS_API_KEY}."},
            "account_sid": {"type": "string", "minLength": 1},
            "auth_token": {"type": "string", "description": "Twilio auth token: ${TWILIO_TOKEN}."},
            "timeout": {**TIMEOUT_SCHEMA, "default": 10},
        },
        "required": ["from"],
        "if": {"properties": {"form": {"const": "twilio"}}, "required": ["form"]},
        "then": {"required": ["account_sid", "auth_token"]},
        "else": {"required": ["url"]},
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        self.form = str(settings.get("form", "json"))
        self.url = str(settings.get("url") or TWILIO_URL).rstrip("/")
        self.sender = str(settings["from"])
        self.api_key = settings.get("api_key")
        self.sid = settings.get("account_sid")
        self.token = settings.get("auth_token")
        self.timeout = float(settings.get("timeout", 10))

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        number = (message.recipient.address or "").strip()
        if not PHONE.match(number):
            raise PermanentError(
                f"invalid phone number {number!r} for {message.recipient.party or 'recipient'}"
            )
        text = message_text(message)
        headers = {"Idempotency-Key": idempotency_key, "User-Agent": "Docket"}
        if self.form == "twilio":
            headers["I-Twilio-Idempotency-Token"] = idempotency_key
            response = request(
                "POST",
                f"{self.url}/2010-04-01/Accounts/{self.sid}/Messages.json",
                timeout=self.timeout,
                data={"To": number, "From": self.sender, "Body": text},
                auth=(str(self.sid), str(self.token)),
                headers=headers,
            )
        else:
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            body = {"to": number, "from": self.sender, "text": text, "reference": idempotency_key}
            response = request("POST", self.url, timeout=self.timeout, json=body, headers=headers)
        return Receipt(_receipt_id(response), f"HTTP {response.status_code}")
