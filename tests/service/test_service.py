"""The flow service end to end on SQLite and Postgres: phases, prerequisites, edits, revisions, rollback."""

from __future__ import annotations

import pytest

from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
    Portfolio,
    SixR,
)
from planning_core.engines.waves.models import Source, WavePlan
from planning_core.errors import (
    ConstraintViolationError,
    InvalidInput,
    NotFound,
    PhaseOrderError,
    PlanningError,
    StaleWriteError,
)
from planning_core.portfolio.common import DEPENDENCY_ONLY
from planning_core.service import phases as phases_module
from planning_core.service.flow import PlanningService

ALL_COMPLETED = {phase: PhaseStatus.COMPLETED for phase in Phase}
ALL_PENDING = {phase: PhaseStatus.PENDING for phase in Phase}


def small_portfolio() -> Portfolio:
    """Six apps: a database that two apps depend on, a move-together pair, a retired app."""

    def app(
        app_id: str,
        strategy: SixR = SixR.REHOST,
        complexity: int = 4,
        criticality: Criticality = Criticality.MEDIUM,
        effort: float | None = 100.0,
    ) -> Application:
        return Application(
            application_id=app_id,
            name=f"App {app_id}",
            business_unit="Retail",
            six_r_strategy=strategy,
            complexity=complexity,
            business_criticality=criticality,
            effort_hours=effort,
            server_count=2,
            data_size_gb=50.0,
        )

    return Portfolio(
        applications=[
            app("db", SixR.REPLATFORM, 6, Criticality.HIGH),
            app("web"),
            app("api", criticality=Criticality.CRITICAL),
            app("batch", complexity=2, criticality=Criticality.LOW),
            app("report", complexity=3, criticality=Criticality.LOW),
            app("legacy", SixR.RETIRE, effort=None),
        ],
        dependencies=[
            Dependency(source_application_id="db", target_application_id="web"),
            Dependency(source_application_id="db", target_application_id="api"),
            Dependency(
                source_application_id="web",
                target_application_id="api",
                dependency_type=DependencyType.MOVE_TOGETHER,
                weight=5,
            ),
        ],
    )


CONFIG = {"max_apps_per_wave": 2, "wave_duration_limit_days": 30, "pilot_wave": False}


@pytest.fixture
def service(database, tenant) -> PlanningService:
    svc = PlanningService(database, tenant)
    svc.import_portfolio(small_portfolio())
    return svc


def ids(portfolio: Portfolio) -> list[str]:
    return [a.application_id for a in portfolio.applications]


def test_whole_flow_completes_with_every_document(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG, name="Pilot")
    assert (plan.current_phase, plan.phase_status) == (Phase.COMPLETED, PhaseStatus.COMPLETED)
    assert plan.phase_statuses == ALL_COMPLETED
    assert plan.wave_plan and plan.resource_allocation and plan.timeline and plan.cost_estimation
    assert plan.synthesis is not None and plan.planning_completed_at is not None
    assert [n.application_id for n in plan.wave_plan.not_migrated] == ["legacy"]
    waves = plan.wave_plan.wave_of()
    assert sorted(waves) == ["api", "batch", "db", "report", "web"]
    assert waves["web"] == waves["api"] and waves["db"] <= waves["web"]
    assert plan.synthesis.executive_summary.total_waves == len(plan.wave_plan.waves)
    assert plan.synthesis.executive_summary.total_cost == plan.cost_estimation.total
    assert [(r.revision, r.action) for r in service.revisions(plan.planning_flow_id)] == [
        (0, "initialize"),
        (1, "run"),
    ]


def test_plan_is_identical_when_recomputed(service: PlanningService) -> None:
    first = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    second = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    for field in ("wave_plan", "resource_allocation", "cost_estimation"):
        a = getattr(first, field).model_dump(exclude={"solver"})
        b = getattr(second, field).model_dump(exclude={"solver"})
        assert a == b
    assert first.timeline.model_dump(exclude={"solver"}) == second.timeline.model_dump(exclude={"solver"})


def test_invalid_config_is_refused_and_nothing_is_written(service: PlanningService) -> None:
    bad = {"max_apps_per_wave": 0, "wave_duration_limit_days": 10, "contingency_percentage": 120}
    with pytest.raises(InvalidInput) as error:
        service.initialize(selected_application_ids=["db"], config=bad)
    assert str(error.value) == (
        "Invalid planning configuration: max_apps_per_wave: max apps per wave must be at least 1; "
        "wave_duration_limit_days: wave duration limit must be at least 30 days; "
        "contingency_percentage: contingency percentage must be between 0 and 100"
    )
    assert service.list_plans() == []


def test_unknown_selected_ids_are_refused_and_nothing_is_written(service: PlanningService) -> None:
    with pytest.raises(InvalidInput) as error:
        service.initialize(selected_application_ids=["db", "ghost", "phantom"], config=CONFIG)
    assert str(error.value) == "2 selected application id(s) do not exist in this engagement: ghost, phantom"
    assert service.list_plans() == []


def test_empty_selection_is_refused(service: PlanningService) -> None:
    with pytest.raises(InvalidInput, match="Select at least one application"):
        service.initialize(selected_application_ids=[], config=CONFIG)


def test_phase_out_of_order_is_refused_and_changes_nothing(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG, run=False)
    with pytest.raises(PhaseOrderError) as error:
        service.execute_phase(planning_flow_id=plan.planning_flow_id, phase="cost_estimation")
    assert str(error.value) == (
        "Cost estimation needs wave planning first (it is pending). Run wave planning and try again."
    )
    after = service.get_plan(plan.planning_flow_id)
    assert (after.version, after.phase_statuses, after.wave_plan) == (plan.version, ALL_PENDING, None)


def test_phases_run_one_by_one_in_order(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG, run=False)
    plan = service.execute_phase(planning_flow_id=plan.planning_flow_id, phase=Phase.WAVE_PLANNING)
    assert (plan.current_phase, plan.phase_status) == (Phase.RESOURCE_ALLOCATION, PhaseStatus.PENDING)
    with pytest.raises(PhaseOrderError, match="Timeline generation needs resource allocation first"):
        service.execute_phase(planning_flow_id=plan.planning_flow_id, phase=Phase.TIMELINE_GENERATION)


def test_unknown_phase_and_unknown_plan(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=["db"], config=CONFIG, run=False)
    with pytest.raises(InvalidInput, match="Unknown phase 'deploy'"):
        service.execute_phase(planning_flow_id=plan.planning_flow_id, phase="deploy")
    with pytest.raises(NotFound):
        service.get_plan("00000000-0000-0000-0000-000000000000")


def test_stale_write_is_refused_and_nothing_is_lost(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    service.update(planning_flow_id=plan.planning_flow_id, expected_version=plan.version, name="Renamed")
    with pytest.raises(StaleWriteError, match="Reload to see the latest plan; your change was not saved"):
        service.update(planning_flow_id=plan.planning_flow_id, expected_version=plan.version, name="Mine")
    assert service.get_plan(plan.planning_flow_id).name == "Renamed"


def _moved(plan_doc, app_id: str, to_wave: int) -> WavePlan:
    """The stored wave plan with one application moved to another wave (as the board does)."""
    wave_plan = plan_doc.wave_plan.model_copy(deep=True)
    assignment = None
    for wave in wave_plan.waves:
        for item in list(wave.applications):
            if item.application_id == app_id:
                wave.applications.remove(item)
                assignment = item
    assert assignment is not None
    target = next(w for w in wave_plan.waves if w.wave_number == to_wave)
    target.applications.append(assignment.model_copy(update={"source": Source.ANALYST}))
    return wave_plan


def test_edit_breaking_precedence_needs_confirmation_then_blocks_completion(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    last_wave = 3
    edited = _moved(plan, "db", last_wave)
    with pytest.raises(ConstraintViolationError) as error:
        service.update(
            planning_flow_id=plan.planning_flow_id, expected_version=plan.version, wave_plan=edited
        )
    assert sorted((v.constraint, tuple(v.application_ids)) for v in error.value.violations) == [
        ("precedence", ("db", "api")),
        ("precedence", ("db", "web")),
    ]
    assert service.get_plan(plan.planning_flow_id).version == plan.version  # nothing saved

    saved = service.update(
        planning_flow_id=plan.planning_flow_id,
        expected_version=plan.version,
        wave_plan=edited,
        confirm_violations=True,
        reason="db freeze",
    )
    assert saved.wave_plan.wave_of()["db"] == last_wave
    assert saved.phase_statuses[Phase.SYNTHESIS] == PhaseStatus.COMPLETED  # recomputed
    assert saved.phase_statuses[Phase.COMPLETED] == PhaseStatus.PENDING  # blocked
    assert saved.current_phase == Phase.COMPLETED and saved.phase_status == PhaseStatus.PENDING
    assert any(w.startswith("The plan cannot be completed:") for w in saved.warnings)
    assert any("Unresolved violation (precedence)" in w for w in saved.warnings)


def test_edit_recomputes_later_phases_and_rollback_restores(service: PlanningService) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    assert plan.wave_plan.wave_of() == {"db": 1, "batch": 1, "web": 2, "api": 2, "report": 3}
    saved = service.update(
        planning_flow_id=plan.planning_flow_id,
        expected_version=plan.version,
        wave_plan=_moved(plan, "batch", 3),
        reason="move batch",
    )
    assert saved.wave_plan.wave_of() == {"db": 1, "web": 2, "api": 2, "report": 3, "batch": 3}
    assert saved.wave_plan.violations == []
    assert saved.phase_statuses == ALL_COMPLETED
    wave_hours = {
        n: round(sum(a.hours for a in saved.resource_allocation.allocations if a.wave_number == n), 2)
        for n in (1, 3)
    }
    before_hours = {
        n: round(sum(a.hours for a in plan.resource_allocation.allocations if a.wave_number == n), 2)
        for n in (1, 3)
    }
    assert wave_hours[1] < before_hours[1] and wave_hours[3] > before_hours[3]
    assert saved.cost_estimation.total == saved.synthesis.executive_summary.total_cost
    history = service.revisions(plan.planning_flow_id)
    assert [(r.revision, r.action) for r in history] == [(0, "initialize"), (1, "run"), (2, "update")]
    assert history[2].changes["wave_plan"] == {
        "moved": {"batch": {"previous": 1, "new": 3}},
        "removed_from_waves": [],
        "waves": {"previous": 3, "new": 3},
    }
    assert history[2].summary == "move batch"

    restored = service.rollback(
        planning_flow_id=plan.planning_flow_id, revision=1, expected_version=saved.version
    )
    assert restored.wave_plan.wave_of() == plan.wave_plan.wave_of()
    assert restored.cost_estimation == plan.cost_estimation
    assert restored.phase_statuses == ALL_COMPLETED
    assert [r.action for r in service.revisions(plan.planning_flow_id)][-1] == "rollback"


def test_edit_without_auto_progress_marks_later_phases_stale(service: PlanningService) -> None:
    plan = service.initialize(
        selected_application_ids=ids(small_portfolio()), config=CONFIG | {"auto_progress": False}
    )
    saved = service.update(
        planning_flow_id=plan.planning_flow_id,
        expected_version=plan.version,
        wave_plan=_moved(plan, "batch", 3),
    )
    assert saved.phase_statuses == {
        Phase.WAVE_PLANNING: PhaseStatus.COMPLETED,
        Phase.RESOURCE_ALLOCATION: PhaseStatus.STALE,
        Phase.TIMELINE_GENERATION: PhaseStatus.STALE,
        Phase.COST_ESTIMATION: PhaseStatus.STALE,
        Phase.SYNTHESIS: PhaseStatus.STALE,
        Phase.COMPLETED: PhaseStatus.STALE,
    }
    assert (saved.current_phase, saved.phase_status) == (Phase.RESOURCE_ALLOCATION, PhaseStatus.STALE)
    with pytest.raises(PhaseOrderError, match="Cost estimation needs resource allocation first"):
        service.execute_phase(planning_flow_id=plan.planning_flow_id, phase=Phase.COST_ESTIMATION)
    rerun = service.run_all(plan.planning_flow_id)
    assert rerun.phase_statuses == ALL_COMPLETED


def test_engine_failure_marks_phase_failed_and_keeps_last_good_plan(
    service: PlanningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = service.initialize(selected_application_ids=ids(small_portfolio()), config=CONFIG)
    good_timeline = plan.timeline

    def broken(plan_doc, portfolio):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(phases_module.RUNNERS, Phase.TIMELINE_GENERATION, broken)
    with pytest.raises(PlanningError, match="Timeline generation failed unexpectedly"):
        service.execute_phase(planning_flow_id=plan.planning_flow_id, phase=Phase.TIMELINE_GENERATION)
    failed = service.get_plan(plan.planning_flow_id)
    assert failed.phase_statuses[Phase.TIMELINE_GENERATION] == PhaseStatus.FAILED
    assert failed.timeline == good_timeline
    assert (failed.current_phase, failed.phase_status) == (Phase.TIMELINE_GENERATION, PhaseStatus.FAILED)
    monkeypatch.undo()
    rerun = service.run_all(plan.planning_flow_id)
    assert rerun.phase_statuses == ALL_COMPLETED


def test_tenants_do_not_see_each_others_plans(database, tenant, other_tenant) -> None:
    mine = PlanningService(database, tenant)
    mine.import_portfolio(small_portfolio())
    plan = mine.initialize(selected_application_ids=["db", "web"], config=CONFIG, run=False)
    theirs = PlanningService(database, other_tenant)
    assert theirs.list_plans() == []
    with pytest.raises(NotFound):
        theirs.get_plan(plan.planning_flow_id)
    with pytest.raises(InvalidInput, match="do not exist in this engagement"):
        theirs.initialize(selected_application_ids=["db"], config=CONFIG)


def test_reimport_changes_nothing_and_a_second_source_merges(database, tenant) -> None:
    svc = PlanningService(database, tenant)
    assert svc.import_portfolio(small_portfolio()) == (6, 3)
    assert svc.import_portfolio(small_portfolio()) == (0, 0)
    # A dependency export knows the applications by name only (placeholders with ids of its own):
    # each unique name resolves to the inventory's application (issue 12: names resolve placeholders only).
    traffic = {DEPENDENCY_ONLY: "true"}
    export = Portfolio(
        applications=[
            Application(application_id="x-web", name="App web", attributes=traffic),
            Application(application_id="x-batch", name="App batch", attributes=traffic),
        ],
        dependencies=[Dependency(source_application_id="x-batch", target_application_id="x-web")],
    )
    svc.import_portfolio(export)
    merged = svc.portfolio()
    assert sorted(a.application_id for a in merged.applications) == [
        "api",
        "batch",
        "db",
        "legacy",
        "report",
        "web",
    ]
    assert ("batch", "web", DependencyType.PRECEDES) in {
        (d.source_application_id, d.target_application_id, d.dependency_type) for d in merged.dependencies
    }
