"""The HTTP API (DESIGN §9): ``create_app(engine_or_settings)``."""

from __future__ import annotations

from engine.api.app import create_app
from engine.api.state import ApiSettings

__all__ = ["ApiSettings", "create_app"]
