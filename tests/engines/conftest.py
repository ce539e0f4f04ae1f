"""Builders for hand-made phase inputs shared by the engine tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from planning_core.domain import Portfolio
from planning_core.engines.waves.models import Wave, WaveAssignment, WavePlan, WavePlanSummary

WavePlanBuilder = Callable[[Portfolio, dict[int, list[str]]], WavePlan]


def build_wave_plan(portfolio: Portfolio, waves: dict[int, list[str]]) -> WavePlan:
    """A wave plan that puts the named applications in the given waves, as the wave planner would."""
    apps = portfolio.by_id()
    built = [
        Wave(
            wave_number=number,
            name=f"Wave {number}",
            applications=[
                WaveAssignment(
                    application_id=app_id,
                    name=apps[app_id].name,
                    six_r_strategy=apps[app_id].six_r_strategy,
                    complexity=apps[app_id].complexity,
                    business_criticality=apps[app_id].business_criticality,
                    effort_hours=apps[app_id].effort,
                )
                for app_id in ids
            ],
        )
        for number, ids in sorted(waves.items())
    ]
    placed = {app_id for ids in waves.values() for app_id in ids}
    return WavePlan(
        waves=built,
        summary=WavePlanSummary(
            total_waves=len(built),
            total_applications=len(portfolio.applications),
            migrated_applications=len(placed),
            not_migrated_applications=len(portfolio.applications) - len(placed),
            total_effort_hours=round(sum(w.total_effort_hours for w in built), 1),
            effort_capacity_hours=0.0,
            max_apps_per_wave=max((len(ids) for ids in waves.values()), default=0),
        ),
    )


@pytest.fixture(scope="session")
def wave_plan_of() -> WavePlanBuilder:
    """The builder, as a fixture (test modules cannot import each other in importlib mode)."""
    return build_wave_plan
