"""The runtime layer: the inbox, dispatch of events to triggers and runs, actions, traces.

Rooms, by stage: ``context`` (subjects, the views expressions see, conditions), ``dispatch``
(matching triggers, the fired-event ledger, runs and the path runner, suspension),
``batching`` (the inbox drain, the batched scope and its row writer), ``actions`` (the
registry and the built-in actions), ``traces`` (trace documents and the why-queries).
Outer layers import from this face.
"""

from engine.runtime.actions import BUILTINS, builtin_registry
from engine.runtime.actions.registry import Action, ActionRegistry, StepContext
from engine.runtime.batching.drain import ProcessStats
from engine.runtime.context.conditions import explain, failing_summary, holding_summary
from engine.runtime.context.subjects import Subject, context_for, resolve
from engine.runtime.dispatch.dispatcher import Dispatcher
from engine.runtime.dispatch.redrive import Retried
from engine.runtime.dispatch.runs import until_holds
from engine.runtime.engine import Engine, Submitted
from engine.runtime.errors import IdempotencyConflict, RetryRefused, RunFailed, StepFailed
from engine.runtime.once import Answer, Once, fingerprint, recall, remember
from engine.runtime.traces.queries import (
    account_events,
    case_events,
    event_detail,
    event_list,
    run_detail,
)

__all__ = [
    "BUILTINS",
    "Action",
    "ActionRegistry",
    "Answer",
    "Dispatcher",
    "Engine",
    "IdempotencyConflict",
    "Once",
    "ProcessStats",
    "Retried",
    "RetryRefused",
    "RunFailed",
    "StepContext",
    "StepFailed",
    "Subject",
    "Submitted",
    "account_events",
    "builtin_registry",
    "case_events",
    "context_for",
    "event_detail",
    "event_list",
    "explain",
    "failing_summary",
    "fingerprint",
    "holding_summary",
    "recall",
    "remember",
    "resolve",
    "run_detail",
    "until_holds",
]
