"""One capacity truth through the flow (issue 15), on SQLite and Postgres: the timeline phase gives the
allocation its utilisation from the schedule and lists the schedule's hard violations on the wave plan,
and the stored resource_pools rows show the same numbers as the plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from planning_core.domain import Application, Phase, PhaseStatus, Portfolio, SixR
from planning_core.errors import InvalidInput
from planning_core.service import capacity
from planning_core.service.flow import PlanningService
from tests.conftest import make_tenant


def _portfolio(big_effort: float) -> Portfolio:
    return Portfolio(
        applications=[
            Application(
                application_id="big", name="Big", six_r_strategy=SixR.REFACTOR, effort_hours=big_effort
            ),
            Application(application_id="small", name="Small", effort_hours=40.0),
        ]
    )


def _config() -> dict:
    """One developer and one engineer: a refactor's hours decide how long its wave lasts."""
    pool = {"capacity_hours_per_week": 40, "hourly_rate": 100, "currency": "USD", "skills": []}
    return {
        "max_apps_per_wave": 1,
        "wave_duration_limit_days": 30,
        "pilot_wave": False,
        "resource_pools": [
            {"role": "developer", "headcount": 1, **pool},
            {"role": "migration_engineer", "headcount": 1, **pool},
            {"role": "tester", "headcount": 1, **pool},
            {"role": "project_manager", "headcount": 1, **pool},
        ],
    }


def _plan(database, tenant, big_effort: float):
    service = PlanningService(database, tenant)
    service.import_portfolio(_portfolio(big_effort))
    return service, service.initialize(selected_application_ids=["big", "small"], config=_config())


def _pct(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_wave_over_the_duration_limit_is_a_hard_violation_on_the_wave_plan(database, tenant) -> None:
    _service, plan = _plan(database, tenant, big_effort=2000.0)
    over = [v for v in plan.wave_plan.violations if v.constraint == "wave_duration"]
    assert [(v.hard, v.wave_numbers, v.application_ids) for v in over] == [
        (True, [plan.wave_plan.wave_of()["big"]], ["big"])
    ]
    assert plan.phase_statuses[Phase.COMPLETED] != PhaseStatus.COMPLETED


def test_waves_within_the_limit_carry_no_schedule_violation(database, tenant) -> None:
    _service, plan = _plan(database, tenant, big_effort=40.0)
    assert [v for v in plan.wave_plan.violations if v.hard] == []
    assert plan.phase_statuses[Phase.COMPLETED] == PhaseStatus.COMPLETED


def test_utilisation_comes_from_the_schedule_and_the_pool_rows_agree(database, tenant) -> None:
    _service, plan = _plan(database, tenant, big_effort=40.0)
    allocation = plan.resource_allocation
    assert allocation.utilisation_source == "schedule"
    weekly = {}
    for load in plan.timeline.resource_load:
        weekly.setdefault(load.role, [0.0, 0.0])
        weekly[load.role][0] += load.hours
        weekly[load.role][1] += load.capacity_hours
    by_role = {u.role: u for u in allocation.utilisation_by_role}
    assert {r: (round(u.scheduled_hours, 6), round(u.capacity_hours, 6)) for r, u in by_role.items()} == {
        r: (round(h, 6), round(c, 6)) for r, (h, c) in weekly.items()
    }
    with database.unit_of_work(tenant) as repo:
        rows = repo.plans.resource_pool_rows(plan.planning_flow_id)
    assert {r["role_name"]: Decimal(r["utilization_percentage"]) for r in rows} == {
        role: _pct(by_role[role].utilisation_pct) if role in by_role else Decimal("0.00")
        for role in (p.role for p in plan.planning_config.resource_pools)
    }


def test_a_wave_not_before_date_is_honoured_audited_and_survives_replanning(database, tenant) -> None:
    service, plan = _plan(database, tenant, big_effort=40.0)
    wave = plan.wave_plan.wave_of()["small"]
    not_before = plan.timeline.start_date + timedelta(days=60)
    handle = service.edit_waves(
        plan.planning_flow_id,
        plan.version,
        "set_wave_dates",
        reason="Change freeze until the audit",
        wave_number=wave,
        not_before=not_before,
    )
    edited = handle.plan
    window = {w.wave_number: w for w in edited.timeline.waves}[wave]
    assert (window.not_before, window.start >= not_before) == (not_before, True)
    assert service.revisions(plan.planning_flow_id)[-1].summary.startswith("Change freeze")
    replanned = service.run_all(plan.planning_flow_id)
    assert {w.wave_number: w.not_before for w in replanned.wave_plan.waves}[wave] == not_before


def test_wave_dates_that_contradict_each_other_are_refused_and_change_nothing(database, tenant) -> None:
    service, plan = _plan(database, tenant, big_effort=40.0)
    start = plan.planning_config.migration_start_date
    for dates in (
        {"not_before": start + timedelta(days=30), "fixed_cutover": start + timedelta(days=10)},
        {"not_before": start - timedelta(days=1)},
    ):
        with pytest.raises(InvalidInput):
            service.edit_waves(
                plan.planning_flow_id, plan.version, "set_wave_dates", reason="", wave_number=1, **dates
            )
    assert service.get_plan(plan.planning_flow_id).version == plan.version


def test_team_for_a_deadline_is_found_applied_and_refused_when_out_of_reach(database) -> None:
    admin = make_tenant(database, "team", user_id="team-admin", role="admin")  # pools need the admin role
    service, plan = _plan(database, admin, big_effort=400.0)
    end = capacity.earliest_end(service, plan.planning_flow_id)
    assert end == plan.timeline.end_date
    bounds = {"developer": (1, 3), "migration_engineer": (1, 2)}
    own = capacity.team_for(service, plan.planning_flow_id, end, bounds)
    assert (own.met, own.headcounts, own.end_date) == (True, {"developer": 1, "migration_engineer": 1}, end)
    too_early = plan.planning_config.migration_start_date + timedelta(days=3)
    refused = capacity.team_for(service, plan.planning_flow_id, too_early, bounds)
    assert (refused.met, refused.earliest_end_date > too_early) == (False, True)

    # A 400-hour refactor done by one developer: three finish it weeks earlier.
    faster = capacity.team_for(service, plan.planning_flow_id, end - timedelta(days=14), bounds)
    assert (faster.met, faster.headcounts["developer"] > 1) == (True, True)
    handle = capacity.apply_team(
        service, plan.planning_flow_id, plan.version, faster.headcounts, reason="Deadline"
    )
    pools = {p.role: p.headcount for p in handle.plan.planning_config.resource_pools}
    assert {r: pools[r] for r in faster.headcounts} == faster.headcounts
    assert handle.plan.timeline.end_date == faster.end_date
    assert service.revisions(plan.planning_flow_id)[-1].summary == "Deadline"
    with pytest.raises(InvalidInput):
        capacity.apply_team(
            service, plan.planning_flow_id, handle.plan.version, {"developer": -1}, reason="x"
        )
    assert service.get_plan(plan.planning_flow_id).version == handle.plan.version
