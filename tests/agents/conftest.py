"""Fixtures: the OpenAI-compatible stand-in on loopback, settings pointing at it, and a small plan."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agents_support import empty_plan, small_config, small_portfolio  # noqa: E402
from standin import StandIn  # noqa: E402

from planning_core.domain import (  # noqa: E402
    RUNNABLE_PHASES,
    PhaseStatus,
    Portfolio,
)
from planning_core.plan import PlanDocument  # noqa: E402
from planning_core.service.phases import PHASE_DOCUMENT, run_engine  # noqa: E402
from planning_core.settings import Settings  # noqa: E402


@pytest.fixture(scope="session")
def standin() -> Iterator[StandIn]:
    """One stand-in server for the session; each test scripts it with reset()."""
    server = StandIn().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm_settings(standin: StandIn) -> Settings:
    """Settings that point CrewAI's OpenAI-compatible client at the stand-in (short timeout, 1 retry)."""
    return Settings(
        llm_model="openai/standin-model",
        llm_base_url=standin.base_url,
        llm_api_key="test-key",
        llm_timeout_s=0.5,
        llm_max_retries=1,
    )


@pytest.fixture(scope="session")
def computed() -> tuple[PlanDocument, Portfolio]:
    """The small plan with every phase computed by its engine (no agent)."""
    portfolio = small_portfolio()
    plan = empty_plan(portfolio, small_config())
    for phase in RUNNABLE_PHASES:
        setattr(plan, PHASE_DOCUMENT[phase], run_engine(plan, portfolio, phase))
        plan.phase_statuses[phase] = PhaseStatus.COMPLETED
    return plan, portfolio
