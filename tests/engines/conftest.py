"""The shared wave plan builder (tests/builders.py) as a fixture of the engine tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from planning_core.domain import Portfolio
from planning_core.engines.waves.models import WavePlan
from tests.builders import wave_plan

WavePlanBuilder = Callable[[Portfolio, dict[int, list[str]]], WavePlan]


@pytest.fixture(scope="session")
def wave_plan_of() -> WavePlanBuilder:
    """The builder, as a fixture."""
    return wave_plan
