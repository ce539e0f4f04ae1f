"""Resource allocation: role split, fallback pools, capacity, over-allocation, skill gaps, manual edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning_core.domain import Application, Criticality, PlanningConfig, Portfolio, ResourcePool, SixR
from planning_core.engines.resources.engine import (
    ROLE_SPLIT,
    allocate_resources,
    apply_manual_allocation,
    role_shares,
    split_effort,
)
from planning_core.engines.resources.models import (
    Allocation,
    AllocationSource,
    ApplicationRoleHours,
    ResourceAllocation,
    SkillGap,
)
from planning_core.engines.waves.models import WaveAssignment
from planning_core.errors import InvalidInput


def _app(app_id: str, strategy: SixR, **fields: object) -> Application:
    return Application(application_id=app_id, name=f"App {app_id}", six_r_strategy=strategy, **fields)


def _three_pool_config() -> PlanningConfig:
    """Three pools: architect, dba and project manager work must fall back to other pools."""
    return PlanningConfig(
        wave_duration_limit_days=35,
        resource_pools=[
            ResourcePool(
                role="migration_engineer", headcount=1, hourly_rate=Decimal("100"), skills=["vmware"]
            ),
            ResourcePool(
                role="developer", headcount=2, hourly_rate=Decimal("120"), skills=["java", "containers"]
            ),
            ResourcePool(role="tester", headcount=1, hourly_rate=Decimal("80"), skills=["testing"]),
        ],
    )


def _small_portfolio() -> Portfolio:
    return Portfolio(
        applications=[
            _app("A", SixR.REHOST, effort_hours=120),
            _app("B", SixR.REFACTOR),  # derived effort: 480 h at complexity 5
            _app("C", SixR.RELOCATE, effort_hours=200),
        ]
    )


def test_role_split_table_shares_add_up_to_one() -> None:
    assert {s: round(sum(split.values()), 9) for s, split in ROLE_SPLIT.items()} == {s: 1.0 for s in SixR}


def test_complexity_shifts_share_to_architects_and_testers() -> None:
    assert {r: round(v, 4) for r, v in role_shares(SixR.REFACTOR, 10).items()} == {
        "cloud_architect": 0.25,
        "developer": 0.3462,
        "dba": 0.0346,
        "tester": 0.30,
        "project_manager": 0.0692,
    }
    assert {r: round(v, 4) for r, v in role_shares(SixR.REFACTOR, 1).items()} == {
        "cloud_architect": 0.07,
        "developer": 0.6231,
        "dba": 0.0623,
        "tester": 0.12,
        "project_manager": 0.1246,
    }


def test_split_is_exact_to_the_hundredth_hour() -> None:
    assignment = WaveAssignment(
        application_id="X",
        name="X",
        six_r_strategy=SixR.REFACTOR,
        complexity=10,
        business_criticality=Criticality.LOW,
        effort_hours=100.0,
    )
    assert split_effort(assignment) == {
        "cloud_architect": 25.0,
        "developer": 34.62,
        "dba": 3.46,
        "tester": 30.0,
        "project_manager": 6.92,
    }


def test_two_waves_three_apps_full_allocation(wave_plan_of) -> None:
    portfolio = _small_portfolio()
    result = allocate_resources(
        portfolio, wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]}), _three_pool_config()
    )
    fallback_w1 = "; includes 144.00 h of cloud_architect, project_manager work (no pool)"
    assert result.allocations == [
        Allocation(
            wave_number=1,
            role="migration_engineer",
            hours=210.0,
            capacity_hours=200.0,
            utilisation_pct=105.0,
            over_allocated=True,
            confidence=0.64,
            reason="migration_engineer share of 2 applications by 6R strategy and complexity; "
            "43% of the hours from effort given by the analyst" + fallback_w1,
        ),
        Allocation(
            wave_number=1,
            role="developer",
            hours=276.0,
            capacity_hours=400.0,
            utilisation_pct=69.0,
            over_allocated=False,
            confidence=0.56,
            reason="developer share of 2 applications by 6R strategy and complexity; "
            "4% of the hours from effort given by the analyst; includes 30.00 h of dba work (no pool)",
        ),
        Allocation(
            wave_number=1,
            role="tester",
            hours=114.0,
            capacity_hours=200.0,
            utilisation_pct=57.0,
            over_allocated=False,
            confidence=0.73,
            reason="tester share of 2 applications by 6R strategy and complexity; "
            "16% of the hours from effort given by the analyst",
        ),
        Allocation(
            wave_number=2,
            role="migration_engineer",
            hours=180.0,
            capacity_hours=200.0,
            utilisation_pct=90.0,
            over_allocated=False,
            confidence=0.75,
            reason="migration_engineer share of 1 application by 6R strategy and complexity; "
            "100% of the hours from effort given by the analyst; "
            "includes 40.00 h of cloud_architect, project_manager work (no pool)",
        ),
        Allocation(
            wave_number=2,
            role="developer",
            hours=0.0,
            capacity_hours=400.0,
            utilisation_pct=0.0,
            over_allocated=False,
            confidence=0.9,
            reason="no developer work in this wave",
        ),
        Allocation(
            wave_number=2,
            role="tester",
            hours=20.0,
            capacity_hours=200.0,
            utilisation_pct=10.0,
            over_allocated=False,
            confidence=0.9,
            reason="tester share of 1 application by 6R strategy and complexity; "
            "100% of the hours from effort given by the analyst",
        ),
    ]
    assert result.application_hours == [
        ApplicationRoleHours(application_id=a, wave_number=w, role=r, hours=h)
        for a, w, r, h in [
            ("A", 1, "migration_engineer", 90.0),  # 66 own + 12 architect + 12 project manager
            ("A", 1, "developer", 12.0),  # 6 own + 6 dba
            ("A", 1, "tester", 18.0),
            ("B", 1, "migration_engineer", 120.0),  # 72 architect + 48 project manager
            ("B", 1, "developer", 264.0),  # 240 own + 24 dba
            ("B", 1, "tester", 96.0),
            ("C", 2, "migration_engineer", 180.0),  # 140 own + 20 architect + 20 project manager
            ("C", 2, "tester", 20.0),
        ]
    ]
    assert (result.total_hours, result.skill_gaps) == (800.0, [])
    assert result.warnings == [
        "no pool for role cloud_architect: its hours go to the migration_engineer pool",
        "no pool for role dba: its hours go to the developer pool",
        "no pool for role project_manager: its hours go to the migration_engineer pool",
        "wave 1: migration_engineer over-allocated at 105.0% (210.00 h of 200.00 h)",
    ]


def test_within_capacity_has_no_over_allocation(wave_plan_of) -> None:
    portfolio = _small_portfolio()
    config = _three_pool_config().model_copy(update={"wave_duration_limit_days": 70})
    result = allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]}), config)
    assert [(a.wave_number, a.role, a.utilisation_pct, a.over_allocated) for a in result.allocations] == [
        (1, "migration_engineer", 52.5, False),
        (1, "developer", 34.5, False),
        (1, "tester", 28.5, False),
        (2, "migration_engineer", 45.0, False),
        (2, "developer", 0.0, False),
        (2, "tester", 5.0, False),
    ]
    assert [w for w in result.warnings if "over-allocated" in w] == []


def test_pools_without_fallback_go_to_the_biggest_pool(wave_plan_of) -> None:
    portfolio = Portfolio(applications=[_app("A", SixR.REHOST, effort_hours=100)])
    config = PlanningConfig(
        resource_pools=[
            ResourcePool(role="security_engineer", headcount=1),
            ResourcePool(role="tester", headcount=3),
        ]
    )
    result = allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["A"]}), config)
    assert [(a.role, a.hours) for a in result.allocations] == [("security_engineer", 0.0), ("tester", 100.0)]
    assert result.warnings == [
        f"no pool for role {role}: its hours go to the tester pool"
        for role in ("cloud_architect", "dba", "developer", "migration_engineer", "project_manager")
    ]


def test_zero_capacity_pool_with_hours_is_flagged(wave_plan_of) -> None:
    portfolio = Portfolio(applications=[_app("A", SixR.RELOCATE, effort_hours=10)])
    config = PlanningConfig(resource_pools=[ResourcePool(role="migration_engineer", headcount=0)])
    result = allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["A"]}), config)
    assert [(a.hours, a.capacity_hours, a.utilisation_pct, a.over_allocated) for a in result.allocations] == [
        (10.0, 0.0, 9999.9, True)
    ]


def test_no_pools_is_refused(wave_plan_of) -> None:
    portfolio = Portfolio(applications=[_app("A", SixR.REHOST)])
    with pytest.raises(InvalidInput, match="no resource pools are configured"):
        allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["A"]}), PlanningConfig(resource_pools=[]))


def test_wave_naming_an_unknown_application_is_refused(wave_plan_of) -> None:
    portfolio = Portfolio(applications=[_app("A", SixR.REHOST), _app("B", SixR.REHOST)])
    plan = wave_plan_of(portfolio, {1: ["A", "B"]})
    with pytest.raises(InvalidInput, match="wave 1 names application 'B', which is not in the portfolio"):
        allocate_resources(portfolio.subset(["A"]), plan, PlanningConfig())


def _gap_portfolio() -> Portfolio:
    apps = [_app(f"H{i}", SixR.REHOST, required_skills=["cobol"]) for i in range(5)]
    apps += [
        _app("K1", SixR.REFACTOR, required_skills=["kubernetes"], business_criticality=Criticality.HIGH),
        _app("Z1", SixR.REPLATFORM, required_skills=["azure devops"]),
        _app("Z2", SixR.REPLATFORM, required_skills=["azure devops", "linux"]),
        _app("S1", SixR.REPURCHASE, required_skills=["sap basis"]),
        _app("M1", SixR.REHOST, required_skills=["mainframe"], business_criticality=Criticality.CRITICAL),
        _app("OK", SixR.REHOST, required_skills=["vmware", "java"]),
    ]
    return Portfolio(applications=apps)


def test_skill_gaps_with_hire_train_contract(wave_plan_of) -> None:
    portfolio = _gap_portfolio()
    plan = wave_plan_of(
        portfolio, {1: ["OK", "S1"], 2: ["H0", "H1", "H2", "H3", "H4", "K1"], 3: ["Z1", "Z2", "M1"]}
    )
    result = allocate_resources(portfolio, plan, PlanningConfig())
    assert result.skill_gaps == [
        SkillGap(
            skill="cobol",
            application_ids=["H0", "H1", "H2", "H3", "H4"],
            recommendation="hire: 5 applications need cobol (demand); recruit or second a cobol specialist "
            "before wave 2",
            severity="medium",
        ),
        SkillGap(
            skill="azure devops",
            application_ids=["Z1", "Z2"],
            recommendation="train: 2 applications need azure devops; the cloud_architect pool knows azure, "
            "a related skill; train them before wave 3",
            severity="medium",
        ),
        SkillGap(
            skill="kubernetes",
            application_ids=["K1"],
            recommendation="train: 1 application needs kubernetes; the developer pool knows containers, "
            "a related skill; train them before wave 2",
            severity="medium",
        ),
        SkillGap(
            skill="mainframe",
            application_ids=["M1"],
            recommendation="hire: 1 application needs mainframe (a critical application depends on it); "
            "recruit or second a mainframe specialist before wave 3",
            severity="high",
        ),
        SkillGap(
            skill="sap basis",
            application_ids=["S1"],
            recommendation="contract: 1 application needs sap basis; bring in a sap basis contractor for wave 1",
            severity="low",
        ),
    ]


def test_no_skill_gap_when_pools_cover_every_skill(wave_plan_of) -> None:
    portfolio = _gap_portfolio().subset(["OK"])
    assert (
        allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["OK"]}), PlanningConfig()).skill_gaps == []
    )


def test_skills_of_unplanned_apps_are_not_gaps(wave_plan_of) -> None:
    portfolio = _gap_portfolio()
    assert (
        allocate_resources(portfolio, wave_plan_of(portfolio, {1: ["OK"]}), PlanningConfig()).skill_gaps == []
    )


def _base_allocation(wave_plan_of) -> ResourceAllocation:
    portfolio = _small_portfolio()
    return allocate_resources(
        portfolio, wave_plan_of(portfolio, {1: ["A", "B"], 2: ["C"]}), _three_pool_config()
    )


def test_manual_allocation_replaces_row_and_recomputes(wave_plan_of) -> None:
    base = _base_allocation(wave_plan_of)
    edited = apply_manual_allocation(
        base, wave_number=1, role="migration_engineer", hours=150, reason="split work"
    )
    assert edited.allocations[0] == Allocation(
        wave_number=1,
        role="migration_engineer",
        hours=150.0,
        capacity_hours=200.0,
        utilisation_pct=75.0,
        over_allocated=False,
        source=AllocationSource.MANUAL,
        confidence=1.0,
        reason="split work",
    )
    assert edited.allocations[1:] == base.allocations[1:]
    assert (edited.total_hours, base.total_hours) == (740.0, 800.0)
    assert [w for w in edited.warnings if "over-allocated" in w] == []
    assert base.allocations[0].hours == 210.0


def test_manual_allocation_can_create_over_allocation(wave_plan_of) -> None:
    edited = apply_manual_allocation(
        _base_allocation(wave_plan_of), wave_number=2, role="tester", hours=250, reason="regression suite"
    )
    assert [w for w in edited.warnings if "over-allocated" in w] == [
        "wave 1: migration_engineer over-allocated at 105.0% (210.00 h of 200.00 h)",
        "wave 2: tester over-allocated at 125.0% (250.00 h of 200.00 h)",
    ]


@pytest.mark.parametrize(
    ("wave", "role", "hours", "reason", "message"),
    [
        (1, "tester", -1, "x", "hours cannot be negative"),
        (1, "tester", 10, "  ", "needs a reason"),
        (7, "tester", 10, "x", r"wave 7 is not in the allocation \(waves: 1, 2\)"),
        (1, "dba", 10, "x", "no resource pool for role 'dba'"),
    ],
)
def test_manual_allocation_refuses_bad_input(wave_plan_of, wave, role, hours, reason, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        apply_manual_allocation(
            _base_allocation(wave_plan_of), wave_number=wave, role=role, hours=hours, reason=reason
        )


_strategies = st.sampled_from([SixR.REHOST, SixR.REPLATFORM, SixR.REFACTOR, SixR.REPURCHASE, SixR.RELOCATE])


@settings(max_examples=40, deadline=None)
@given(
    specs=st.lists(
        st.tuples(
            _strategies,
            st.integers(min_value=1, max_value=10),
            st.one_of(st.none(), st.integers(min_value=0, max_value=50_000).map(lambda x: x / 10)),
            st.integers(min_value=1, max_value=4),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_allocated_hours_add_up_to_total_effort(wave_plan_of, specs) -> None:
    apps = [
        _app(f"P{i}", strategy, complexity=complexity, effort_hours=effort)
        for i, (strategy, complexity, effort, _) in enumerate(specs)
    ]
    portfolio = Portfolio(applications=apps)
    waves: dict[int, list[str]] = {}
    for i, (*_, wave) in enumerate(specs):
        waves.setdefault(wave, []).append(f"P{i}")
    result = allocate_resources(portfolio, wave_plan_of(portfolio, waves), PlanningConfig())
    total_cents = sum(round(a.effort * 100) for a in apps)
    assert round(result.total_hours * 100) == total_cents
    assert round(sum(a.hours for a in result.allocations) * 100) == total_cents
    per_app: dict[str, int] = {}
    for row in result.application_hours:
        per_app[row.application_id] = per_app.get(row.application_id, 0) + round(row.hours * 100)
    assert per_app == {a.application_id: round(a.effort * 100) for a in apps if round(a.effort * 100) > 0}
