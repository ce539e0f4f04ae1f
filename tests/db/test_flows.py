"""Planning flows: creation, exact document round-trips, optimistic concurrency, relational rows, revisions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from db import convert
from db.repository import RevisionInfo
from db.session import Database
from planning_core.domain import Phase, PhaseStatus, TenantContext
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.schedule.models import Milestone
from planning_core.errors import NotFound, StaleWriteError
from planning_core.plan import PlanDocument


def new_flow(
    database: Database, tenant: TenantContext, docs: SimpleNamespace, name: str = "Plan"
) -> PlanDocument:
    """A stored plan over the small portfolio (documents empty, version 1)."""
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        return repo.plans.create_plan(
            name=name,
            config=docs.small_config(),
            selected_application_ids=["A1", "A2", "A3"],
            created_by="ana",
        )


def saved_with_documents(database: Database, tenant: TenantContext, docs: SimpleNamespace) -> PlanDocument:
    """A stored plan with every phase document (version 2)."""
    plan = new_flow(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        return repo.plans.save_plan(docs.with_documents(plan), expected_version=1)


def names(database: Database, tenant: TenantContext) -> tuple[str, str]:
    with database.tenancy() as tenancy:
        return tenancy.names(tenant.client_account_id, tenant.engagement_id)


EXPECTED_TIMELINE_ROWS = [
    {
        "phase_number": 1,
        "phase_name": "Wave 1 migrate",
        "activity_id": "W1-migrate",
        "wave_number": 1,
        "planned_start_date": date(2027, 3, 1),
        "planned_end_date": date(2027, 3, 5),
        "slack_days": 0,
        "is_critical": True,
    },
    {
        "phase_number": 2,
        "phase_name": "Wave 1 cutover",
        "activity_id": "W1-cutover",
        "wave_number": 1,
        "planned_start_date": date(2027, 3, 8),
        "planned_end_date": date(2027, 3, 12),
        "slack_days": 2,
        "is_critical": False,
    },
    {
        "phase_number": 3,
        "phase_name": "Wave 2 migrate",
        "activity_id": "W2-migrate",
        "wave_number": 2,
        "planned_start_date": date(2027, 3, 15),
        "planned_end_date": date(2027, 3, 26),
        "slack_days": 0,
        "is_critical": True,
    },
    {
        "phase_number": 4,
        "phase_name": "Wave 2 cutover",
        "activity_id": "W2-cutover",
        "wave_number": 2,
        "planned_start_date": date(2027, 3, 29),
        "planned_end_date": date(2027, 3, 31),
        "slack_days": 0,
        "is_critical": True,
    },
]

EXPECTED_MILESTONE_ROWS = [
    {
        "milestone_number": 1,
        "milestone_name": "Wave 1 cut-over",
        "target_date": date(2027, 3, 12),
        "description": "",
        "milestone_kind": "cutover",
        "wave_number": 1,
    },
    {
        "milestone_number": 2,
        "milestone_name": "Wave 2 go-live",
        "target_date": date(2027, 3, 31),
        "description": "all apps live",
        "milestone_kind": "go_live",
        "wave_number": 2,
    },
    {
        "milestone_number": 3,
        "milestone_name": "Done",
        "target_date": date(2027, 3, 31),
        "description": "",
        "milestone_kind": "completion",
        "wave_number": None,
    },
]


def allocation(
    wave: int, role: str, pool: str | None, hours: str, capacity: str, **extra: Any
) -> dict[str, Any]:
    row = {
        "wave_number": wave,
        "role": role,
        "pool_name": pool,
        "allocated_hours": Decimal(hours),
        "capacity_hours": Decimal(capacity),
        "is_ai_suggested": True,
        "ai_confidence_score": 0.8,
        "source": "suggested",
        "reason": "",
    }
    return row | extra


EXPECTED_ALLOCATION_ROWS = [
    allocation(1, "migration_engineer", "migration_engineer pool", "40.00", "160.00"),
    allocation(2, "dba", "dba pool", "96.25", "60.00", ai_confidence_score=0.7),
    allocation(
        2,
        "migration_engineer",
        "migration_engineer pool",
        "100.25",
        "160.00",
        is_ai_suggested=False,
        ai_confidence_score=1.0,
        source="manual",
        reason="analyst moved hours",
    ),
    allocation(2, "tester", None, "10.00", "0.00"),
]


def pool(role: str, headcount: int, weekly: str, total: str, available: str, allocated: str, rate: str,
         utilisation: str, skills: list[str]) -> dict[str, Any]:  # fmt: skip
    return {
        "pool_name": f"{role} pool",
        "role_name": role,
        "headcount": headcount,
        "capacity_hours_per_week": Decimal(weekly),
        "total_capacity_hours": Decimal(total),
        "available_capacity_hours": Decimal(available),
        "allocated_capacity_hours": Decimal(allocated),
        "hourly_rate": Decimal(rate),
        "currency": "USD",
        "utilization_percentage": Decimal(utilisation),
        "skills": skills,
    }


# migration_engineer: 140.25 of 320 h = 43.83 %; dba: 96.25 of 60 h = 160.42 %, nothing available.
EXPECTED_POOL_ROWS = [
    pool("dba", 1, "30.00", "60.00", "0.00", "96.25", "130.00", "160.42", []),
    pool("migration_engineer", 2, "40.00", "320.00", "179.75", "140.25", "110.55", "43.83", ["linux"]),
]
POOLS_WITHOUT_ALLOCATION = [
    pool("dba", 1, "30.00", "0.00", "0.00", "0.00", "130.00", "0.00", []),
    pool("migration_engineer", 2, "40.00", "0.00", "0.00", "0.00", "110.55", "0.00", ["linux"]),
]


# --- creation and reading -------------------------------------------------------------------------------


def test_create_flow_starts_pending_at_version_1(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    before = datetime.now(UTC)
    plan = new_flow(database, tenant, docs, name="Q3 plan")
    client_name, engagement_name = names(database, tenant)
    assert plan.created_at is not None and before <= plan.created_at <= datetime.now(UTC)
    assert plan == PlanDocument(
        planning_flow_id=plan.planning_flow_id,
        name="Q3 plan",
        client_account_id=tenant.client_account_id,
        engagement_id=tenant.engagement_id,
        client_account_name=client_name,
        engagement_name=engagement_name,
        version=1,
        revision=0,
        current_phase=Phase.WAVE_PLANNING,
        phase_status=PhaseStatus.PENDING,
        phase_statuses={phase: PhaseStatus.PENDING for phase in Phase},
        planning_config=docs.small_config(),
        selected_applications=["A1", "A2", "A3"],
        created_at=plan.created_at,
        updated_at=plan.created_at,
    )
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.get_plan(plan.planning_flow_id) == plan


def test_get_absent_flow_names_the_id(database: Database, tenant: TenantContext) -> None:
    with pytest.raises(NotFound, match="^Plan no-such-plan does not exist in this engagement.$"):
        with database.unit_of_work(tenant) as repo:
            repo.plans.get_plan("no-such-plan")


def test_list_flows_newest_first_without_documents(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    first = saved_with_documents(database, tenant, docs)
    second = new_flow(database, tenant, docs, name="Second")
    with database.unit_of_work(tenant) as repo:
        listed = repo.plans.list_plans()
    assert [(p.planning_flow_id, p.name, p.version, p.current_phase) for p in listed] == [
        (second.planning_flow_id, "Second", 1, Phase.WAVE_PLANNING),
        (first.planning_flow_id, "Plan", 2, Phase.COMPLETED),
    ]
    assert listed[1] == first.model_copy(
        update={
            "wave_plan": None,
            "resource_allocation": None,
            "timeline": None,
            "cost_estimation": None,
            "synthesis": None,
        }
    )


# --- documents round-trip exactly -------------------------------------------------------------------------


def test_documents_round_trip_exactly(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    saved = saved_with_documents(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        loaded = repo.plans.get_plan(saved.planning_flow_id)
    assert loaded == saved
    assert loaded.version == 2
    assert loaded.wave_plan == docs.wave_plan()
    assert loaded.resource_allocation == docs.resource_allocation()
    assert loaded.timeline == docs.timeline()
    assert loaded.cost_estimation == docs.cost_estimate()
    assert loaded.synthesis == docs.synthesis()
    cost = loaded.cost_estimation
    assert cost is not None
    assert [str(v.quantize(Decimal("0.01"))) for v in (cost.subtotal, cost.contingency, cost.total)] == [
        "30863.39",
        "4629.51",
        "35492.90",
    ]
    assert loaded.planning_config.resource_pools[0].hourly_rate == Decimal("110.55")
    assert loaded.updated_at is not None and loaded.updated_at.tzinfo is not None
    assert loaded.updated_at.utcoffset() == timedelta(0)


cents = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2, allow_nan=False)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(cents, min_size=3, max_size=3), when=days)
def test_cents_and_dates_round_trip_property(
    database: Database, tenant: TenantContext, docs: SimpleNamespace, amounts: list[Decimal], when: date
) -> None:
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.upsert_portfolio(docs.small_portfolio())
        plan = repo.plans.create_plan(
            name="p", config=docs.small_config(), selected_application_ids=["A1"], created_by="x"
        )
        cost = docs.cost_estimate().model_copy(
            update={"subtotal": amounts[0], "contingency": amounts[1], "total": amounts[2]}
        )
        timeline = docs.timeline().model_copy(
            update={"milestones": [Milestone(id="M", name="m", date=when, kind="completion")]}
        )
        repo.plans.save_plan(
            plan.model_copy(update={"cost_estimation": cost, "timeline": timeline}), expected_version=1
        )
    with database.unit_of_work(tenant) as repo:
        loaded = repo.plans.get_plan(plan.planning_flow_id)
        assert repo.plans.milestone_rows(plan.planning_flow_id)[0]["target_date"] == when
    assert loaded.cost_estimation is not None and loaded.timeline is not None
    assert [
        loaded.cost_estimation.subtotal,
        loaded.cost_estimation.contingency,
        loaded.cost_estimation.total,
    ] == amounts
    assert loaded.timeline.milestones[0].date == when


# --- optimistic concurrency -----------------------------------------------------------------------------


def test_save_with_current_version_bumps_it(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        saved = repo.plans.save_plan(plan.model_copy(update={"name": "Renamed"}), expected_version=1)
    assert (saved.version, saved.name) == (2, "Renamed")
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.get_plan(plan.planning_flow_id) == saved


def test_stale_write_is_refused_and_nothing_changes(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        winner = repo.plans.save_plan(plan.model_copy(update={"name": "First edit"}), expected_version=1)
    counts = docs.tenant_row_counts(database, tenant)
    late = docs.with_documents(plan).model_copy(update={"name": "Late edit"})
    with pytest.raises(StaleWriteError) as refused:
        with database.unit_of_work(tenant) as repo:
            repo.plans.save_plan(late, expected_version=1)
    assert str(refused.value) == (
        "This plan was changed by someone else (version 1 is now 2). "
        "Reload to see the latest plan; your change was not saved."
    )
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.get_plan(plan.planning_flow_id) == winner
        assert repo.plans.timeline_rows(plan.planning_flow_id) == []
    assert docs.tenant_row_counts(database, tenant) == counts


def test_save_of_absent_flow_is_not_found(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    ghost = plan.model_copy(update={"planning_flow_id": "00000000-0000-0000-0000-000000000000"})
    with pytest.raises(NotFound, match="^Plan 00000000-0000-0000-0000-000000000000 does not exist"):
        with database.unit_of_work(tenant) as repo:
            repo.plans.save_plan(ghost, expected_version=1)


# --- relational rows, written with the documents ---------------------------------------------------------


def test_relational_rows_follow_the_documents(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    saved = saved_with_documents(database, tenant, docs)
    flow_id = saved.planning_flow_id
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.timeline_rows(flow_id) == EXPECTED_TIMELINE_ROWS
        assert repo.plans.milestone_rows(flow_id) == EXPECTED_MILESTONE_ROWS
        assert repo.plans.project_timeline_row(flow_id) == {
            "timeline_name": "Migration timeline",
            "overall_start_date": date(2027, 3, 1),
            "overall_end_date": date(2027, 3, 31),
            "timeline_status": "active",
        }
        assert repo.plans.allocation_rows(flow_id) == EXPECTED_ALLOCATION_ROWS
        assert repo.plans.resource_pool_rows(flow_id) == EXPECTED_POOL_ROWS
    counts = docs.tenant_row_counts(database, tenant)
    assert {t: counts[t] for t in ("resource_pools", "resource_skills", "resource_allocations")} == {
        "resource_pools": 2,
        "resource_skills": 1,
        "resource_allocations": 4,
    }

    # Saving again replaces (not duplicates) the rows; removing documents removes their rows.
    with database.unit_of_work(tenant) as repo:
        again = repo.plans.save_plan(saved, expected_version=2)
        repo.plans.save_plan(
            again.model_copy(update={"timeline": None, "resource_allocation": None}), expected_version=3
        )
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.timeline_rows(flow_id) == []
        assert repo.plans.milestone_rows(flow_id) == []
        assert repo.plans.project_timeline_row(flow_id) is None
        assert repo.plans.allocation_rows(flow_id) == []
        assert repo.plans.resource_pool_rows(flow_id) == POOLS_WITHOUT_ALLOCATION


def test_failed_relational_write_rolls_back_the_document_update(
    database: Database, tenant: TenantContext, docs: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = saved_with_documents(database, tenant, docs)
    counts = docs.tenant_row_counts(database, tenant)
    real_timeline_rows = convert.timeline_rows

    def broken_timeline_rows(*args: Any) -> Any:
        head, phases, milestones = real_timeline_rows(*args)
        phases[-1]["planned_start_date"] = None  # NOT NULL: fails after the flow row was updated
        return head, phases, milestones

    monkeypatch.setattr(convert, "timeline_rows", broken_timeline_rows)
    edited = saved.model_copy(
        update={
            "name": "Edited",
            "warnings": ["changed"],
            "cost_estimation": None,
            "phase_status": PhaseStatus.STALE,
        }
    )
    with pytest.raises(IntegrityError):
        with database.unit_of_work(tenant) as repo:
            repo.plans.save_plan(edited, expected_version=2)

    monkeypatch.setattr(convert, "timeline_rows", real_timeline_rows)
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.get_plan(saved.planning_flow_id) == saved
        assert repo.plans.timeline_rows(saved.planning_flow_id) == EXPECTED_TIMELINE_ROWS
        assert repo.plans.allocation_rows(saved.planning_flow_id) == EXPECTED_ALLOCATION_ROWS
    assert docs.tenant_row_counts(database, tenant) == counts


def test_exception_in_unit_of_work_rolls_everything_back(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    counts = docs.tenant_row_counts(database, tenant)
    with pytest.raises(RuntimeError, match="boom"):
        with database.unit_of_work(tenant) as repo:
            repo.plans.save_plan(docs.with_documents(plan), expected_version=1)
            repo.revisions.add_revision(
                planning_flow_id=plan.planning_flow_id,
                revision=1,
                action="edit",
                summary="s",
                changes={},
                snapshot={},
                created_by="ana",
            )
            raise RuntimeError("boom")
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.get_plan(plan.planning_flow_id) == plan
    assert docs.tenant_row_counts(database, tenant) == counts


# --- heartbeat, revisions, deletion ----------------------------------------------------------------------


def test_heartbeat_does_not_change_the_version(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        assert repo.plans.heartbeat_at(plan.planning_flow_id) is None
        repo.plans.touch_heartbeat(plan.planning_flow_id)
    with database.unit_of_work(tenant) as repo:
        beat = repo.plans.heartbeat_at(plan.planning_flow_id)
        assert beat is not None and beat.utcoffset() == timedelta(0)
        assert plan.created_at is not None and beat >= plan.created_at
        assert repo.plans.get_plan(plan.planning_flow_id) == plan
        with pytest.raises(NotFound, match="^Plan nope does not exist in this engagement.$"):
            repo.plans.touch_heartbeat("nope")


def test_revisions_are_listed_in_order_with_snapshots(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    flow_id = plan.planning_flow_id
    snapshot = plan.model_dump(mode="json")
    before = datetime.now(UTC)
    with database.unit_of_work(tenant) as repo:
        repo.revisions.add_revision(
            planning_flow_id=flow_id,
            revision=0,
            action="initialize",
            summary="Plan created",
            changes={},
            snapshot=snapshot,
            created_by="ana",
        )
        repo.revisions.add_revision(
            planning_flow_id=flow_id,
            revision=1,
            action="move_application",
            summary="A2 to wave 1",
            changes={"A2": {"from": 2, "to": 1}},
            snapshot={"k": [1, 2.5, "x", None]},
            created_by="bo",
        )
    with database.unit_of_work(tenant) as repo:
        revisions = repo.revisions.list_revisions(flow_id)
        assert repo.revisions.get_revision_snapshot(flow_id, 0) == snapshot
        assert repo.revisions.get_revision_snapshot(flow_id, 1) == {"k": [1, 2.5, "x", None]}
    assert all(before <= r.created_at <= datetime.now(UTC) for r in revisions)
    assert [r.model_copy(update={"created_at": before}) for r in revisions] == [
        RevisionInfo(revision=0, created_at=before, created_by="ana", action="initialize",
                     summary="Plan created", changes={}),
        RevisionInfo(revision=1, created_at=before, created_by="bo", action="move_application",
                     summary="A2 to wave 1", changes={"A2": {"from": 2, "to": 1}}),
    ]  # fmt: skip


def test_revision_number_taken_twice_is_a_stale_write(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    args = {"planning_flow_id": plan.planning_flow_id, "action": "edit", "summary": "s", "changes": {},
            "snapshot": {}, "created_by": "ana"}  # fmt: skip
    with database.unit_of_work(tenant) as repo:
        repo.revisions.add_revision(revision=1, **args)
    with pytest.raises(StaleWriteError) as refused:
        with database.unit_of_work(tenant) as repo:
            repo.revisions.add_revision(revision=1, **args | {"summary": "other"})
    assert str(refused.value) == (
        "Revision 1 of this plan was already recorded by someone else. "
        "Reload to see the latest plan; your change was not saved."
    )
    with database.unit_of_work(tenant) as repo:
        assert [(r.revision, r.summary) for r in repo.revisions.list_revisions(plan.planning_flow_id)] == [
            (1, "s")
        ]


def test_revision_lookups_of_absent_things_are_not_found(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    plan = new_flow(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        with pytest.raises(NotFound, match=f"^Revision 7 of plan {plan.planning_flow_id} does not exist.$"):
            repo.revisions.get_revision_snapshot(plan.planning_flow_id, 7)
        with pytest.raises(NotFound, match="^Plan nope does not exist in this engagement.$"):
            repo.revisions.add_revision(
                planning_flow_id="nope",
                revision=1,
                action="a",
                summary="",
                changes={},
                snapshot={},
                created_by="",
            )
        assert repo.revisions.list_revisions("nope") == []


def test_delete_flow_removes_its_revisions_and_rows(
    database: Database, tenant: TenantContext, docs: SimpleNamespace
) -> None:
    saved = saved_with_documents(database, tenant, docs)
    with database.unit_of_work(tenant) as repo:
        repo.revisions.add_revision(
            planning_flow_id=saved.planning_flow_id,
            revision=1,
            action="edit",
            summary="",
            changes={},
            snapshot={},
            created_by="ana",
        )
    with database.unit_of_work(tenant) as repo:
        repo.plans.delete_plan(saved.planning_flow_id)
    assert docs.tenant_row_counts(database, tenant) == {
        "applications": 3,
        "application_dependencies": 2,
        "planning_flows": 0,
        "plan_revisions": 0,
        "project_timelines": 0,
        "timeline_phases": 0,
        "timeline_milestones": 0,
        "resource_pools": 0,
        "resource_skills": 0,
        "resource_allocations": 0,
        "portfolio_sources": 0,
        "portfolio_imports": 0,
        "portfolio_edits": 0,
        "portfolio_source_applications": 0,
        "portfolio_source_dependencies": 0,
        "plan_sources": 0,
        "plan_baselines": 0,
    }
    with database.unit_of_work(tenant) as repo:
        with pytest.raises(NotFound):
            repo.plans.get_plan(saved.planning_flow_id)
        with pytest.raises(
            NotFound, match=f"^Plan {saved.planning_flow_id} does not exist in this engagement.$"
        ):
            repo.plans.delete_plan(saved.planning_flow_id)
        repo.portfolio.delete_application("A2")  # no plan uses it any more


def test_cost_document_keeps_cents_in_json(docs: SimpleNamespace) -> None:
    dumped = docs.cost_estimate().model_dump(mode="json")
    assert (dumped["subtotal"], dumped["contingency"], dumped["total"]) == (30863.39, 4629.51, 35492.9)
    assert CostEstimate.model_validate(dumped) == docs.cost_estimate()
