"""The outbox layer: the side-effect queue, the relay, connectors' routing.

Rooms: ``api`` (the connector contract; connectors import only it), ``registry`` (connector
types), ``routing`` (the ``connectors:`` section, checked and instantiated), ``relay``
(sending due messages once each, after the contact policy of
``engine.domain.contact_policy`` says yes again), ``messages`` (a row as a connector sees
it), ``outcomes`` (recording what a connector did, durably), ``recovery`` (messages a dead
relay left ``sending``: again by key, or in doubt), ``admin`` (list, show, retry, cancel),
``secrets``, ``errors``, and ``validation`` (the connectors stage after the config's: what
``docket validate``, run, publish and every version switch check). Outer layers import from
this face.
"""

from engine.outbox import admin, routing
from engine.outbox.errors import OutboxError, UnknownConnector
from engine.outbox.outcomes import Gate, Unrecorded
from engine.outbox.relay import LEASE_SECONDS, RelayReport, record_kept, relay_once
from engine.outbox.validation import validate

__all__ = [
    "LEASE_SECONDS",
    "Gate",
    "OutboxError",
    "RelayReport",
    "UnknownConnector",
    "Unrecorded",
    "admin",
    "record_kept",
    "relay_once",
    "routing",
    "validate",
]
