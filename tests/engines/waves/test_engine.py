"""plan_waves on exact small cases."""

from __future__ import annotations

import pytest

from planning_core.domain import Portfolio
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Wave, WaveAssignment
from planning_core.errors import InvalidInput


@pytest.mark.parametrize(("cycle_time", "stations"), [(10, 5), (7, 8)])
def test_jackson_needs_the_known_optimum(b, cycle_time, stations):
    portfolio = b.jackson()
    plan = plan_waves(portfolio, b.config(cycle_time), time_limit_s=5)
    assert plan.summary.total_waves == stations
    assert plan.lower_bound == stations
    assert plan.gap == 0
    assert plan.solver["status"] == "optimal"
    assert validate_wave_plan(plan, portfolio, b.config(cycle_time)) == []
    assert plan.violations == []


def test_jackson_at_seven_reports_the_proof_as_its_bound(b):
    plan = plan_waves(b.jackson(), b.config(7), time_limit_s=5)
    assert plan.lower_bounds == {
        "capacity": 1,
        "effort": 7,
        "half": 7,
        "third": 7,
        "bin_packing_l2": 7,
        "precedence_chain": 7,
        "exact_search": 8,
    }
    assert (plan.lower_bound, plan.lower_bound_kind) == (8, "exact_search")


def hand_case(b) -> Portfolio:  # noqa: ANN001
    return Portfolio(
        applications=[
            b.app("A", 6),
            b.app("B", 6),
            b.app("C", 6),
            b.app("D", 4),
            b.app("E", 4, business_criticality="high"),
            b.app("P", 2, pinned_wave=2),
            b.app("R", 5, six_r_strategy="retire"),
        ],
        dependencies=[b.precedes("A", "B"), b.precedes("B", "C"), b.together("A", "D")],
    )


def test_hand_case_whole_plan(b):
    plan = plan_waves(hand_case(b), b.config(10, 3))
    assert b.waves_of(plan) == [["A", "D"], ["B", "P"], ["C", "E"]]
    assert [(n.application_id, n.reason) for n in plan.not_migrated] == [
        ("R", "Strategy is retire: the application is not migrated.")
    ]
    rationale = {
        a.application_id: (a.rationale, a.confidence, a.pinned) for w in plan.waves for a in w.applications
    }
    assert rationale == {
        "A": ("Grouped with D.", 0.9, False),
        "D": ("Grouped with A.", 0.9, False),
        "B": (
            "After A (wave 1) by precedence. Earlier waves were full (effort or app limit) or kept balanced.",
            0.9,
            False,
        ),
        "P": ("Pinned to wave 2.", 1.0, True),
        "C": (
            "After B (wave 2) by precedence. Earlier waves were full (effort or app limit) or kept balanced.",
            0.9,
            False,
        ),
        "E": ("Business criticality high: planned later, after earlier waves build experience.", 0.9, False),
    }
    assert plan.summary.model_dump() == {
        "total_waves": 3,
        "total_applications": 7,
        "migrated_applications": 6,
        "not_migrated_applications": 1,
        "total_effort_hours": 28.0,
        "effort_capacity_hours": 10.0,
        "max_apps_per_wave": 3,
        "cut_weight": 0.0,
    }
    assert (plan.lower_bound, plan.lower_bound_kind, plan.gap) == (3, "effort", 0)


def test_precedes_cycle_means_same_wave_with_a_warning(b):
    portfolio = Portfolio(
        applications=[b.app("A", 3), b.app("B", 3), b.app("C", 8)],
        dependencies=[b.precedes("A", "B"), b.precedes("B", "A"), b.precedes("C", "A")],
    )
    plan = plan_waves(portfolio, b.config(10))
    assert b.waves_of(plan) == [["C"], ["A", "B"]]
    assert plan.warnings == [
        "Applications A, B depend on each other in a cycle of 'precedes'; they are planned in the same wave."
    ]


def test_oversized_group_is_split_at_its_weakest_cut(b):
    portfolio = Portfolio(
        applications=[b.app("A", 5), b.app("B", 5), b.app("C", 5)],
        dependencies=[b.together("A", "B", 5), b.together("B", "C", 1)],
    )
    plan = plan_waves(portfolio, b.config(10))
    assert b.waves_of(plan) == [["A", "B"], ["C"]]
    assert plan.summary.cut_weight == 1.0
    assert plan.warnings == [
        "Group A, B, C (3 apps, 15.0 h) does not fit one wave (at most 10000 apps and 10.0 h); "
        "split into 2 parts at its weakest cut."
    ]
    assert [(v.constraint, v.hard) for v in plan.violations] == [("move_together", False)]


def test_app_larger_than_a_wave_gets_its_own_wave(b):
    portfolio = Portfolio(applications=[b.app("BIG", 25), b.app("A", 4), b.app("B", 4)])
    plan = plan_waves(portfolio, b.config(10))
    assert sorted(b.waves_of(plan)) == [["A", "B"], ["BIG"]]
    assert plan.warnings == [
        "Application BIG alone needs 25.0 h, more than a wave's capacity of 10.0 h; it gets a wave of its own."
    ]
    assert [(v.constraint, v.hard) for v in plan.violations] == [("capacity", False)]


def test_max_apps_per_wave_holds(b):
    portfolio = Portfolio(applications=[b.app(f"A{i}", 1) for i in range(5)])
    plan = plan_waves(portfolio, b.config(100, 2))
    assert b.waves_of(plan) == [["A0", "A1"], ["A2", "A3"], ["A4"]]
    assert (plan.lower_bound, plan.lower_bound_kind) == (3, "capacity")


def test_locked_wave_keeps_number_and_apps_and_takes_no_others(b):
    portfolio = Portfolio(applications=[b.app(f"A{i}", 4) for i in range(6)])
    locked = Wave(
        wave_number=2,
        name="Finance freeze",
        locked=True,
        applications=[
            WaveAssignment(
                application_id="A5", name="App A5", six_r_strategy="rehost", complexity=5,
                business_criticality="medium", effort_hours=4.0, source="analyst",
            )
        ],
    )  # fmt: skip
    plan = plan_waves(portfolio, b.config(8), locked_waves=[locked])
    assert b.waves_of(plan) == [["A0", "A1"], ["A5"], ["A2", "A3"], ["A4"]]
    assert plan.waves[1] == locked
    assert plan.violations == []


def test_locked_wave_with_unknown_app_is_refused(b):
    portfolio = Portfolio(applications=[b.app("A", 4)])
    locked = Wave(
        wave_number=1,
        locked=True,
        applications=[
            WaveAssignment(
                application_id="GHOST", name="Ghost", six_r_strategy="rehost", complexity=5,
                business_criticality="medium", effort_hours=4.0,
            )
        ],
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="Locked wave 1 holds GHOST, which is not in the portfolio."):
        plan_waves(portfolio, b.config(8), locked_waves=[locked])


def test_pilot_within_the_fewest_waves(b):
    portfolio = Portfolio(
        applications=[
            b.app("CRIT1", 9, business_criticality="critical", complexity=8),
            b.app("CRIT2", 9, business_criticality="critical", complexity=8),
            b.app("LOW", 1, business_criticality="low", complexity=2),
        ]
    )
    plan = plan_waves(portfolio, b.config(9, pilot=True, pilot_max_apps=1))
    assert b.waves_of(plan) == [["LOW"], ["CRIT1"], ["CRIT2"]]
    assert [(w.name, w.is_pilot) for w in plan.waves] == [
        ("Pilot", True),
        ("Wave 2", False),
        ("Wave 3", False),
    ]
    assert plan.warnings == []


def test_pilot_that_costs_a_wave_is_stated_and_proved(b):
    portfolio = Portfolio(applications=[b.app(f"A{i}", 1, complexity=2) for i in range(4)])
    plan = plan_waves(portfolio, b.config(100, 2, pilot=True, pilot_max_apps=1))
    assert b.waves_of(plan) == [["A0"], ["A1"], ["A2", "A3"]]
    assert plan.waves[0].is_pilot is True
    assert (plan.lower_bound, plan.lower_bound_kind, plan.gap) == (3, "with_pilot", 0)
    assert plan.warnings == [
        "The pilot wave adds one wave to the 2 that the applications need without a pilot "
        "(switch the pilot off in the planning settings to save it)."
    ]


def test_same_input_same_plan(b):
    portfolio = b.jackson()
    first = plan_waves(portfolio, b.config(10), time_limit_s=5)
    second = plan_waves(portfolio, b.config(10), time_limit_s=5)
    assert b.waves_of(first) == b.waves_of(second)


def test_empty_portfolio(b):
    plan = plan_waves(Portfolio(), b.config(10))
    assert (plan.waves, plan.not_migrated, plan.lower_bound, plan.gap, plan.violations) == ([], [], 0, 0, [])
