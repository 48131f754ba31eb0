"""Fixtures for the settlement tests: the sample agency on a fresh database per backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.config import load_ruleset
from engine.config.model import RuleSet
from engine.domain.clock import SimulatedClock
from engine.runtime.engine import Engine
from tests.settlements.helpers import REPO, START


@pytest.fixture(scope="session")
def sample_ruleset() -> RuleSet:
    """The sample agency (rules/ and action_paths/ at the repository root), loaded once."""
    return load_ruleset(REPO)


@pytest.fixture
def engine(db_url: str, sample_ruleset: RuleSet) -> Iterator[Engine]:
    """The sample agency on a fresh database; the clock stands on Monday 4 May 2026."""
    made = Engine(sample_ruleset, db_url, clock=SimulatedClock(START, "America/Chicago"))
    yield made
    made.close()
