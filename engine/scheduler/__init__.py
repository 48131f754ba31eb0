"""The scheduler layer: date sweeps, the daily cycle, durable waits, versions, APScheduler.

Public entry points (import them from their modules, named in ``__all__``; this package
imports nothing, so no module here pulls another in by accident):

- ``engine.scheduler.sweep.sweep(engine, day)`` — set-based date sweep with catch-up;
- ``engine.scheduler.jobs.run_day(engine, day)`` / ``run_due(engine)`` — the fixed jobs,
  ``DAILY_HOOKS`` / ``daily_hook`` for daily work of later modules;
- ``engine.scheduler.versions`` — which RuleSet version runs, the one place that switches
  it: ``switch(engine, root)``, ``adopt(engine)`` (``on_change``), ``open_published(db_url)``
  and ``follow(engine)``;
- ``engine.scheduler.service.SchedulerService(engine).start()`` / ``shutdown()`` — the
  embedded APScheduler 3 wiring (two fixed jobs, never one per case);
- ``engine.scheduler.explain.explain(session, ruleset, today, account=|case=)`` — what
  ``docket explain`` shows: the runtime's events and traces, and each date trigger's story
  (fired, skipped, upcoming, pending, never); ``arming`` — since when each trigger is swept;
  ``changes`` — the subjects whose dates were written since the last sweep.
"""

__all__ = [
    "arming",
    "changes",
    "errors",
    "explain",
    "jobs",
    "service",
    "settlements",
    "sweep",
    "versions",
]
