"""The dispatch tests run under both scopes of an event's work: batched, and one at a time."""

from __future__ import annotations

import pytest


@pytest.fixture(params=[True, False], ids=["batched", "one-event"])
def batched(request: pytest.FixtureRequest) -> bool:
    """Whether the engine drains the inbox in batches (True) or one event per transaction."""
    return bool(request.param)
