"""Portfolio persistence: idempotent upserts, ordering, archiving and guarded deletes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import text

from db.session import Database
from planning_core.domain import Application, Dependency, DependencyType, Portfolio, SixR, TenantContext
from planning_core.errors import InvalidInput, NotFound


def raw_rows(database: Database, tenant: TenantContext, table: str, columns: str) -> list[tuple[object, ...]]:
    """Rows of one tenant table, read with raw SQL, ordered by id."""
    with database.engine.connect() as connection:
        result = connection.execute(
            text(
                f"SELECT {columns} FROM {table} WHERE client_account_id = :ca AND engagement_id = :eng ORDER BY id"
            ),
            {"ca": tenant.client_account_id, "eng": tenant.engagement_id},
        )
        return [tuple(row) for row in result]


def test_upsert_round_trips_every_field(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    portfolio = docs.small_portfolio()
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.upsert_portfolio(portfolio) == (3, 2)
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.load_portfolio() == portfolio
        assert repo.portfolio.count_applications() == 3


def test_upsert_twice_gives_the_same_rows(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
    first_apps = raw_rows(database, tenant, "applications", "id, application_id, name, archived")
    first_deps = raw_rows(database, tenant, "application_dependencies", "id, source_application_id, weight")
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.upsert_portfolio(docs.small_portfolio()) == (3, 2)
    assert raw_rows(database, tenant, "applications", "id, application_id, name, archived") == first_apps
    assert (
        raw_rows(database, tenant, "application_dependencies", "id, source_application_id, weight")
        == first_deps
    )
    assert [row[1:] for row in first_apps] == [
        ("A1", "Billing", False),
        ("A2", "Ledger", False),
        ("A3", "Reports DB", False),
    ]


def test_upsert_updates_changed_values_in_place(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
    changed = Portfolio.model_construct(  # a partial import: dependencies on already-stored apps
        applications=[
            Application(
                application_id="A2", name="Ledger v2", six_r_strategy=SixR.REFACTOR, effort_hours=None
            ),
            Application(application_id="A4", name="New"),
        ],
        dependencies=[
            Dependency(
                source_application_id="A2",
                target_application_id="A3",
                dependency_type=DependencyType.MOVE_TOGETHER,
                weight=9.0,
            ),
            Dependency(source_application_id="A4", target_application_id="A1"),
        ],
    )
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.upsert_portfolio(changed) == (2, 2)
    with database.unit_of_work(tenant) as repo:
        apps = repo.portfolio.list_applications()
        deps = repo.portfolio.list_dependencies()
    assert [(a.application_id, a.name, a.six_r_strategy, a.effort_hours) for a in apps] == [
        ("A1", "Billing", SixR.REHOST, None),
        ("A2", "Ledger v2", SixR.REFACTOR, None),
        ("A3", "Reports DB", SixR.REHOST, None),
        ("A4", "New", SixR.REHOST, None),
    ]
    assert apps[1].required_skills == [] and apps[1].attributes == {}
    assert [
        (d.source_application_id, d.target_application_id, d.dependency_type.value, d.weight) for d in deps
    ] == [
        ("A1", "A2", "precedes", 1.0),
        ("A2", "A3", "move_together", 9.0),
        ("A4", "A1", "precedes", 1.0),
    ]


def test_duplicate_dependency_lines_are_written_once(database: Database, tenant: TenantContext) -> None:
    apps = [Application(application_id="X", name="x"), Application(application_id="Y", name="y")]
    deps = [
        Dependency(source_application_id="X", target_application_id="Y", weight=1.0),
        Dependency(source_application_id="X", target_application_id="Y", weight=4.0),
    ]
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.upsert_portfolio(Portfolio(applications=apps, dependencies=deps)) == (2, 1)
        assert repo.portfolio.list_dependencies() == [
            Dependency(source_application_id="X", target_application_id="Y", weight=4.0)
        ]


def test_dependency_on_unknown_application_is_refused(database: Database, tenant: TenantContext) -> None:
    unchecked = Portfolio.model_construct(
        applications=[Application(application_id="X", name="x")],
        dependencies=[Dependency(source_application_id="X", target_application_id="GHOST")],
    )
    with pytest.raises(InvalidInput, match="^Dependencies name unknown applications: GHOST.$"):
        with database.unit_of_work(tenant) as repo:
            repo.portfolio.upsert_portfolio(unchecked)
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.count_applications() == 0


def test_dependency_on_previously_imported_application_is_accepted(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
    later = Portfolio.model_construct(
        applications=[Application(application_id="A9", name="late")],
        dependencies=[Dependency(source_application_id="A9", target_application_id="A1")],
    )
    with database.unit_of_work(tenant) as repo:
        assert repo.portfolio.upsert_portfolio(later) == (1, 1)
        assert repo.portfolio.load_portfolio(["A9", "A1"]).dependencies == [
            Dependency(source_application_id="A9", target_application_id="A1")
        ]


def test_list_and_load_subsets(database: Database, tenant: TenantContext, docs: SimpleNamespace) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        assert [a.application_id for a in repo.portfolio.list_applications(["A3", "A1", "NOPE"])] == [
            "A1",
            "A3",
        ]
        assert repo.portfolio.missing_application_ids(["A3", "NOPE", "A1", "NOPE", "Z"]) == ["NOPE", "Z"]
        subset = repo.portfolio.load_portfolio(["A2", "A3"])
    assert [a.application_id for a in subset.applications] == ["A2", "A3"]
    assert subset.dependencies == [
        Dependency(
            source_application_id="A2",
            target_application_id="A3",
            dependency_type=DependencyType.MOVE_TOGETHER,
            weight=2.5,
        )
    ]


def test_long_id_lists_are_filtered_exactly(database: Database, tenant: TenantContext) -> None:
    apps = [Application(application_id=f"APP-{i:04d}", name=f"app {i}") for i in range(700)]
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(Portfolio(applications=apps))
        wanted = [f"APP-{i:04d}" for i in range(0, 700, 2)] + [f"MISSING-{i}" for i in range(300)]
        assert [a.application_id for a in repo.portfolio.list_applications(wanted)] == [
            f"APP-{i:04d}" for i in range(0, 700, 2)
        ]
        assert repo.portfolio.missing_application_ids(wanted) == [f"MISSING-{i}" for i in range(300)]


def test_archive_hides_and_upsert_unarchives(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        repo.portfolio.archive_application("A2")
    with database.unit_of_work(tenant) as repo:
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A3"]
        assert [a.application_id for a in repo.portfolio.list_applications(include_archived=True)] == [
            "A1",
            "A2",
            "A3",
        ]
        assert repo.portfolio.count_applications() == 2
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
    with database.unit_of_work(tenant) as repo:
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A2", "A3"]
        with pytest.raises(NotFound, match="^Application 'NOPE' does not exist in this engagement.$"):
            repo.portfolio.archive_application("NOPE")


def test_delete_unused_application_removes_its_dependencies(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        repo.portfolio.delete_application("A2")
    with database.unit_of_work(tenant) as repo:
        assert [a.application_id for a in repo.portfolio.list_applications(include_archived=True)] == [
            "A1",
            "A3",
        ]
        assert repo.portfolio.list_dependencies() == []


def test_delete_application_used_by_a_plan_is_refused(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        repo.plans.create_plan(
            name="Q3 plan", config=docs.small_config(), selected_application_ids=["A1", "A2"], created_by="x"
        )
    with pytest.raises(InvalidInput) as refused:
        with database.unit_of_work(tenant) as repo:
            repo.portfolio.delete_application("A2")
    assert str(refused.value) == (
        "Application 'A2' is used by the plan(s) 'Q3 plan'; remove it from those plans (or archive it) "
        "before deleting it."
    )
    with database.unit_of_work(tenant) as repo:
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A2", "A3"]
        assert len(repo.portfolio.list_dependencies()) == 2
        repo.portfolio.delete_application("A3")
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A2"]


def test_delete_absent_application_is_not_found(database: Database, tenant: TenantContext) -> None:
    with pytest.raises(NotFound, match="^Application 'A1' does not exist in this engagement.$"):
        with database.unit_of_work(tenant) as repo:
            repo.portfolio.delete_application("A1")
