"""Synthesis: executive summary and findings from a crafted plan, each check violated and satisfied."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from planning_core.domain import (
    Application,
    BlackoutWindow,
    Criticality,
    PlanningConfig,
    Portfolio,
    ResourcePool,
)
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import Allocation, ResourceAllocation, SkillGap
from planning_core.engines.schedule.models import Activity, Timeline, WaveWindow
from planning_core.engines.synthesis.engine import synthesize
from planning_core.engines.synthesis.models import ExecutiveSummary, Finding
from planning_core.engines.waves.models import Violation

D = Decimal


def _portfolio(criticality: dict[str, Criticality] | None = None, complexity: int = 3) -> Portfolio:
    criticality = criticality or {}
    efforts = {"A": 100, "B": 100, "C": 100, "D": 150}
    return Portfolio(
        applications=[
            Application(
                application_id=app_id,
                name=f"App {app_id}",
                complexity=complexity,
                effort_hours=effort,
                business_criticality=criticality.get(app_id, Criticality.LOW),
            )
            for app_id, effort in efforts.items()
        ]
    )


def _config(**overrides: object) -> PlanningConfig:
    values: dict[str, object] = {
        "max_effort_hours_per_wave": 1000,
        "contingency_percentage": 15.0,
        "resource_pools": [ResourcePool(role="migration_engineer", headcount=4)],
    }
    values.update(overrides)
    return PlanningConfig(**values)


def _allocation(wave1_hours: float = 200.0, capacity: float = 400.0, gaps: list[SkillGap] | None = None):
    def row(wave: int, hours: float) -> Allocation:
        return Allocation(
            wave_number=wave,
            role="migration_engineer",
            hours=hours,
            capacity_hours=capacity,
            utilisation_pct=round(hours / capacity * 100, 1),
            over_allocated=hours > capacity,
        )

    return ResourceAllocation(
        allocations=[row(1, wave1_hours), row(2, 250.0)], total_hours=wave1_hours + 250, skill_gaps=gaps or []
    )


def _activity(wave: int, kind: str, start: date, end: date, critical: bool) -> Activity:
    return Activity(
        id=f"W{wave}-{kind}",
        wave_number=wave,
        name=kind,
        kind=kind,
        start=start,
        end=end,
        duration_days=1,
        earliest_start=start,
        latest_start=start,
        slack_days=0 if critical else 5,
        critical=critical,
    )


def _timeline(end: date = date(2027, 3, 26), critical_plans: bool = False) -> Timeline:
    activities = [
        _activity(1, "plan", date(2027, 1, 4), date(2027, 1, 8), critical_plans),
        _activity(1, "cutover", date(2027, 2, 1), date(2027, 2, 1), True),
        _activity(2, "plan", date(2027, 2, 8), date(2027, 2, 12), False),
        _activity(2, "cutover", date(2027, 3, 26), date(2027, 3, 26), False),
    ]
    return Timeline(
        start_date=date(2027, 1, 4),
        end_date=end,
        total_working_days=60,
        total_duration_days=(end - date(2027, 1, 4)).days + 1,
        waves=[
            WaveWindow(wave_number=1, start=date(2027, 1, 4), end=date(2027, 2, 5)),
            WaveWindow(wave_number=2, start=date(2027, 2, 8), end=end),
        ],
        activities=activities,
        critical_path=["W1-plan", "W1-cutover"] if critical_plans else ["W1-cutover"],
    )


def _costs(total: str = "1150.00", p80: str = "1100.00", pct: float = 15.0) -> CostEstimate:
    return CostEstimate(
        labour_total=D("1000.00"),
        one_off_total=D("0.00"),
        data_transfer_total=D("0.00"),
        dual_running_total=D("0.00"),
        subtotal=D("1000.00"),
        contingency_percentage=pct,
        contingency=D(total) - D("1000.00"),
        total=D(total),
        p50_total=D("1050.00"),
        p80_total=D(p80),
    )


def _run(
    wave_plan_of,
    *,
    portfolio=None,
    waves=None,
    plan_updates=None,
    allocation=None,
    timeline=None,
    costs=None,
    config=None,
):
    portfolio = portfolio or _portfolio()
    plan = wave_plan_of(portfolio, waves or {1: ["A", "B"], 2: ["C", "D"]})
    plan = plan.model_copy(update={"lower_bound": 2, "lower_bound_kind": "capacity", **(plan_updates or {})})
    return synthesize(
        portfolio,
        plan,
        allocation or _allocation(),
        timeline or _timeline(),
        costs or _costs(),
        config or _config(),
    )


def _titles(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.severity, f.title, f.metric) for f in findings]


def test_clean_plan_summary_quality_and_no_risks(wave_plan_of) -> None:
    result = _run(wave_plan_of)
    assert result.executive_summary == ExecutiveSummary(
        total_applications=4,
        migrated_applications=4,
        not_migrated_applications=0,
        total_waves=2,
        start_date=date(2027, 1, 4),
        end_date=date(2027, 3, 26),
        total_duration_days=82,
        total_cost=D("1150.00"),
        currency="USD",
        total_effort_hours=450.0,
        skill_gaps_identified=0,
        critical_path=["W1-cutover"],
        lower_bound_waves=2,
        wave_gap=0,
    )
    assert result.risks == []
    assert result.recommendations == [
        Finding(
            title="Proceed to approval",
            detail="No threshold is crossed: capacity, skills, schedule slack and contingency are within limits.",
            severity="low",
            metric="risks=0",
        )
    ]
    assert result.quality == {
        "lower_bound_waves": 2,
        "lower_bound_kind": "capacity",
        "wave_gap": 0,
        "wave_gap_pct": 0.0,
        "cut_weight": 0.0,
        "hard_violations": 0,
        "peak_utilisation_pct": 62.5,
        "mean_utilisation_pct": 56.2,
        "over_allocated_rows": 0,
        "skill_gaps": 0,
        "critical_activities": 1,
        "critical_share_pct": 25.0,
        "total_working_days": 60,
        "cost_per_migrated_application": 287.5,
        "contingency_covers_p80": "yes",
    }


def test_everything_wrong_gives_every_finding_in_order(wave_plan_of) -> None:
    critical = {"B": Criticality.CRITICAL, "C": Criticality.CRITICAL, "D": Criticality.CRITICAL}
    gaps = [
        SkillGap(skill="cobol", application_ids=["A", "B"], recommendation="hire: recruit", severity="high"),
        SkillGap(
            skill="sap basis", application_ids=["C"], recommendation="contract: bring one in", severity="low"
        ),
    ]
    result = _run(
        wave_plan_of,
        portfolio=_portfolio(criticality=critical, complexity=6),
        waves={1: ["A"], 2: ["B", "C", "D"]},
        plan_updates={
            "lower_bound": 1,
            "violations": [Violation(constraint="precedence", message="C before B", hard=True)],
        },
        allocation=_allocation(wave1_hours=500.0, gaps=gaps),
        timeline=_timeline(end=date(2028, 1, 4), critical_plans=True),
        costs=_costs(total="1150.00", p80="1180.00"),
        config=_config(
            max_effort_hours_per_wave=350,
            blackout_windows=[
                BlackoutWindow(start=date(2027, 3, 20), end=date(2027, 3, 28), reason="freeze")
            ],
        ),
    )
    assert _titles(result.risks) == [
        ("high", "Hard constraints are violated", "hard_violations=1"),
        ("high", "migration_engineer is over-allocated", "peak_utilisation_pct=125.0"),
        ("high", "Skills missing from every pool", "skill_gaps=2"),
        ("high", "Wave 2 concentrates critical applications", "critical_apps_wave_2=3"),
        ("high", "Cut-over during a blackout window", "cutovers_in_blackout=1"),
        ("high", "Contingency does not cover P80", "p80_shortfall=30.00"),
        ("medium", "Wave 2 is near its effort capacity", "effort_capacity_pct_wave_2=100.0"),
        ("medium", "Little schedule slack", "critical_share_pct=50.0"),
        ("medium", "Waves run longer than the wave duration limit", "waves_over_duration_limit=1"),
        ("medium", "Long programme", "total_duration_days=366"),
        ("medium", "Contingency is low for the complexity", "mean_complexity=6.0"),
        ("low", "Wave 2 spans a blackout window", "blackout_overlap_days_wave_2=9"),
    ]
    assert _titles(result.recommendations) == [
        ("high", "Fix the wave plan before approval", "hard_violations=1"),
        ("high", "Add migration_engineer capacity", "peak_utilisation_pct=125.0"),
        ("high", "Close the skill gaps", "skill_gaps=2"),
        ("high", "Move cut-overs out of the blackout", "cutovers_in_blackout=1"),
        ("high", "Raise contingency to cover P80", "p80_shortfall=30.00"),
        ("medium", "Spread the critical applications of wave 2", "critical_apps_wave_2=3"),
        ("medium", "Protect the critical path", "critical_share_pct=50.0"),
        ("medium", "Shorten the long waves", "waves_over_duration_limit=1"),
        ("medium", "Raise contingency to 17.5%", "mean_complexity=6.0"),
        ("low", "Review the wave plan for fewer waves", "wave_gap=1"),
    ]
    details = {f.title: f.detail for f in result.risks + result.recommendations}
    assert details["migration_engineer is over-allocated"] == (
        "migration_engineer is over capacity in 1 of 2 wave(s); peak 125.0% in wave 1 (500.00 h of 400.00 h)."
    )
    assert details["Add migration_engineer capacity"] == (
        "Add 1 migration_engineer(s) (from 4 to 5) for the peak wave, or move applications to waves with spare "
        "capacity."
    )
    assert details["Close the skill gaps"] == "cobol: hire: recruit. sap basis: contract: bring one in."
    assert (
        details["Cut-over during a blackout window"]
        == "W2-cutover fall(s) in the freeze (2027-03-20 to 2027-03-28)."
    )
    assert details["Contingency does not cover P80"] == (
        "The P80 cost (USD 1,180.00) exceeds the total with 15% contingency (USD 1,150.00) by USD 30.00."
    )
    assert (
        details["Raise contingency to cover P80"] == "A contingency of at least 18% covers the P80 estimate."
    )
    assert details["Wave 2 is near its effort capacity"] == (
        "Wave 2 needs 350.0 h of the 350.0 h a wave can absorb (100.0%); an overrun delays later waves."
    )
    assert details["Review the wave plan for fewer waves"] == (
        "The plan uses 2 waves; no valid plan can use fewer than 1. Relaxing pins, move-together groups or "
        "capacity may close the gap."
    )
    assert details["Waves run longer than the wave duration limit"] == (
        "1 wave(s) (2) run longer than 90 days; the longest, wave 2, runs 331 days."
    )
    assert result.quality["contingency_covers_p80"] == "no"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"plan_updates": {"violations": [Violation(constraint="capacity", message="x", hard=False)]}}, []),
        ({"allocation": 400.0}, []),
        ({"allocation": 450.0}, [("medium", "migration_engineer is over-allocated")]),
        ({"critical": 2}, []),
        ({"config": {"max_effort_hours_per_wave": 390}}, []),
        ({"config": {"max_effort_hours_per_wave": 385}}, [("medium", "Wave 2 is near its effort capacity")]),
        ({"config": {"max_effort_hours_per_wave": 340}}, [("high", "Wave 2 is near its effort capacity")]),
        ({"timeline_end": date(2028, 1, 3), "config": {"wave_duration_limit_days": 330}}, []),
        ({"timeline_end": date(2027, 5, 8)}, []),
        (
            {"timeline_end": date(2027, 5, 9)},
            [("medium", "Waves run longer than the wave duration limit")],
        ),
        ({"costs": ("1150.00", "1150.00")}, []),
        ({"complexity": 5}, []),
        ({"unplanned": True}, [("high", "Applications are not planned")]),
    ],
    ids=[
        "soft-violation",
        "exactly-at-capacity",
        "112.5pct-over",
        "two-critical",
        "89.7pct",
        "90.9pct",
        "102.9pct",
        "365-days-wave-330-days",
        "wave-of-90-days",
        "wave-of-91-days",
        "p80-equal-total",
        "complexity-5-at-15pct",
        "unplanned-app",
    ],
)
def test_thresholds_at_the_boundary(wave_plan_of, case, expected) -> None:
    critical = {app: Criticality.CRITICAL for app in ["B", "C", "D"][: case.get("critical", 0)]}
    portfolio = _portfolio(criticality=critical, complexity=case.get("complexity", 3))
    if case.get("unplanned"):
        portfolio = Portfolio(
            applications=[*portfolio.applications, Application(application_id="E", name="App E")]
        )
    result = _run(
        wave_plan_of,
        portfolio=portfolio,
        waves={1: ["A"], 2: ["B", "C", "D"]},
        plan_updates=case.get("plan_updates"),
        allocation=_allocation(wave1_hours=case["allocation"]) if "allocation" in case else None,
        timeline=_timeline(end=case.get("timeline_end", date(2027, 3, 26))),
        costs=_costs(*case["costs"]) if "costs" in case else None,
        config=_config(**case.get("config", {})),
    )
    assert [(f.severity, f.title) for f in result.risks] == expected
