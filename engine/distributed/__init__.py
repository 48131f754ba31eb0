"""The distributed mode: procrastinate workers on PostgreSQL (DESIGN §8).

``schema`` sets a database up for workers (procrastinate's tables and the inbox trigger that
defers one job per subject with every pending event, in the event's own transaction);
``work`` holds the job bodies a worker runs, on the configuration version published in the
database (``engine.scheduler.versions.open_published`` and ``follow``); ``app`` registers
them as procrastinate tasks and periodic tasks.
"""

__all__ = ["app", "errors", "schema", "work"]
