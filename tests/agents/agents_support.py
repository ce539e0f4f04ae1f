"""Builders shared by the agent tests: a small portfolio and config, an empty plan."""

from __future__ import annotations

from datetime import UTC, datetime

from planning_core.domain import Phase, PhaseStatus, PlanningConfig, Portfolio
from planning_core.plan import PlanDocument
from tests.builders import app, precedes

STARTED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def small_portfolio() -> Portfolio:
    """Five applications; crm must migrate no later than billing."""
    efforts = [("crm", 40), ("billing", 30), ("portal", 20), ("hr", 10), ("mail", 10)]
    return Portfolio(
        applications=[app(i, e) for i, e in efforts],
        dependencies=[precedes("crm", "billing")],
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
