"""The service's verbs, one per thing an analyst does (SQLite and Postgres): edit the waves, change the
configuration, override an allocation, rename, and request a run (inline or in the background)."""

from __future__ import annotations

import pytest

from planning_core.domain import Application, Dependency, Phase, PhaseStatus, Portfolio
from planning_core.errors import ConstraintViolationError, InvalidInput, StaleWriteError
from planning_core.service.flow import PlanningService
from planning_core.service.runs import run_worker_once
from planning_core.service.store import PlanStore

CONFIG = {"max_apps_per_wave": 2, "wave_duration_limit_days": 30, "pilot_wave": False}
ALL_COMPLETED = {phase: PhaseStatus.COMPLETED for phase in Phase}
APPS = ["db", "web", "api", "batch", "report"]


def portfolio() -> Portfolio:
    """Five apps: a database two apps need first, so moving it to the last wave breaks precedence."""
    return Portfolio(
        applications=[
            Application(application_id=i, name=f"App {i}", complexity=c, effort_hours=100.0)
            for i, c in [("db", 6), ("web", 4), ("api", 4), ("batch", 2), ("report", 3)]
        ],
        dependencies=[
            Dependency(source_application_id="db", target_application_id="web"),
            Dependency(source_application_id="db", target_application_id="api"),
        ],
    )


@pytest.fixture
def service(database, tenant) -> PlanningService:  # noqa: ANN001
    svc = PlanningService(database, tenant)
    svc.import_portfolio(portfolio())
    return svc


@pytest.fixture
def plan(service: PlanningService):  # noqa: ANN201
    return service.initialize(selected_application_ids=APPS, config=CONFIG, name="Verbs")


def _actions(service: PlanningService, planning_flow_id: str) -> list[str]:
    return [r.action for r in service.revisions(planning_flow_id)]


def _drain(database) -> None:  # noqa: ANN001
    while run_worker_once(database, heartbeat_s=0.2):
        pass


def test_a_move_breaking_a_hard_constraint_is_refused_then_stored_once_confirmed(service, plan) -> None:  # noqa: ANN001
    last = max(w.wave_number for w in plan.wave_plan.waves)
    assert plan.wave_plan.wave_of()["db"] < last
    with pytest.raises(ConstraintViolationError) as error:
        service.edit_waves(
            plan.planning_flow_id,
            plan.version,
            "move_application",
            reason="db freeze",
            application_id="db",
            to_wave=last,
        )
    assert {v.constraint for v in error.value.violations} == {"precedence"}
    assert str(error.value).startswith("This change breaks ")
    unchanged = service.get_plan(plan.planning_flow_id)
    assert (unchanged.version, unchanged.wave_plan) == (plan.version, plan.wave_plan)
    assert _actions(service, plan.planning_flow_id) == ["initialize", "run"]

    handle = service.edit_waves(
        plan.planning_flow_id,
        plan.version,
        "move_application",
        reason="db freeze",
        confirm_violations=True,
        application_id="db",
        to_wave=last,
    )
    assert not handle.queued and handle.job_id is None
    saved = handle.plan
    assert saved.wave_plan.wave_of()["db"] == last
    assert {v.constraint for v in saved.wave_plan.violations if v.hard} == {"precedence"}
    assert saved.phase_statuses[Phase.SYNTHESIS] == PhaseStatus.COMPLETED  # recomputed
    assert saved.phase_statuses[Phase.COMPLETED] == PhaseStatus.PENDING  # blocked by the violations
    history = service.revisions(plan.planning_flow_id)
    assert [r.action for r in history] == ["initialize", "run", "update"]
    assert history[-1].summary == "db freeze"
    assert history[-1].changes["wave_plan"]["moved"]["db"]["new"] == last


def test_a_move_that_breaks_nothing_is_stored_and_recomputed(service, plan) -> None:  # noqa: ANN001
    assert plan.wave_plan.wave_of()["batch"] == 2  # wave 3 holds one application: room for one more
    handle = service.edit_waves(
        plan.planning_flow_id,
        plan.version,
        "move_application",
        reason="move batch",
        application_id="batch",
        to_wave=3,
    )
    saved = handle.plan
    assert saved.wave_plan.wave_of()["batch"] == 3
    assert saved.wave_plan.violations == [] and saved.phase_statuses == ALL_COMPLETED
    assert saved.applications and saved.version > plan.version
    assert service.get_plan(plan.planning_flow_id).version == saved.version
    assert _actions(service, plan.planning_flow_id) == ["initialize", "run", "update"]


def test_an_unknown_edit_or_wrong_arguments_are_refused_and_change_nothing(service, plan) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput, match=r"^Unknown wave edit 'teleport'; the edits are: add_wave, "):
        service.edit_waves(plan.planning_flow_id, plan.version, "teleport", reason="x", application_id="db")
    with pytest.raises(InvalidInput, match=r"^Wave edit 'move_application': "):
        service.edit_waves(plan.planning_flow_id, plan.version, "move_application", reason="x", wave=2)
    with pytest.raises(InvalidInput, match="ghost is not in any wave of this plan"):
        service.edit_waves(
            plan.planning_flow_id,
            plan.version,
            "move_application",
            reason="x",
            application_id="ghost",
            to_wave=2,
        )
    after = service.get_plan(plan.planning_flow_id)
    assert (after.version, after.wave_plan) == (plan.version, plan.wave_plan)
    assert _actions(service, plan.planning_flow_id) == ["initialize", "run"]


def test_the_board_table_edit_moves_and_locks_as_one_revision(service, plan) -> None:  # noqa: ANN001
    handle = service.edit_waves(
        plan.planning_flow_id,
        plan.version,
        "edit_assignments",
        reason="Moved batch to wave 3; Locked batch",
        moves={"batch": 3},
        locks={"batch": True},
    )
    saved = handle.plan
    assert saved.wave_plan.wave_of()["batch"] == 3
    assert [
        a.pinned for w in saved.wave_plan.waves for a in w.applications if a.application_id == "batch"
    ] == [True]
    assert _actions(service, plan.planning_flow_id) == ["initialize", "run", "update"]


def test_a_stale_edit_is_refused(service, plan) -> None:  # noqa: ANN001
    renamed = service.rename(plan.planning_flow_id, plan.version, "  Renamed  ")
    assert (renamed.name, renamed.phase_statuses) == ("Renamed", ALL_COMPLETED)
    with pytest.raises(StaleWriteError, match="your change was not saved"):
        service.edit_waves(plan.planning_flow_id, plan.version, "add_wave", reason="late")
    with pytest.raises(InvalidInput, match="A plan name needs 1 to 200 characters"):
        service.rename(plan.planning_flow_id, renamed.version, "   ")
    assert _actions(service, plan.planning_flow_id) == ["initialize", "run", "update"]


def test_change_config_recomputes_and_keeps_at_least_one_pool(service, plan) -> None:  # noqa: ANN001
    config = plan.planning_config.model_dump(mode="json")
    with pytest.raises(InvalidInput) as error:
        service.change_config(plan.planning_flow_id, plan.version, {**config, "resource_pools": []})
    assert (
        str(error.value) == "Invalid planning configuration: resource_pools: add at least one resource pool"
    )
    assert service.get_plan(plan.planning_flow_id).version == plan.version

    handle = service.change_config(
        plan.planning_flow_id,
        plan.version,
        # bigger waves need a longer window, or they would break the duration limit (a hard constraint)
        {**config, "max_apps_per_wave": 5, "wave_duration_limit_days": 120},
        reason="bigger waves",
    )
    saved = handle.plan
    assert saved.planning_config.max_apps_per_wave == 5
    assert len(saved.wave_plan.waves) < len(plan.wave_plan.waves)
    assert saved.phase_statuses == ALL_COMPLETED
    history = service.revisions(plan.planning_flow_id)
    assert (history[-1].summary, history[-1].changes["planning_config"]["new"]["max_apps_per_wave"]) == (
        "bigger waves",
        5,
    )


def test_override_allocation_needs_a_reason_and_recomputes_timeline_and_costs(service, plan) -> None:  # noqa: ANN001
    first = plan.resource_allocation.allocations[0]
    with pytest.raises(InvalidInput, match="a manual allocation needs a reason"):
        service.override_allocation(
            plan.planning_flow_id,
            plan.version,
            wave_number=first.wave_number,
            role=first.role,
            hours=123.0,
            reason="  ",
        )
    assert service.get_plan(plan.planning_flow_id).version == plan.version

    handle = service.override_allocation(
        plan.planning_flow_id,
        plan.version,
        wave_number=first.wave_number,
        role=first.role,
        hours=123.0,
        reason="contractors",
    )
    manual = [a for a in handle.plan.resource_allocation.allocations if a.source == "manual"]
    assert [(a.wave_number, a.role, a.hours, a.reason) for a in manual] == [
        (first.wave_number, first.role, 123.0, "contractors")
    ]
    assert handle.plan.phase_statuses == ALL_COMPLETED
    summary = f"{first.role} in wave {first.wave_number} set to 123 h: contractors"
    assert service.revisions(plan.planning_flow_id)[-1].summary == summary


def test_request_run_inline_returns_the_completed_plan(service) -> None:  # noqa: ANN001
    created = service.initialize(selected_application_ids=APPS, config=CONFIG, run=False)
    messages: list[str] = []
    handle = service.request_run(created.planning_flow_id, progress=lambda phase, text: messages.append(text))
    assert (handle.queued, handle.job_id) == (False, None)
    assert handle.plan.phase_statuses == ALL_COMPLETED
    assert handle.plan.current_phase == Phase.COMPLETED
    assert messages[0] == "Wave planning…" and messages[-1] == "Plan completed"
    assert service.active_run(created.planning_flow_id) is None


def test_request_run_and_edits_go_to_the_background_when_the_service_says_so(
    database,
    tenant,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    _drain(database)
    monkeypatch.setattr(PlanStore, "runs_in_background", staticmethod(lambda: True))
    started: list[bool] = []
    service = PlanningService(database, tenant, start_worker=lambda: started.append(True))
    service.import_portfolio(portfolio())
    created = service.initialize(selected_application_ids=APPS, config=CONFIG, run=False)

    handle = service.request_run(created.planning_flow_id)
    assert handle.queued and handle.plan is None and started == [True]
    assert service.active_run(created.planning_flow_id).job_id == handle.job_id
    _drain(database)
    assert service.run_status(handle.job_id).status == "done"
    done = service.get_plan(created.planning_flow_id)
    assert done.phase_statuses == ALL_COMPLETED

    edit = service.edit_waves(
        done.planning_flow_id, done.version, "move_application", reason="x", application_id="batch", to_wave=3
    )
    assert edit.queued and started == [True, True]
    assert edit.plan.wave_plan.wave_of()["batch"] == 3
    assert edit.plan.phase_statuses[Phase.RESOURCE_ALLOCATION] == PhaseStatus.STALE  # not recomputed here
    _drain(database)
    assert service.get_plan(done.planning_flow_id).phase_statuses == ALL_COMPLETED
    assert service.active_run(done.planning_flow_id) is None
