"""Builders shared by the agent tests: a small portfolio and config, an empty plan, waves as id lists."""

from __future__ import annotations

from datetime import UTC, datetime

from planning_core.domain import Application, Dependency, Phase, PhaseStatus, PlanningConfig, Portfolio
from planning_core.plan import PlanDocument

STARTED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def small_portfolio() -> Portfolio:
    """Five applications; crm must migrate no later than billing."""
    efforts = [("crm", 40), ("billing", 30), ("portal", 20), ("hr", 10), ("mail", 10)]
    return Portfolio(
        applications=[Application(application_id=i, name=f"App {i}", effort_hours=e) for i, e in efforts],
        dependencies=[Dependency(source_application_id="crm", target_application_id="billing")],
    )


def small_config() -> PlanningConfig:
    """Two applications and 60 effort hours per wave, no pilot wave."""
    return PlanningConfig(
        max_apps_per_wave=2, max_effort_hours_per_wave=60, pilot_wave=False, solver_time_limit_seconds=2
    )


def empty_plan(portfolio: Portfolio, config: PlanningConfig) -> PlanDocument:
    return PlanDocument(
        planning_flow_id="flow-1",
        client_account_id=1,
        engagement_id=1,
        current_phase=Phase.WAVE_PLANNING,
        phase_status=PhaseStatus.PENDING,
        phase_statuses={p: PhaseStatus.PENDING for p in Phase},
        planning_config=config,
        selected_applications=[a.application_id for a in portfolio.applications],
        created_at=STARTED,
    )


def waves_of(plan) -> list[list[str]]:  # noqa: ANN001
    """Application ids per wave, in wave order."""
    return [
        [a.application_id for a in w.applications] for w in sorted(plan.waves, key=lambda w: w.wave_number)
    ]
