"""Named portfolio sources: re-importing a source is a sync, a second source merges, sources are listed
and removed, and a plan of a source uses exactly that source's dependencies (SQLite and Postgres)."""

from __future__ import annotations

from sqlalchemy import text

from db.session import Database
from planning_core.domain import Application, Dependency, DependencyType, Phase, Portfolio, TenantContext
from planning_core.portfolio.common import DEPENDENCY_ONLY
from planning_core.service.portfolio import PortfolioService


def inventory(deps: int = 12, *, pin: int | None = 3, together: bool = True) -> Portfolio:
    """Eight applications in a chain of `deps` precedences (at most 7), plus an optional move_together."""
    apps = [
        Application(application_id=f"A{i}", name=f"App {i}", pinned_wave=pin if i == 0 else None)
        for i in range(8)
    ]
    chain = [(f"A{i}", f"A{j}") for i in range(8) for j in range(i + 1, 8)][:deps]
    dependencies = [Dependency(source_application_id=s, target_application_id=t) for s, t in chain]
    if together:
        dependencies.append(
            Dependency(
                source_application_id="A6",
                target_application_id="A7",
                dependency_type=DependencyType.MOVE_TOGETHER,
            )
        )
    return Portfolio(applications=apps, dependencies=dependencies)


def edges(portfolio: Portfolio) -> set[tuple[str, str, str]]:
    return {
        (d.source_application_id, d.target_application_id, d.dependency_type.value)
        for d in portfolio.dependencies
    }


def count(database: Database, table: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_reimporting_a_corrected_file_removes_and_clears(database: Database, tenant: TenantContext) -> None:
    service = PortfolioService(database, tenant)
    first = service.sync("inventory.xlsx", inventory(12))
    assert first.counts() == {
        "applications_added": 8,
        "applications_changed": 0,
        "applications_removed": 0,
        "dependencies_added": 13,
        "dependencies_changed": 0,
        "dependencies_removed": 0,
    }
    corrected = inventory(7, pin=None, together=False)
    preview = service.preview_sync("inventory.xlsx", corrected)
    assert (len(preview.dependencies_removed), preview.applications_changed) == (6, ["A0"])
    with database.unit_of_work(tenant) as repo:
        assert len(repo.portfolio.list_dependencies()) == 13  # the preview wrote nothing
    done = service.sync("inventory.xlsx", corrected)
    assert done.counts() == preview.counts()
    with database.unit_of_work(tenant) as repo:
        stored = repo.portfolio.load_portfolio()
    assert edges(stored) == edges(corrected)
    assert stored.by_id()["A0"].pinned_wave is None
    assert service.sync("inventory.xlsx", corrected).counts() == dict.fromkeys(done.counts(), 0)


def test_a_second_source_merges_and_removing_it_removes_only_its_rows(
    database: Database, tenant: TenantContext
) -> None:
    service = PortfolioService(database, tenant)
    service.sync("inventory.xlsx", inventory(3, together=False))
    traffic = Portfolio(
        applications=[
            Application(
                application_id="A1", name="App 1", complexity=9, attributes={DEPENDENCY_ONLY: "true"}
            ),
            Application(application_id="A5", name="App 5", attributes={DEPENDENCY_ONLY: "true"}),
            Application(application_id="X9", name="Unknown", attributes={DEPENDENCY_ONLY: "true"}),
        ],
        dependencies=[
            Dependency(source_application_id="A5", target_application_id="A1"),
            Dependency(source_application_id="X9", target_application_id="A5"),
        ],
    )
    service.sync("dependencies.csv", traffic)
    with database.unit_of_work(tenant) as repo:
        merged = repo.portfolio.load_portfolio()
    assert merged.by_id()["A1"].complexity == 5  # traffic never overwrites the inventory's fields
    assert len(merged.applications) == 9 and len(merged.dependencies) == 5
    assert [(s.name, s.applications, s.dependencies) for s in service.sources()] == [
        ("dependencies.csv", 3, 2),
        ("inventory.xlsx", 8, 3),
    ]
    removed = service.remove_source("dependencies.csv")
    assert removed.applications_removed == ["X9"] and len(removed.dependencies_removed) == 2
    with database.unit_of_work(tenant) as repo:
        assert edges(repo.portfolio.load_portfolio()) == edges(inventory(3, together=False))
    assert [s.name for s in service.sources()] == ["inventory.xlsx"]


def test_rows_remember_their_source_and_import(database: Database, tenant: TenantContext) -> None:
    service = PortfolioService(database, tenant)
    service.sync("a.csv", inventory(2, together=False))
    service.sync("a.csv", inventory(2, pin=4, together=False))
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT application_id, source_name, import_id FROM applications "
                "WHERE client_account_id = :ca AND engagement_id = :eng ORDER BY application_id"
            ),
            {"ca": tenant.client_account_id, "eng": tenant.engagement_id},
        ).all()
        imports = connection.execute(text("SELECT id FROM portfolio_imports ORDER BY id")).scalars().all()
    assert rows[0] == ("A0", "a.csv", imports[-1])  # the pin changed: written by the second import
    assert rows[1] == ("A1", "a.csv", imports[-2])


def test_a_plan_of_a_source_uses_only_its_dependencies(
    database: Database, tenant: TenantContext, docs
) -> None:
    service = PortfolioService(database, tenant)
    service.sync("a.csv", inventory(7))
    other = Portfolio(
        applications=[Application(application_id=f"A{i}", name=f"App {i}") for i in range(4)],
        dependencies=[Dependency(source_application_id="A3", target_application_id="A2")],
    )
    plan_id, _ = service.create_plan_of_source(source="b.csv", portfolio=other, config=docs.small_config())
    with database.unit_of_work(tenant) as repo:
        planned = repo.portfolio.load_plan_portfolio(plan_id, [f"A{i}" for i in range(4)])
        everything = repo.portfolio.load_portfolio([f"A{i}" for i in range(4)])
    assert edges(planned) == edges(other)
    assert len(everything.dependencies) > len(planned.dependencies)
    assert service.plan_sources(plan_id) == ["b.csv"]


def test_a_reimport_that_changes_a_plans_inventory_marks_it_stale(
    database: Database, tenant: TenantContext
) -> None:
    from planning_core.domain import PhaseStatus
    from planning_core.service.flow import PlanningService

    portfolios = PortfolioService(database, tenant)
    portfolios.sync("inventory.xlsx", inventory(5, pin=None, together=False))
    plans = PlanningService(database, tenant)
    plan = plans.initialize(
        selected_application_ids=[f"A{i}" for i in range(8)], config={"pilot_wave": False}
    )
    assert plan.phase_statuses[Phase.COMPLETED] == PhaseStatus.COMPLETED

    unchanged = portfolios.sync("inventory.xlsx", inventory(5, pin=None, together=False))
    assert (unchanged.stale_plans, plans.get_plan(plan.planning_flow_id).version) == ([], plan.version)

    corrected = portfolios.sync("inventory.xlsx", inventory(3, pin=None, together=False))
    assert corrected.stale_plans == [plan.planning_flow_id]
    stored = plans.get_plan(plan.planning_flow_id)
    assert {p: s for p, s in stored.phase_statuses.items()} == {p: PhaseStatus.STALE for p in Phase}
    assert plans.revisions(plan.planning_flow_id)[-1].summary == (
        "Source 'inventory.xlsx' re-imported (dependencies removed 2)"
    )
