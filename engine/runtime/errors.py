"""The runtime's errors: an expression that failed, a step that could not do its work, and the
run it failed."""

from __future__ import annotations

from engine.errors import DocketError


class ExpressionFailed(DocketError):
    """An expression raised at run time; the message names the rule and the source."""


class StepFailed(DocketError):
    """A step could not do its work; the run fails and its trigger's changes roll back."""


class RunFailed(DocketError):
    """A run failed: its trigger's savepoint rolls back (the event's, in an optimistic batch,
    which is then redone), then the failure is recorded once, with the trigger, the path and
    where (the step and its file:line, or the condition)."""

    def __init__(self, message: str, trigger: str | None, path: str, where: str) -> None:
        super().__init__(message)
        self.trigger, self.path, self.where = trigger, path, where


class RetryRefused(DocketError):
    """An event cannot be re-driven: it is unknown (``unknown``) or not failed."""

    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown


class IdempotencyConflict(DocketError):
    """An Idempotency-Key already answered a different request (``key`` names it)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key
