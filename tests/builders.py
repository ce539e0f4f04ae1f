"""Builders for hand-made test inputs: applications, dependencies, planning configs and wave plans.

Import them (``from tests.builders import wave_plan``); the ``b`` and ``wave_plan_of`` fixtures of
tests/engines (waves included) hand out the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from planning_core.domain import Application, Dependency, DependencyType, PlanningConfig, Portfolio
from planning_core.engines.waves.models import Wave, WaveAssignment, WavePlan, WavePlanSummary

JACKSON_TIMES = [6, 2, 5, 7, 1, 2, 3, 6, 5, 5, 4]
JACKSON_ARCS = [
    (1, 2), (1, 3), (1, 4), (1, 5), (2, 6), (3, 7), (4, 7), (5, 7), (6, 8), (7, 9), (8, 10), (9, 11), (10, 11),
]  # fmt: skip


def app(app_id: str, effort: float | None = None, **fields: object) -> Application:
    """An application named "App <id>" (unless ``name`` is given) with a given effort."""
    values: dict[str, object] = {"application_id": app_id, "name": f"App {app_id}", "effort_hours": effort}
    return Application.model_validate(values | fields)


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


def wave_plan(
    portfolio: Portfolio, waves: Mapping[int, Sequence[str]], *, pinned: Iterable[str] = ()
) -> WavePlan:
    """A wave plan that puts the named applications in the given waves, as the wave planner would.

    An id the portfolio does not know gets a rehost placeholder with no effort (for tests of refused
    plans); ``pinned`` applications are locked in their wave.
    """
    apps = portfolio.by_id()
    locked = set(pinned)

    def assignment(app_id: str) -> WaveAssignment:
        known = apps.get(app_id)
        return WaveAssignment(
            application_id=app_id,
            name=known.name if known else app_id,
            six_r_strategy=known.six_r_strategy if known else "rehost",
            complexity=known.complexity if known else 5,
            business_criticality=known.business_criticality if known else "medium",
            effort_hours=known.effort if known else 0.0,
            pinned=app_id in locked,
        )

    built = [
        Wave(wave_number=number, name=f"Wave {number}", applications=[assignment(i) for i in ids])
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


def waves_of(plan: WavePlan) -> list[list[str]]:
    """Application ids per wave, in wave order."""
    return [
        [a.application_id for a in w.applications] for w in sorted(plan.waves, key=lambda w: w.wave_number)
    ]
