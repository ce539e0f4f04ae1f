"""Small builders for hand-made wave planning cases (the `b` fixture)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from planning_core.domain import Application, Dependency, DependencyType, PlanningConfig, Portfolio
from planning_core.engines.waves.models import Wave, WaveAssignment, WavePlan, WavePlanSummary

JACKSON_TIMES = [6, 2, 5, 7, 1, 2, 3, 6, 5, 5, 4]
JACKSON_ARCS = [
    (1, 2), (1, 3), (1, 4), (1, 5), (2, 6), (3, 7), (4, 7), (5, 7), (6, 8), (7, 9), (8, 10), (9, 11), (10, 11),
]  # fmt: skip


def app(app_id: str, effort: float, **fields: object) -> Application:
    """An application with a given effort."""
    return Application(application_id=app_id, name=f"App {app_id}", effort_hours=effort, **fields)


def precedes(source: str, target: str, weight: float = 1.0) -> Dependency:
    """source migrates no later than target."""
    return Dependency(source_application_id=source, target_application_id=target, weight=weight)


def together(a: str, b: str, weight: float = 1.0) -> Dependency:
    """a and b move in the same wave."""
    return Dependency(
        source_application_id=a,
        target_application_id=b,
        dependency_type=DependencyType.MOVE_TOGETHER,
        weight=weight,
    )


def config(
    capacity: float, max_apps: int = 10_000, *, pilot: bool = False, **fields: object
) -> PlanningConfig:
    """A planning config with an explicit effort cap per wave."""
    return PlanningConfig(
        max_apps_per_wave=max_apps, max_effort_hours_per_wave=capacity, pilot_wave=pilot, **fields
    )


def jackson() -> Portfolio:
    """Jackson's 11-task assembly line (Scholl's data set), as a portfolio."""
    apps = [app(f"T{i}", t) for i, t in enumerate(JACKSON_TIMES, start=1)]
    deps = [precedes(f"T{a}", f"T{b}") for a, b in JACKSON_ARCS]
    return Portfolio(applications=apps, dependencies=deps)


def waves_of(plan) -> list[list[str]]:  # noqa: ANN001
    """Application ids per wave, in wave order."""
    return [
        [a.application_id for a in w.applications] for w in sorted(plan.waves, key=lambda w: w.wave_number)
    ]


def make_plan(portfolio: Portfolio, waves: dict[int, list[str]], *, pinned: tuple[str, ...] = ()) -> WavePlan:
    """A hand-written plan: the named applications in the given waves."""
    apps = portfolio.by_id()
    built = [
        Wave(
            wave_number=k,
            name=f"Wave {k}",
            applications=[
                WaveAssignment(
                    application_id=i,
                    name=apps[i].name if i in apps else i,
                    six_r_strategy=apps[i].six_r_strategy if i in apps else "rehost",
                    complexity=apps[i].complexity if i in apps else 5,
                    business_criticality=apps[i].business_criticality if i in apps else "medium",
                    effort_hours=apps[i].effort if i in apps else 0.0,
                    pinned=i in pinned,
                )
                for i in ids
            ],
        )
        for k, ids in sorted(waves.items())
    ]
    summary = WavePlanSummary(
        total_waves=len(built),
        total_applications=len(portfolio.applications),
        migrated_applications=0,
        not_migrated_applications=0,
        total_effort_hours=0.0,
        effort_capacity_hours=0.0,
        max_apps_per_wave=1,
    )
    return WavePlan(waves=built, summary=summary)


@pytest.fixture
def b() -> SimpleNamespace:
    """The builders above, for the tests of this folder."""
    return SimpleNamespace(
        app=app,
        precedes=precedes,
        together=together,
        config=config,
        jackson=jackson,
        waves_of=waves_of,
        make_plan=make_plan,
    )
