"""The outbox layer: the side-effect queue, the relay, connectors' routing.

Rooms: ``api`` (the connector contract; connectors import only it), ``registry`` (connector
types), ``routing`` (the ``connectors:`` section, checked and instantiated), ``relay``
(sending due messages once each, after the contact policy of
``engine.domain.contact_policy`` says yes again), ``admin`` (list, show, retry, cancel),
``secrets``, ``errors``, and ``validation`` (the connectors stage after the config's: what
``docket validate``, run, publish and every version switch check). Outer layers import from
this face.
"""

from engine.outbox import admin, routing
from engine.outbox.errors import OutboxError, UnknownConnector
from engine.outbox.relay import LEASE_SECONDS, relay_once
from engine.outbox.validation import validate

__all__ = [
    "LEASE_SECONDS",
    "OutboxError",
    "UnknownConnector",
    "admin",
    "relay_once",
    "routing",
    "validate",
]
