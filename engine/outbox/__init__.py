"""The outbox layer: the side-effect queue, the relay, the contact policy, connectors' routing.

Rooms: ``api`` (the connector contract; connectors import only it), ``registry`` (connector
types), ``routing`` (the ``connectors:`` section, checked and instantiated), ``policy`` (the
contact-policy guard), ``relay`` (sending due messages once each), ``admin`` (list, show,
retry, cancel), ``secrets``, ``errors``. Outer layers import from this face.
"""

from engine.outbox import admin, policy, routing
from engine.outbox.errors import OutboxError, UnknownConnector
from engine.outbox.relay import LEASE_SECONDS, relay_once

__all__ = [
    "LEASE_SECONDS",
    "OutboxError",
    "UnknownConnector",
    "admin",
    "policy",
    "relay_once",
    "routing",
]
