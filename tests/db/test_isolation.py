"""Tenant isolation: another tenant never sees or writes this tenant's rows, through any Repository method."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text

from db.models import TENANT_TABLES
from db.repository import Repository
from db.session import Database
from planning_core.domain import Application, Dependency, Portfolio, TenantContext
from planning_core.errors import NotFound
from planning_core.plan import PlanDocument


def populate(database: Database, tenant: TenantContext, docs: SimpleNamespace, label: str) -> PlanDocument:
    """Portfolio (same application ids in every tenant), one plan with documents and a revision."""
    portfolio = docs.small_portfolio()
    renamed = Portfolio(
        applications=[a.model_copy(update={"name": f"{label} {a.name}"}) for a in portfolio.applications],
        dependencies=portfolio.dependencies,
    )
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(renamed)
        plan = repo.plans.create_plan(
            name=f"{label} plan",
            config=docs.small_config(),
            selected_application_ids=["A1", "A2"],
            created_by=label,
        )
        saved = repo.plans.save_plan(docs.with_documents(plan), expected_version=1)
        repo.revisions.add_revision(
            planning_flow_id=plan.planning_flow_id, revision=1, action="initialize", summary=label,
            changes={"by": label}, snapshot={"owner": label}, created_by=label,
        )  # fmt: skip
    return saved


def everything(repo: Repository, flow_id: str) -> dict[str, Any]:
    """All that a tenant can read about its data and one of its plans."""
    return {
        "applications": repo.portfolio.list_applications(include_archived=True),
        "dependencies": repo.portfolio.list_dependencies(),
        "count": repo.portfolio.count_applications(),
        "flows": repo.plans.list_plans(),
        "flow": repo.plans.get_plan(flow_id),
        "revisions": repo.revisions.list_revisions(flow_id),
        "snapshot": repo.revisions.get_revision_snapshot(flow_id, 1),
        "timeline": repo.plans.timeline_rows(flow_id),
        "milestones": repo.plans.milestone_rows(flow_id),
        "project_timeline": repo.plans.project_timeline_row(flow_id),
        "allocations": repo.plans.allocation_rows(flow_id),
        "pools": repo.plans.resource_pool_rows(flow_id),
        "heartbeat": repo.plans.heartbeat_at(flow_id),
    }


def rows_of_flow_outside_tenant(database: Database, flow_id: str, tenant: TenantContext) -> int:
    """Raw SQL: rows linked to the flow (directly or via its timeline/pools) that carry another tenant."""
    queries = [
        "SELECT count(*) FROM planning_flows WHERE id = :f AND NOT (client_account_id = :ca AND engagement_id = :eng)",
        *(
            f"SELECT count(*) FROM {table} WHERE planning_flow_id = :f "
            "AND NOT (client_account_id = :ca AND engagement_id = :eng)"
            for table in ("plan_revisions", "project_timelines", "resource_pools", "resource_allocations")
        ),
        "SELECT count(*) FROM timeline_phases p JOIN project_timelines t ON t.id = p.timeline_id "
        "WHERE t.planning_flow_id = :f AND NOT (p.client_account_id = :ca AND p.engagement_id = :eng)",
        "SELECT count(*) FROM timeline_milestones m JOIN project_timelines t ON t.id = m.timeline_id "
        "WHERE t.planning_flow_id = :f AND NOT (m.client_account_id = :ca AND m.engagement_id = :eng)",
        "SELECT count(*) FROM resource_skills s JOIN resource_pools p ON p.id = s.resource_pool_id "
        "WHERE p.planning_flow_id = :f AND NOT (s.client_account_id = :ca AND s.engagement_id = :eng)",
    ]
    params = {"f": flow_id, "ca": tenant.client_account_id, "eng": tenant.engagement_id}
    with database.engine.connect() as connection:
        return sum(connection.execute(text(q), params).scalar_one() for q in queries)


@pytest.fixture(params=["other_client_account", "same_client_account_other_engagement"])
def intruder(request: pytest.FixtureRequest, database: Database, tenant: TenantContext) -> TenantContext:
    """Another tenant: a different client account, or a sibling engagement of the same account."""
    if request.param == "other_client_account":
        return request.getfixturevalue("other_tenant")
    with database.tenancy() as tenancy:
        engagement_id = tenancy.ensure_engagement(tenant.client_account_id, "sibling engagement")
    return TenantContext(client_account_id=tenant.client_account_id, engagement_id=engagement_id)


def test_every_method_is_blind_and_harmless_to_other_tenants(
    database: Database, tenant: TenantContext, intruder: TenantContext, docs: SimpleNamespace
) -> None:
    victim_plan = populate(database, tenant, docs, "victim")
    intruder_plan = populate(database, intruder, docs, "intruder")
    victim_id = victim_plan.planning_flow_id
    with database.unit_of_work(tenant) as repo:
        before = everything(repo, victim_id)
    victim_counts = docs.tenant_row_counts(database, tenant)
    intruder_counts = docs.tenant_row_counts(database, intruder)

    # Reads: the intruder sees only its own rows and nothing of the victim's plan.
    with database.unit_of_work(intruder) as repo:
        assert [a.name for a in repo.portfolio.list_applications(include_archived=True)] == [
            "intruder Billing",
            "intruder Ledger",
            "intruder Reports DB",
        ]
        assert [a.name for a in repo.portfolio.load_portfolio(["A1", "A2", "A3"]).applications][
            0
        ] == "intruder Billing"
        assert [f.planning_flow_id for f in repo.plans.list_plans()] == [intruder_plan.planning_flow_id]
        assert repo.revisions.list_revisions(victim_id) == []
        assert repo.plans.timeline_rows(victim_id) == []
        assert repo.plans.milestone_rows(victim_id) == []
        assert repo.plans.project_timeline_row(victim_id) is None
        assert repo.plans.allocation_rows(victim_id) == []
        assert repo.plans.resource_pool_rows(victim_id) == []

    # Every call on the victim's plan by id is NotFound, and changes nothing.
    refused: list[Callable[[Repository], Any]] = [
        lambda r: r.plans.get_plan(victim_id),
        lambda r: r.plans.save_plan(victim_plan.model_copy(update={"name": "hijacked"}), expected_version=2),
        lambda r: r.plans.save_plan(
            victim_plan.model_copy(
                update={
                    "client_account_id": intruder.client_account_id,
                    "engagement_id": intruder.engagement_id,
                }
            ),
            expected_version=2,
        ),
        lambda r: r.plans.touch_heartbeat(victim_id),
        lambda r: r.plans.heartbeat_at(victim_id),
        lambda r: r.revisions.add_revision(
            planning_flow_id=victim_id,
            revision=2,
            action="x",
            summary="",
            changes={},
            snapshot={},
            created_by="x",
        ),
        lambda r: r.revisions.get_revision_snapshot(victim_id, 1),
        lambda r: r.plans.delete_plan(victim_id),
    ]
    for call in refused:
        with pytest.raises(NotFound, match=f"{victim_id}"):
            with database.unit_of_work(intruder) as repo:
                call(repo)

    # Writes in the intruder's tenant with the victim's application ids stay in the intruder's tenant.
    with database.unit_of_work(intruder) as repo:
        repo.portfolio.upsert_portfolio(
            Portfolio(
                applications=[
                    Application(application_id="A1", name="overwritten"),
                    Application(application_id="Z", name="z"),
                ],
                dependencies=[Dependency(source_application_id="Z", target_application_id="A1")],
            )
        )
        repo.portfolio.archive_application("A3")
        repo.plans.delete_plan(intruder_plan.planning_flow_id)
        repo.portfolio.delete_application("A2")
    with pytest.raises(NotFound, match="^Application 'Z' does not exist in this engagement.$"):
        with database.unit_of_work(tenant) as repo:
            repo.portfolio.delete_application("Z")

    with database.unit_of_work(tenant) as repo:
        assert everything(repo, victim_id) == before
    assert docs.tenant_row_counts(database, tenant) == victim_counts
    assert docs.tenant_row_counts(database, intruder) == intruder_counts | {
        "applications": 3,  # A1, A3 (archived), Z
        "application_dependencies": 1,  # Z -> A1 (A2's dependencies went with A2)
        "planning_flows": 0,
        "plan_revisions": 0,
        "project_timelines": 0,
        "timeline_phases": 0,
        "timeline_milestones": 0,
        "resource_pools": 0,
        "resource_skills": 0,
        "resource_allocations": 0,
    }
    assert rows_of_flow_outside_tenant(database, victim_id, tenant) == 0


def test_delete_guard_only_counts_plans_of_the_same_tenant(
    database: Database, tenant: TenantContext, other_tenant: TenantContext, docs: SimpleNamespace
) -> None:
    populate(database, tenant, docs, "victim")  # its plan selects A1 and A2
    with database.unit_of_work(other_tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        repo.portfolio.delete_application("A2")
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A3"]
    with database.unit_of_work(tenant) as repo:
        assert [a.application_id for a in repo.portfolio.list_applications()] == ["A1", "A2", "A3"]


def test_mismatched_tenant_pair_is_refused(
    database: Database, tenant: TenantContext, other_tenant: TenantContext
) -> None:
    crossed = TenantContext(
        client_account_id=tenant.client_account_id, engagement_id=other_tenant.engagement_id
    )
    with pytest.raises(
        NotFound,
        match=f"^Engagement {other_tenant.engagement_id} of client account {tenant.client_account_id} does not exist.$",
    ):
        with database.unit_of_work(crossed) as repo:
            repo.portfolio.count_applications()


def test_tenant_tables_all_carry_both_tenant_columns(database: Database) -> None:
    assert sorted(TENANT_TABLES) == [
        "application_dependencies",
        "applications",
        "plan_baselines",
        "plan_revisions",
        "plan_sources",
        "planning_flows",
        "portfolio_edits",
        "portfolio_imports",
        "portfolio_source_applications",
        "portfolio_source_dependencies",
        "portfolio_sources",
        "project_timelines",
        "resource_allocations",
        "resource_pools",
        "resource_skills",
        "timeline_milestones",
        "timeline_phases",
    ]
    with database.engine.connect() as connection:
        for table in TENANT_TABLES:
            assert (
                connection.execute(
                    text(
                        f"SELECT count(*) FROM {table} WHERE client_account_id IS NULL OR engagement_id IS NULL"
                    )
                ).scalar_one()
                == 0
            )
