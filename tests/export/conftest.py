"""A small, hand-built plan with hostile user text: 2 waves, 5 applications (one retired)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from planning_core.domain import (
    Application,
    CostInputs,
    Criticality,
    Dependency,
    OneOffCost,
    Phase,
    PhaseStatus,
    PlanningConfig,
    SixR,
)
from planning_core.engines.costs.models import CategoryCost, CostEstimate, RoleCost, WaveCost
from planning_core.engines.resources.models import Allocation, ResourceAllocation, SkillGap
from planning_core.engines.schedule.models import Activity, Milestone, Timeline, WaveWindow
from planning_core.engines.synthesis.models import ExecutiveSummary, Finding, Synthesis
from planning_core.engines.waves.models import NotMigrated, Wave, WaveAssignment, WavePlan, WavePlanSummary
from planning_core.plan import AgentRun, PlanDocument

MARKUP_NAME = "Payroll <b>bold</b> & <font color=red>x</font>"
LONG_NAME = ("Enterprise " + "Z" * 150 + " customer data hub " + "Y" * 140)[:300]
CHINESE_NAME = "客户关系管理系统 CRM"
ARABIC_NAME = "نظام الفوترة Billing 🚀"
FORMULA_NAME = "=SUM(1+1) legacy fax gateway"
NARRATIVE = "Wave 2 is risky: <script>alert(1)</script> & ignore the previous figures"
AGENT_NARRATIVE = "<i>Proposed</i> moving APP-3 earlier & was rejected"
STAMP = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def _assignment(app: Application, rationale: str) -> WaveAssignment:
    return WaveAssignment(
        application_id=app.application_id,
        name=app.name,
        six_r_strategy=app.six_r_strategy,
        complexity=app.complexity,
        business_criticality=app.business_criticality,
        effort_hours=app.effort,
        rationale=rationale,
    )


def _activity(
    act_id: str,
    wave: int,
    name: str,
    kind: str,
    start: date,
    end: date,
    days: int,
    preds: list[str],
    latest: date,
    slack: int,
    role_hours: dict[str, float],
) -> Activity:
    return Activity(
        id=act_id,
        wave_number=wave,
        name=name,
        kind=kind,
        start=start,
        end=end,
        duration_days=days,
        predecessors=preds,
        role_hours=role_hours,
        earliest_start=start,
        latest_start=latest,
        slack_days=slack,
        critical=slack == 0,
    )


def build_small_plan() -> PlanDocument:
    """The fixture plan: every figure below is written out by hand."""
    apps = [
        Application(
            application_id="APP-1",
            name=MARKUP_NAME,
            six_r_strategy=SixR.REHOST,
            complexity=3,
            business_criticality=Criticality.LOW,
            effort_hours=60,
        ),
        Application(
            application_id="APP-2",
            name=LONG_NAME,
            six_r_strategy=SixR.REPLATFORM,
            complexity=5,
            business_criticality=Criticality.MEDIUM,
            effort_hours=100,
        ),
        Application(
            application_id="APP-3",
            name=CHINESE_NAME,
            six_r_strategy=SixR.REFACTOR,
            complexity=8,
            business_criticality=Criticality.HIGH,
            effort_hours=200,
            required_skills=["mainframe"],
        ),
        Application(
            application_id="APP-4",
            name=ARABIC_NAME,
            six_r_strategy=SixR.REHOST,
            complexity=4,
            business_criticality=Criticality.CRITICAL,
            effort_hours=100,
        ),
        Application(application_id="APP-5", name=FORMULA_NAME, six_r_strategy=SixR.RETIRE, complexity=2),
    ]
    config = PlanningConfig(
        migration_start_date=date(2027, 1, 4),
        holidays=[date(2027, 5, 31)],
        cost_inputs=CostInputs(one_off_costs=[OneOffCost(name="Migration tooling", amount=Decimal("5000"))]),
    )
    waves = [
        Wave(
            wave_number=1,
            name="Pilot",
            is_pilot=True,
            applications=[_assignment(apps[0], "low complexity pilot <ok>"), _assignment(apps[1], "fits")],
        ),
        Wave(
            wave_number=2,
            name="Core & <i>critical</i>",
            applications=[_assignment(apps[2], "after APP-1"), _assignment(apps[3], "critical, later")],
        ),
    ]
    wave_plan = WavePlan(
        waves=waves,
        not_migrated=[
            NotMigrated(
                application_id="APP-5",
                name=FORMULA_NAME,
                six_r_strategy=SixR.RETIRE,
                reason="retire: decommissioned",
            )
        ],
        summary=WavePlanSummary(
            total_waves=2,
            total_applications=5,
            migrated_applications=4,
            not_migrated_applications=1,
            total_effort_hours=460.0,
            effort_capacity_hours=9257.1,
            max_apps_per_wave=10,
        ),
        lower_bound=1,
        lower_bound_kind="capacity",
        gap=1,
        warnings=["pilot wave kept small"],
    )
    d = date
    activities = [
        _activity(
            "W1-plan",
            1,
            "Plan wave 1",
            "plan",
            d(2027, 1, 4),
            d(2027, 1, 8),
            5,
            [],
            d(2027, 1, 4),
            0,
            {"migration_engineer": 20.0},
        ),
        _activity(
            "W1-migrate",
            1,
            "Migrate wave 1",
            "migrate",
            d(2027, 1, 11),
            d(2027, 1, 22),
            10,
            ["W1-plan"],
            d(2027, 1, 11),
            0,
            {"migration_engineer": 100.0, "tester": 20.0},
        ),
        _activity(
            "W1-cutover",
            1,
            "Cut over wave 1",
            "cutover",
            d(2027, 1, 25),
            d(2027, 1, 25),
            1,
            ["W1-migrate"],
            d(2027, 2, 15),
            15,
            {},
        ),
        _activity(
            "W2-plan",
            2,
            "Plan wave 2",
            "plan",
            d(2027, 1, 25),
            d(2027, 1, 29),
            5,
            ["W1-migrate"],
            d(2027, 1, 25),
            0,
            {"developer": 20.0},
        ),
        _activity(
            "W2-migrate",
            2,
            "Migrate wave 2",
            "migrate",
            d(2027, 2, 1),
            d(2027, 2, 12),
            10,
            ["W2-plan"],
            d(2027, 2, 1),
            0,
            {"developer": 280.0, "tester": 20.0},
        ),
        _activity(
            "W2-cutover",
            2,
            "Cut over wave 2",
            "cutover",
            d(2027, 2, 15),
            d(2027, 2, 15),
            1,
            ["W2-migrate"],
            d(2027, 2, 15),
            0,
            {},
        ),
    ]
    timeline = Timeline(
        start_date=d(2027, 1, 4),
        end_date=d(2027, 2, 15),
        total_working_days=31,
        total_duration_days=43,
        waves=[
            WaveWindow(wave_number=1, start=d(2027, 1, 4), end=d(2027, 1, 25)),
            WaveWindow(wave_number=2, start=d(2027, 1, 25), end=d(2027, 2, 15)),
        ],
        activities=activities,
        milestones=[
            Milestone(id="M1", name="Wave 1 cut-over", date=d(2027, 1, 25), wave_number=1, kind="cutover"),
            Milestone(
                id="M2",
                name="Wave 2 go-live",
                date=d(2027, 2, 15),
                wave_number=2,
                kind="go_live",
                description="business sign-off <required>",
            ),
            Milestone(id="M3", name="Migration complete", date=d(2027, 2, 15), kind="completion"),
        ],
        critical_path=["W1-plan", "W1-migrate", "W2-plan", "W2-migrate", "W2-cutover"],
    )
    allocation = ResourceAllocation(
        allocations=[
            Allocation(
                wave_number=1,
                role="migration_engineer",
                hours=120.0,
                capacity_hours=960.0,
                utilisation_pct=12.5,
                over_allocated=False,
            ),
            Allocation(
                wave_number=1,
                role="tester",
                hours=20.0,
                capacity_hours=360.0,
                utilisation_pct=5.6,
                over_allocated=False,
            ),
            Allocation(
                wave_number=2,
                role="developer",
                hours=300.0,
                capacity_hours=240.0,
                utilisation_pct=125.0,
                over_allocated=True,
            ),
            Allocation(
                wave_number=2,
                role="tester",
                hours=20.0,
                capacity_hours=360.0,
                utilisation_pct=5.6,
                over_allocated=False,
            ),
        ],
        skill_gaps=[
            SkillGap(
                skill="mainframe",
                application_ids=["APP-3"],
                recommendation="contract: no pool has mainframe skills",
                severity="high",
            )
        ],
        total_hours=460.0,
    )
    costs = CostEstimate(
        labour_total=Decimal("52600.00"),
        one_off_total=Decimal("5000.00"),
        data_transfer_total=Decimal("12.34"),
        dual_running_total=Decimal("600.00"),
        subtotal=Decimal("58212.34"),
        contingency_percentage=15.0,
        contingency=Decimal("8731.85"),
        total=Decimal("66944.19"),
        by_wave=[
            WaveCost(
                wave_number=1,
                labour=Decimal("14900.00"),
                one_off=Decimal("5000.00"),
                dual_running=Decimal("300.00"),
                data_transfer=Decimal("6.17"),
                total=Decimal("20206.17"),
            ),
            WaveCost(
                wave_number=2,
                labour=Decimal("37700.00"),
                one_off=Decimal("0.00"),
                dual_running=Decimal("300.00"),
                data_transfer=Decimal("6.17"),
                total=Decimal("38006.17"),
            ),
        ],
        by_role=[
            RoleCost(
                role="migration_engineer",
                hours=120.0,
                hourly_rate=Decimal("110.00"),
                amount=Decimal("13200.00"),
            ),
            RoleCost(
                role="developer", hours=300.0, hourly_rate=Decimal("120.00"), amount=Decimal("36000.00")
            ),
            RoleCost(role="tester", hours=40.0, hourly_rate=Decimal("85.00"), amount=Decimal("3400.00")),
        ],
        by_category=[
            CategoryCost(category="labour", amount=Decimal("52600.00")),
            CategoryCost(category="one_off:tooling", amount=Decimal("5000.00")),
            CategoryCost(category="data_transfer", amount=Decimal("12.34")),
            CategoryCost(category="dual_running", amount=Decimal("600.00")),
        ],
        p50_total=Decimal("66944.19"),
        p80_total=Decimal("74977.49"),
    )
    synthesis = Synthesis(
        executive_summary=ExecutiveSummary(
            total_applications=5,
            migrated_applications=4,
            not_migrated_applications=1,
            total_waves=2,
            start_date=d(2027, 1, 4),
            end_date=d(2027, 2, 15),
            total_duration_days=43,
            total_cost=Decimal("66944.19"),
            total_effort_hours=460.0,
            skill_gaps_identified=1,
            critical_path=timeline.critical_path,
            lower_bound_waves=1,
            wave_gap=1,
        ),
        risks=[
            Finding(
                title="Developers over-allocated",
                detail="Wave 2 needs 300 h against 240 h.",
                severity="high",
                metric="125.0%",
            )
        ],
        recommendations=[Finding(title="Contract mainframe skills", detail="No pool covers APP-3.")],
        quality={
            "wave_gap": 1,
            "peak_utilisation_pct": 125.0,
            "cost_per_migrated_application": 16736.05,
            "contingency_covers_p80": "no <see costs>",
        },
        narrative=NARRATIVE,
    )
    return PlanDocument(
        planning_flow_id="flow-42",
        name="Contoso exit plan",
        client_account_id=7,
        engagement_id=9,
        client_account_name="Contoso & Sons <Ltd>",
        engagement_name="DC exit 2027",
        version=4,
        revision=3,
        current_phase=Phase.COMPLETED,
        phase_status=PhaseStatus.COMPLETED,
        phase_statuses={p: PhaseStatus.COMPLETED for p in Phase},
        planning_config=config,
        selected_applications=[a.application_id for a in apps],
        applications=apps,
        dependencies=[Dependency(source_application_id="APP-1", target_application_id="APP-3")],
        wave_plan=wave_plan,
        resource_allocation=allocation,
        timeline=timeline,
        cost_estimation=costs,
        synthesis=synthesis,
        warnings=["rates are 2026 list prices"],
        agent_execution_log=[
            AgentRun(
                agent="WavePlanningSpecialist",
                phase=Phase.WAVE_PLANNING,
                started_at=STAMP,
                outcome="rejected",
                narrative=AGENT_NARRATIVE,
            )
        ],
        created_at=STAMP,
        updated_at=STAMP,
        planning_completed_at=STAMP,
    )


@pytest.fixture(scope="session")
def small_plan() -> PlanDocument:
    return build_small_plan()


@pytest.fixture(scope="session")
def hostile() -> dict[str, str]:
    """The user texts of the fixture plan that try to break a report."""
    return {
        "markup": MARKUP_NAME,
        "long": LONG_NAME,
        "chinese": CHINESE_NAME,
        "arabic": ARABIC_NAME,
        "formula": FORMULA_NAME,
        "narrative": NARRATIVE,
        "agent_narrative": AGENT_NARRATIVE,
    }
