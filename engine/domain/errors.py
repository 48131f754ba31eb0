"""The domain layer's errors: an operation refused, or what it names does not exist."""

from __future__ import annotations

from engine.errors import DocketError


class DomainError(DocketError):
    """An operation refused: the message names the object and the reason; nothing changed."""


class NotFound(DomainError):
    """What an operation names does not exist; the message names it."""


class StoreInUse(DocketError):
    """Another serving process holds the SQLite database (``store_lock``); the message names it."""


Path = tuple[str | int, ...]


class InvalidInput(DomainError):
    """A parameter's value has the wrong form (an id, an amount, a time zone): refused before
    anything is changed. ``path`` is where it was given among the parameters (``("amount",)``,
    ``("installments", 0, "amount")``), so each face can point at it: the API's field, the
    scenario file's line."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message)
        self.path: Path = (path,) if isinstance(path, str) else tuple(path)

    @property
    def field(self) -> str:
        """The path dotted, as the API names fields (``installments.0.amount``)."""
        return ".".join(str(part) for part in self.path)
