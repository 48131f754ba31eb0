"""The connector API: what a connector receives, returns and raises. Imports nothing else.

A connector *type* is a class (built in, or a third party's through the entry-point group
``docket.connectors``) with a ``name``, the ``channels`` it serves by default, a JSON Schema
for its ``settings`` and ``deduplicates`` (True when sending twice with the same idempotency
key delivers once: an HTTP API honouring ``Idempotency-Key``, a file named by the key, an
email whose Message-ID is the key). The relay builds one instance per configured connector
with its settings (secrets already read from the environment) and calls ``send``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

ENTRY_POINT_GROUP = "docket.connectors"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a message goes to: a party (id, name, roles) and the address for its channel."""

    party: str | None
    name: str | None
    address: str | None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    """One outbox message as a connector sees it (no database object leaks out)."""

    id: int
    channel: str
    recipient: Recipient
    template: str | None = None
    subject: str | None = None  # email subject (from the template's ``{# subject: … #}``)
    body: str | None = None  # the rendered template: HTML or text
    payload: Mapping[str, Any] = field(default_factory=dict)  # step parameters (url, body…)
    account: str | None = None
    case: str | None = None
    client: str | None = None
    created_on: date | None = None
    today: date | None = None  # the relay's business date (daily print batches)


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of delivery: the provider's id (SMTP queue id, SMS id, file path) and a note."""

    id: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectorContext:
    """Where a connector runs: the agency, the configuration root and the working folder."""

    agency: str
    timezone: str
    config_root: Path
    workdir: Path


class ConnectorError(Exception):
    """A send that failed. Subclasses say whether trying again can help."""

    permanent: ClassVar[bool] = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the other side asked us to wait


class TransientError(ConnectorError):
    """Try again later: connection refused or reset, a timeout, HTTP 5xx/429, SMTP 4xx."""


class PermanentError(ConnectorError):
    """Trying again cannot help: HTTP 4xx, an invalid address, SMTP 5xx. Dead letter at once."""

    permanent = True


@runtime_checkable
class Connector(Protocol):
    """The one call the relay makes. Raise TransientError/PermanentError on failure."""

    def send(self, message: Message, idempotency_key: str) -> Receipt: ...


@runtime_checkable
class BatchConnector(Protocol):
    """Optional: many messages in one call (a print batch: one PDF for many letters).

    The relay hands over up to ``batch_size`` messages of one connector, each already marked
    ``sending``; the answer holds, in the same order, each message's ``Receipt`` or the
    ``ConnectorError`` it failed with. ``send`` still serves a single message.
    """

    batch_size: int

    def send_batch(
        self, items: Sequence[tuple[Message, str]]
    ) -> Sequence[Receipt | ConnectorError]: ...


@runtime_checkable
class Reconciler(Protocol):
    """Optional: after a crash between sending and recording, ask the other side.

    Return a Receipt when the message was delivered, None when it was not (the relay sends it
    again); raise ConnectorError when the other side cannot tell yet.
    """

    def reconcile(self, message: Message, idempotency_key: str) -> Receipt | None: ...


class ConnectorType(Protocol):
    """What the registry holds: a class (or factory) plus its description."""

    name: str
    channels: tuple[str, ...]
    settings_schema: Mapping[str, Any]
    deduplicates: bool

    def __call__(self, settings: Mapping[str, Any], context: ConnectorContext) -> Connector: ...
