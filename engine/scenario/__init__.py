"""The scenario layer (DESIGN §10): scenario files, the simulated run, expectations, timeline.

``engine.scenario.runner.run_file(path)`` loads, runs and checks one scenario file and
returns a ``ScenarioResult``; ``docket test`` and ``docket simulate`` are built on it.
"""

__all__ = ["errors", "runner", "timeline"]
