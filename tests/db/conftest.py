"""Hand-built documents for the persistence tests (small, exact, no engines involved)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from db.models import TENANT_TABLES
from db.session import Database
from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
    PlanningConfig,
    Portfolio,
    ResourcePool,
    SixR,
    TenantContext,
)
from planning_core.engines.costs.models import CategoryCost, CostEstimate, RoleCost, WaveCost
from planning_core.engines.resources.models import Allocation, AllocationSource, ResourceAllocation, SkillGap
from planning_core.engines.schedule.models import Activity, Milestone, Timeline, WaveWindow
from planning_core.engines.synthesis.models import ExecutiveSummary, Finding, Synthesis
from planning_core.engines.waves.models import Wave, WaveAssignment, WavePlan, WavePlanSummary
from planning_core.plan import PlanDocument


def small_portfolio() -> Portfolio:
    """Three applications: A1 precedes A2, A2 moves together with A3."""
    return Portfolio(
        applications=[
            Application(application_id="A1", name="Billing", business_unit="Finance", complexity=3),
            Application(
                application_id="A2",
                name="Ledger",
                six_r_strategy=SixR.REPLATFORM,
                business_criticality=Criticality.HIGH,
                effort_hours=120.5,
                required_skills=["Oracle", "linux"],
                attributes={"owner": "Ana"},
            ),
            Application(application_id="A3", name="Reports DB", server_count=3, data_size_gb=250.0),
        ],
        dependencies=[
            Dependency(source_application_id="A1", target_application_id="A2"),
            Dependency(
                source_application_id="A2",
                target_application_id="A3",
                dependency_type=DependencyType.MOVE_TOGETHER,
                weight=2.5,
            ),
        ],
    )


def small_config() -> PlanningConfig:
    """Two pools, one with a rate in cents."""
    return PlanningConfig(
        max_apps_per_wave=2,
        migration_start_date=date(2027, 3, 1),
        resource_pools=[
            ResourcePool(
                role="migration_engineer", headcount=2, hourly_rate=Decimal("110.55"), skills=["Linux"]
            ),
            ResourcePool(role="dba", headcount=1, capacity_hours_per_week=30, hourly_rate=Decimal("130")),
        ],
    )


def wave_plan() -> WavePlan:
    """A1 in wave 1, A2 and A3 in wave 2."""

    def assign(app_id: str, name: str, effort: float) -> WaveAssignment:
        return WaveAssignment(
            application_id=app_id,
            name=name,
            six_r_strategy=SixR.REHOST,
            complexity=5,
            business_criticality=Criticality.MEDIUM,
            effort_hours=effort,
            rationale=f"{app_id} fits",
        )

    return WavePlan(
        waves=[
            Wave(wave_number=1, name="Pilot", applications=[assign("A1", "Billing", 40.0)], is_pilot=True),
            Wave(
                wave_number=2, applications=[assign("A2", "Ledger", 120.5), assign("A3", "Reports DB", 76.0)]
            ),
        ],
        summary=WavePlanSummary(
            total_waves=2,
            total_applications=3,
            migrated_applications=3,
            not_migrated_applications=0,
            total_effort_hours=236.5,
            effort_capacity_hours=1000.0,
            max_apps_per_wave=2,
        ),
        lower_bound=2,
        lower_bound_kind="capacity",
    )


def resource_allocation() -> ResourceAllocation:
    """Hours per role and wave; the dba is over-allocated in wave 2; 'tester' has no pool."""
    return ResourceAllocation(
        allocations=[
            Allocation(
                wave_number=1,
                role="migration_engineer",
                hours=40.0,
                capacity_hours=160.0,
                utilisation_pct=25.0,
                over_allocated=False,
            ),
            Allocation(
                wave_number=2,
                role="migration_engineer",
                hours=100.25,
                capacity_hours=160.0,
                utilisation_pct=62.66,
                over_allocated=False,
                source=AllocationSource.MANUAL,
                confidence=1.0,
                reason="analyst moved hours",
            ),
            Allocation(
                wave_number=2,
                role="dba",
                hours=96.25,
                capacity_hours=60.0,
                utilisation_pct=160.42,
                over_allocated=True,
                confidence=0.7,
            ),
            Allocation(
                wave_number=2,
                role="tester",
                hours=10.0,
                capacity_hours=0.0,
                utilisation_pct=0.0,
                over_allocated=True,
            ),
        ],
        skill_gaps=[SkillGap(skill="oracle", application_ids=["A2"], recommendation="train: one DBA")],
        total_hours=246.5,
    )


def timeline() -> Timeline:
    """Two waves, two activities each, three milestones."""

    def activity(wave: int, kind: str, start: date, end: date, days: int, slack: int) -> Activity:
        return Activity(
            id=f"W{wave}-{kind}",
            wave_number=wave,
            name=f"Wave {wave} {kind}",
            kind=kind,
            start=start,
            end=end,
            duration_days=days,
            predecessors=[] if (wave, kind) == (1, "migrate") else [f"W{wave}-migrate"],
            role_hours={"migration_engineer": 20.0},
            earliest_start=start,
            latest_start=start,
            slack_days=slack,
            critical=slack == 0,
        )

    return Timeline(
        start_date=date(2027, 3, 1),
        end_date=date(2027, 3, 31),
        total_working_days=23,
        total_duration_days=31,
        waves=[
            WaveWindow(wave_number=1, start=date(2027, 3, 1), end=date(2027, 3, 12)),
            WaveWindow(wave_number=2, start=date(2027, 3, 15), end=date(2027, 3, 31)),
        ],
        activities=[
            activity(1, "migrate", date(2027, 3, 1), date(2027, 3, 5), 5, 0),
            activity(1, "cutover", date(2027, 3, 8), date(2027, 3, 12), 5, 2),
            activity(2, "migrate", date(2027, 3, 15), date(2027, 3, 26), 10, 0),
            activity(2, "cutover", date(2027, 3, 29), date(2027, 3, 31), 3, 0),
        ],
        milestones=[
            Milestone(id="M1", name="Wave 1 cut-over", date=date(2027, 3, 12), wave_number=1, kind="cutover"),
            Milestone(
                id="M2",
                name="Wave 2 go-live",
                date=date(2027, 3, 31),
                wave_number=2,
                kind="go_live",
                description="all apps live",
            ),
            Milestone(id="M3", name="Done", date=date(2027, 3, 31), kind="completion"),
        ],
        critical_path=["W1-migrate", "W2-migrate", "W2-cutover"],
    )


def cost_estimate() -> CostEstimate:
    """Exact cents: subtotal 30,863.39, 15 % contingency 4,629.51, total 35,492.90."""
    return CostEstimate(
        labour_total=Decimal("27978.39"),
        one_off_total=Decimal("2500.00"),
        data_transfer_total=Decimal("5.00"),
        dual_running_total=Decimal("380.00"),
        subtotal=Decimal("30863.39"),
        contingency_percentage=15.0,
        contingency=Decimal("4629.51"),
        total=Decimal("35492.90"),
        by_wave=[
            WaveCost(
                wave_number=1,
                labour=Decimal("4422.00"),
                one_off=Decimal("0.01"),
                dual_running=Decimal("150.00"),
                data_transfer=Decimal("0.00"),
                total=Decimal("4572.01"),
            ),
        ],
        by_role=[
            RoleCost(role="dba", hours=96.25, hourly_rate=Decimal("130.00"), amount=Decimal("12512.50"))
        ],
        by_category=[CategoryCost(category="one_off:tooling", amount=Decimal("2499.99"))],
        p50_total=Decimal("35492.90"),
        p80_total=Decimal("39042.19"),
    )


def synthesis() -> Synthesis:
    """An executive summary consistent with the documents above."""
    return Synthesis(
        executive_summary=ExecutiveSummary(
            total_applications=3,
            migrated_applications=3,
            not_migrated_applications=0,
            total_waves=2,
            start_date=date(2027, 3, 1),
            end_date=date(2027, 3, 31),
            total_duration_days=31,
            total_cost=Decimal("35492.90"),
            skill_gaps_identified=1,
            critical_path=["W1-migrate", "W2-migrate", "W2-cutover"],
        ),
        risks=[Finding(title="DBA over-allocated", detail="160 % in wave 2", severity="high")],
        narrative="<b>untrusted</b> text ✓",
    )


def with_documents(plan: PlanDocument) -> PlanDocument:
    """The plan with every phase document filled in and marked completed."""
    return plan.model_copy(
        update={
            "wave_plan": wave_plan(),
            "resource_allocation": resource_allocation(),
            "timeline": timeline(),
            "cost_estimation": cost_estimate(),
            "synthesis": synthesis(),
            "current_phase": Phase.COMPLETED,
            "phase_status": PhaseStatus.COMPLETED,
            "phase_statuses": {phase: PhaseStatus.COMPLETED for phase in Phase},
            "warnings": ["dba over-allocated in wave 2"],
            "revision": 1,
        }
    )


def tenant_row_counts(database: Database, tenant: TenantContext) -> dict[str, int]:
    """Rows per tenant table for one tenant, counted with raw SQL (not through the repository)."""
    counts: dict[str, int] = {}
    with database.engine.connect() as connection:
        for table in TENANT_TABLES:
            counts[table] = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE client_account_id = :ca AND engagement_id = :eng"),
                {"ca": tenant.client_account_id, "eng": tenant.engagement_id},
            ).scalar_one()
    return counts


@pytest.fixture
def docs() -> SimpleNamespace:
    """The builders of this module as attributes: docs.wave_plan(), docs.with_documents(plan), ..."""
    return SimpleNamespace(
        small_portfolio=small_portfolio,
        small_config=small_config,
        wave_plan=wave_plan,
        resource_allocation=resource_allocation,
        timeline=timeline,
        cost_estimate=cost_estimate,
        synthesis=synthesis,
        with_documents=with_documents,
        tenant_row_counts=tenant_row_counts,
    )
