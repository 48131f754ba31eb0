"""The ``docket`` command (``engine.cli.main:cli``); its commands live in ``commands_*``."""

__all__ = ["main"]
