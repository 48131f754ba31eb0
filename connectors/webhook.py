"""Webhooks: the step's JSON body POSTed (or PUT/PATCH) with an HMAC-SHA256 signature.

The receiver checks ``X-Docket-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw body
under the shared secret, and deduplicates by ``Idempotency-Key`` (the same on every re-send).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from connectors._http import TIMEOUT_SCHEMA, URL_SCHEMA, plain_json, request
from engine.outbox.api import ConnectorContext, Message, PermanentError, Receipt

SIGNATURE_HEADER = "X-Docket-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookConnector:
    """``call_webhook`` steps: to the step's URL, or to ``url`` when the settings fix one."""

    name: ClassVar[str] = "webhook"
    channels: ClassVar[tuple[str, ...]] = ("webhook",)
    deduplicates: ClassVar[bool] = True
    settings_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "url": {**URL_SCHEMA, "description": "Send every webhook here (default: the step's)."},
            "secret": {"type": "string", "description": "HMAC key: ${WEBHOOK_SECRET}."},
            "signature_header": {"type": "string", "default": SIGNATURE_HEADER},
            "timeout": {**TIMEOUT_SCHEMA, "default": 10},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }

    def __init__(self, settings: Mapping[str, Any], context: ConnectorContext) -> None:
        self.url = settings.get("url")
        self.secret = settings.get("secret")
        self.header = str(settings.get("signature_header", SIGNATURE_HEADER))
        self.timeout = float(settings.get("timeout", 10))
        self.headers = dict(settings.get("headers") or {})
        self.agency = context.agency

    def send(self, message: Message, idempotency_key: str) -> Receipt:
        url = self.url or message.payload.get("url") or message.recipient.address
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise PermanentError(f"webhook has no http(s) URL (got {url!r})")
        body = message.payload.get("body", {})
        raw = json.dumps(body, default=plain_json, sort_keys=True).encode()
        headers = {
            **self.headers,
            **dict(message.payload.get("headers") or {}),
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
            "User-Agent": "Docket",
        }
        if self.secret:
            headers[self.header] = sign(self.secret, raw)
        method = str(message.payload.get("method") or "POST").upper()
        response = request(method, url, timeout=self.timeout, data=raw, headers=headers)
        return Receipt(response.headers.get("X-Request-Id"), f"HTTP {response.status_code}")
