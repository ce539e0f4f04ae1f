"""The analyst's edits of the portfolio (issue 12), on SQLite and Postgres: each verb refuses invalid input
with one line and changes nothing, or writes the change and one audit row (who, when, before, after),
marks the plans including the application stale and recomputes them when auto-progress is on; a
re-import of the source replaces an edit and its preview says so; the defaults each import applied are
recorded and named among the warnings of a plan of that source."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from db.session import Database
from planning_core.domain import Application, Dependency, Portfolio, TenantContext
from planning_core.errors import InvalidInput, NotFound, StaleWriteError
from planning_core.service.flow import PlanningService
from planning_core.service.portfolio import PortfolioService
from planning_core.service.portfolio_edits import edited_application

CONFIG: dict[str, Any] = {
    "max_apps_per_wave": 2,
    "wave_duration_limit_days": 30,
    "pilot_wave": False,
    "solver_time_limit_seconds": 2,
}


def inventory() -> Portfolio:
    apps = [Application(application_id=f"A{i}", name=f"App {i}", complexity=4) for i in range(4)]
    deps = [
        Dependency(source_application_id="A0", target_application_id="A1"),
        Dependency(source_application_id="A1", target_application_id="A2"),
    ]
    return Portfolio(applications=apps, dependencies=deps)


def audit_rows(database: Database, tenant: TenantContext) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM portfolio_edits WHERE client_account_id = :ca AND engagement_id = :e"
                ),
                {"ca": tenant.client_account_id, "e": tenant.engagement_id},
            ).scalar_one()
        )


def app(service: PortfolioService, app_id: str) -> Application:
    with service.database.unit_of_work(service.tenant) as repo:
        return repo.portfolio.stored_application(app_id).application


def planned(
    database: Database, tenant: TenantContext, *, auto: bool = True, ids: list[str] | None = None
) -> str:
    flow = PlanningService(database, tenant)
    plan = flow.initialize(
        selected_application_ids=ids or ["A0", "A1", "A2", "A3"], config={**CONFIG, "auto_progress": auto}
    )
    assert plan.phase_statuses["completed"] == "completed"
    return plan.planning_flow_id


@pytest.fixture
def service(database: Database, tenant: TenantContext) -> PortfolioService:
    service = PortfolioService(database, tenant)
    service.sync(
        "inventory.xlsx", inventory(), defaults=["six_r_strategy: rehost assumed for 4 row(s) (no 6R column)"]
    )
    return service


def test_complexity_11_is_refused_and_nothing_changes(database, tenant, service) -> None:
    plan_id = planned(database, tenant, auto=False)
    before = PlanningService(database, tenant).get_plan(plan_id)
    with pytest.raises(InvalidInput, match=r"^A1: complexity: Input should be less than or equal to 10$"):
        service.edit_application("A1", {"complexity": 11})
    with pytest.raises(InvalidInput, match="six_r_strategy"):
        service.edit_application("A1", {"six_r_strategy": "teleport"})
    with pytest.raises(InvalidInput, match="name cannot be edited here"):
        service.edit_application("A1", {"name": "Renamed"})
    with pytest.raises(NotFound):
        service.edit_application("nope", {"complexity": 3})
    assert app(service, "A1").complexity == 4
    assert audit_rows(database, tenant) == 0
    after = PlanningService(database, tenant).get_plan(plan_id)
    assert (after.version, after.phase_statuses) == (before.version, before.phase_statuses)


def test_a_valid_edit_writes_one_audit_row_and_marks_the_plan_stale(database, tenant, service) -> None:
    plan_id = planned(database, tenant, auto=False)
    other = planned(database, tenant, auto=False, ids=["A3"])
    done = service.edit_application(
        "A1", {"complexity": 9, "required_skills": ["Oracle"]}, expected={"complexity": 4}
    )
    assert app(service, "A1").complexity == 9 and app(service, "A1").required_skills == ["oracle"]
    assert audit_rows(database, tenant) == 1
    (entry,) = service.portfolio_history()
    assert (entry.action, entry.application_id, entry.edited_by) == ("edit", "A1", tenant.user_id)
    assert (entry.before, entry.after) == (
        {"complexity": 4, "required_skills": []},
        {"complexity": 9, "required_skills": ["oracle"]},
    )
    assert done.stale_plans == [plan_id] and done.runs == []
    plan = PlanningService(database, tenant).get_plan(plan_id)
    assert {k: v.value for k, v in plan.phase_statuses.items()} == {
        "wave_planning": "stale",
        "resource_allocation": "stale",
        "timeline_generation": "stale",
        "cost_estimation": "stale",
        "synthesis": "stale",
        "completed": "stale",
    }
    assert plan.planning_completed_at is None
    assert PlanningService(database, tenant).revisions(plan_id)[-1].action == "portfolio_edit"
    untouched = PlanningService(database, tenant).get_plan(other)
    assert untouched.phase_statuses["completed"] == "completed"


def test_auto_progress_recomputes_the_plan_after_an_edit(database, tenant, service) -> None:
    plan_id = planned(database, tenant, auto=True)
    done = service.edit_application("A2", {"pinned_wave": 2})
    assert [r.planning_flow_id for r in done.runs] == [plan_id]
    plan = PlanningService(database, tenant).get_plan(plan_id)
    assert plan.phase_statuses["completed"] == "completed"
    assert plan.wave_plan.wave_of()["A2"] == 2
    assert "recomputed" in done.message()


def test_someone_elses_change_is_not_overwritten(database, tenant, service) -> None:
    service.edit_application("A1", {"complexity": 6})
    with pytest.raises(StaleWriteError, match="complexity is now 6"):
        service.edit_application("A1", {"complexity": 8}, expected={"complexity": 4})
    assert app(service, "A1").complexity == 6 and audit_rows(database, tenant) == 1


def test_dependencies_are_added_and_removed_with_an_audit(database, tenant, service) -> None:
    plan_id = planned(database, tenant, auto=False)
    with pytest.raises(InvalidInput, match="cannot depend on itself"):
        service.add_dependency("A1", "A1")
    with pytest.raises(InvalidInput, match="already exists"):
        service.add_dependency("A0", "A1")
    with pytest.raises(NotFound):
        service.add_dependency("A0", "ghost")
    with pytest.raises(InvalidInput, match="does not exist"):
        service.remove_dependency("A2", "A3")
    assert audit_rows(database, tenant) == 0
    added = service.add_dependency("A2", "A3", "move_together", weight=2.0)
    assert added.stale_plans == [plan_id]
    removed = service.remove_dependency("A0", "A1")
    assert removed.edit.before == {"weight": 1.0}
    deps = {
        (d.source_application_id, d.target_application_id)
        for d in PlanningService(database, tenant).portfolio().dependencies
    }
    assert deps == {("A1", "A2"), ("A2", "A3")}
    assert [e.action for e in service.portfolio_history()] == ["remove_dependency", "add_dependency"]
    assert [e.action for e in service.portfolio_history("A3")] == ["add_dependency"]


def test_archive_and_restore(database, tenant, service) -> None:
    plan_id = planned(database, tenant, auto=False)
    done = service.archive_application("A3")
    assert done.stale_plans == [plan_id]
    assert "A3" not in {a.application_id for a in PlanningService(database, tenant).portfolio().applications}
    assert [a.application_id for a in service.archived_applications()] == ["A3"]
    with pytest.raises(InvalidInput, match="already archived"):
        service.archive_application("A3")
    service.restore_application("A3")
    assert service.archived_applications() == []
    assert [e.action for e in service.portfolio_history("A3")] == ["restore", "archive"]


def test_a_reimport_replaces_the_edit_and_its_preview_says_so(database, tenant, service) -> None:
    service.edit_application("A1", {"complexity": 9})
    preview = service.preview_sync("inventory.xlsx", inventory())
    assert preview.applications_changed == ["A1"] and preview.edited == ["A1"]
    assert preview.changes["A1"] == {"complexity": (9, 4)}
    service.sync("inventory.xlsx", inventory())
    assert app(service, "A1").complexity == 4
    assert service.preview_sync("inventory.xlsx", inventory()).edited == []
    # A dependency added by hand is given by no source: a re-import keeps it.
    service.add_dependency("A2", "A3")
    assert service.preview_sync("inventory.xlsx", inventory()).dependencies_removed == []


def test_import_defaults_are_recorded_and_named_in_the_plans_warnings(database, tenant, service) -> None:
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.import_defaults(["inventory.xlsx"]) == {
            "inventory.xlsx": ["six_r_strategy: rehost assumed for 4 row(s) (no 6R column)"]
        }
    plan_id = planned(database, tenant, auto=False)
    warning = "Import default (inventory.xlsx): six_r_strategy: rehost assumed for 4 row(s) (no 6R column)"
    assert warning in PlanningService(database, tenant).get_plan(plan_id).warnings
    assert service.sources_of_applications(["A0"]) == ["inventory.xlsx"]
    service.sync("inventory.xlsx", inventory())  # the last import applied no default
    assert warning not in PlanningService(database, tenant).get_plan(plan_id).warnings


def test_edited_application_validates_without_writing() -> None:
    base = Application(application_id="X", name="X")
    assert edited_application(base, {"complexity": 2}).complexity == 2
    with pytest.raises(InvalidInput, match="effort_hours"):
        edited_application(base, {"effort_hours": -1})
    with pytest.raises(InvalidInput, match="pinned_wave"):
        edited_application(base, {"pinned_wave": 0})
