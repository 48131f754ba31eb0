"""The API's routers, by area."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router, the operations one built from the registry as it is now."""
    from engine.api.routers import admin, events, operations, outbox, records, traces, work

    return [
        events.router,
        operations.build_router(),
        records.router,
        traces.router,
        work.router,
        outbox.router,
        admin.router,
    ]
