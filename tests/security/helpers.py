"""Shared pieces of the security suite: a small portfolio, a fast config, and a torn-row check."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from db import convert
from db.session import Database
from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Portfolio,
    SixR,
    TenantContext,
)

FAST_CONFIG: dict[str, Any] = {
    "max_apps_per_wave": 2,
    "wave_duration_limit_days": 30,
    "pilot_wave": False,
    "solver_time_limit_seconds": 2,
}


def tiny_portfolio(prefix: str = "") -> Portfolio:
    """Five applications: a database two apps depend on, a move-together pair, a retired app."""

    def app(
        app_id: str, strategy: SixR = SixR.REHOST, criticality: Criticality = Criticality.MEDIUM
    ) -> Application:
        return Application(
            application_id=prefix + app_id,
            name=f"App {app_id}",
            business_unit="Retail",
            six_r_strategy=strategy,
            complexity=4,
            business_criticality=criticality,
            effort_hours=None if strategy == SixR.RETIRE else 80.0,
            server_count=2,
            data_size_gb=40.0,
        )

    return Portfolio(
        applications=[
            app("db", SixR.REPLATFORM, Criticality.HIGH),
            app("web"),
            app("api", criticality=Criticality.CRITICAL),
            app("batch", criticality=Criticality.LOW),
            app("legacy", SixR.RETIRE),
        ],
        dependencies=[
            Dependency(source_application_id=prefix + "db", target_application_id=prefix + "web"),
            Dependency(
                source_application_id=prefix + "web",
                target_application_id=prefix + "api",
                dependency_type=DependencyType.MOVE_TOGETHER,
                weight=5,
            ),
        ],
    )


def app_ids(portfolio: Portfolio) -> list[str]:
    return [a.application_id for a in portfolio.applications]


def relational_mismatches(database: Database, tenant: TenantContext, planning_flow_id: str) -> list[str]:
    """Where the plan's relational rows differ from what its stored documents imply (empty: no torn rows)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with database.unit_of_work(tenant) as repo:
        plan = repo.plans.get_plan(planning_flow_id)
        phases, milestones = (
            repo.plans.timeline_rows(planning_flow_id),
            repo.plans.milestone_rows(planning_flow_id),
        )
        head = repo.plans.project_timeline_row(planning_flow_id)
        allocations, pools = (
            repo.plans.allocation_rows(planning_flow_id),
            repo.plans.resource_pool_rows(planning_flow_id),
        )
    want_head, want_phases, want_milestones = convert.timeline_rows(plan, tenant, now)
    want_pools, _skills, want_allocations = convert.resource_rows(plan, tenant, now)
    problems = []
    if (head is None) != (want_head is None) or (
        head and want_head and head["overall_end_date"] != want_head["overall_end_date"]
    ):
        problems.append(f"project timeline {head} vs {want_head}")
    got = [(p["activity_id"], p["planned_start_date"], p["planned_end_date"]) for p in phases]
    want = [(p["activity_id"], p["planned_start_date"], p["planned_end_date"]) for p in want_phases]
    if got != want:
        problems.append(f"timeline phases: {len(got)} rows vs {len(want)} from the document")
    if [m["milestone_name"] for m in milestones] != [m["milestone_name"] for m in want_milestones]:
        problems.append("milestones differ from the document")
    got_alloc = sorted((a["wave_number"], a["role"], Decimal(a["allocated_hours"])) for a in allocations)
    want_alloc = sorted((a["wave_number"], a["role"], a["allocated_hours"]) for a in want_allocations)
    if got_alloc != want_alloc:
        problems.append(f"allocations: {len(got_alloc)} rows vs {len(want_alloc)} from the document")
    # pool rows are first written with the resource allocation (create_flow writes none): absent is fine then
    pools_pending = plan.resource_allocation is None and not pools
    if not pools_pending and sorted(p["role_name"] for p in pools) != sorted(
        p["role_name"] for p in want_pools
    ):
        problems.append("resource pools differ from the configuration")
    return problems
