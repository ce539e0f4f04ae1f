"""Each wave constraint, violated and satisfied."""

from __future__ import annotations

from planning_core.domain import Portfolio
from planning_core.engines.waves import constraints as c
from planning_core.engines.waves.constraints import CONSTRAINTS, build_context, validate_wave_plan
from planning_core.engines.waves.models import Violation


def check(b, fn, portfolio: Portfolio, waves: dict[int, list[str]], cfg=None, pinned=()) -> list[Violation]:  # noqa: ANN001
    cfg = cfg or b.config(10, 3)
    return fn(build_context(b.wave_plan(portfolio, waves, pinned=pinned), portfolio, cfg))


def simple(b) -> Portfolio:  # noqa: ANN001
    return Portfolio(applications=[b.app("A", 4), b.app("B", 4), b.app("C", 4)])


def test_constraints_are_listed_once_with_a_hard_or_soft_docstring():
    names = [fn.__name__ for fn in CONSTRAINTS]
    assert names == [
        "every_app_placed",
        "no_duplicates",
        "known_apps",
        "not_migrated_outside_waves",
        "unique_wave_numbers",
        "max_apps",
        "effort_capacity",
        "move_together_whole",
        "precedence",
        "pinned_wave",
    ]
    assert all(fn.__doc__.split(":")[0] in ("Hard", "Soft") for fn in CONSTRAINTS)


def test_missing_violated(b):
    found = check(b, c.every_app_placed, simple(b), {1: ["A", "B"]})
    assert found == [
        Violation(constraint="missing", message="1 application(s) are in no wave: C", application_ids=["C"])
    ]


def test_missing_satisfied(b):
    assert check(b, c.every_app_placed, simple(b), {1: ["A", "B"], 2: ["C"]}) == []


def test_duplicate_violated(b):
    found = check(b, c.no_duplicates, simple(b), {1: ["A", "B"], 2: ["C", "A"]})
    assert found == [
        Violation(
            constraint="duplicate",
            message="A appears more than once (waves 1, 2).",
            application_ids=["A"],
            wave_numbers=[1, 2],
        )
    ]


def test_duplicate_satisfied(b):
    assert check(b, c.no_duplicates, simple(b), {1: ["A", "B"], 2: ["C"]}) == []


def test_unknown_violated_and_satisfied(b):
    found = check(b, c.known_apps, simple(b), {1: ["A", "B", "Z"], 2: ["C"]})
    assert [(v.constraint, v.application_ids) for v in found] == [("unknown", ["Z"])]
    assert check(b, c.known_apps, simple(b), {1: ["A", "B"], 2: ["C"]}) == []


def test_retired_app_in_a_wave_violated(b):
    portfolio = Portfolio(applications=[b.app("A", 4), b.app("R", 4, six_r_strategy="retire")])
    found = check(b, c.not_migrated_outside_waves, portfolio, {1: ["A", "R"]})
    assert found == [
        Violation(
            constraint="not_migrated",
            message="R is to retire, so it must not be in a wave.",
            application_ids=["R"],
            wave_numbers=[1],
        )
    ]


def test_retired_app_outside_waves_satisfied(b):
    portfolio = Portfolio(applications=[b.app("A", 4), b.app("R", 4, six_r_strategy="retain")])
    assert check(b, c.not_migrated_outside_waves, portfolio, {1: ["A"]}) == []
    assert check(b, c.every_app_placed, portfolio, {1: ["A"]}) == []


def test_max_apps_violated(b):
    found = check(b, c.max_apps, simple(b), {1: ["A", "B", "C"]}, cfg=b.config(100, 2))
    assert [(v.constraint, v.wave_numbers, v.hard) for v in found] == [("max_apps", [1], True)]
    assert found[0].message == "Wave 1 holds 3 applications, more than the limit of 2."


def test_max_apps_satisfied(b):
    assert check(b, c.max_apps, simple(b), {1: ["A", "B"], 2: ["C"]}, cfg=b.config(100, 2)) == []


def test_capacity_violated(b):
    found = check(b, c.effort_capacity, simple(b), {1: ["A", "B", "C"]}, cfg=b.config(10, 5))
    assert found == [
        Violation(
            constraint="capacity",
            message="Wave 1 needs 12.0 h, more than its capacity of 10.0 h.",
            application_ids=["A", "B", "C"],
            wave_numbers=[1],
        )
    ]


def test_capacity_satisfied(b):
    assert check(b, c.effort_capacity, simple(b), {1: ["A", "B"], 2: ["C"]}, cfg=b.config(8, 5)) == []


def test_capacity_single_oversized_app_alone_is_a_warning(b):
    portfolio = Portfolio(applications=[b.app("BIG", 25), b.app("A", 4)])
    found = check(b, c.effort_capacity, portfolio, {1: ["BIG"], 2: ["A"]}, cfg=b.config(10, 5))
    assert [(v.constraint, v.hard) for v in found] == [("capacity", False)]
    crowded = check(b, c.effort_capacity, portfolio, {1: ["BIG", "A"]}, cfg=b.config(10, 5))
    assert [(v.constraint, v.hard) for v in crowded] == [("capacity", True)]


def test_move_together_violated(b):
    portfolio = Portfolio(applications=[b.app("A", 2), b.app("B", 2)], dependencies=[b.together("A", "B")])
    found = check(b, c.move_together_whole, portfolio, {1: ["A"], 2: ["B"]})
    assert found == [
        Violation(
            constraint="move_together",
            message="Move-together group A, B is split across waves 1, 2.",
            application_ids=["A", "B"],
            wave_numbers=[1, 2],
        )
    ]


def test_move_together_satisfied(b):
    portfolio = Portfolio(applications=[b.app("A", 2), b.app("B", 2)], dependencies=[b.together("A", "B")])
    assert check(b, c.move_together_whole, portfolio, {1: ["A", "B"]}) == []


def test_move_together_split_of_an_oversized_group_is_a_warning(b):
    portfolio = Portfolio(applications=[b.app("A", 6), b.app("B", 6)], dependencies=[b.together("A", "B")])
    found = check(b, c.move_together_whole, portfolio, {1: ["A"], 2: ["B"]})
    assert [(v.constraint, v.hard) for v in found] == [("move_together", False)]


def test_precedence_violated(b):
    portfolio = Portfolio(applications=[b.app("A", 2), b.app("B", 2)], dependencies=[b.precedes("A", "B")])
    found = check(b, c.precedence, portfolio, {1: ["B"], 2: ["A"]})
    assert found == [
        Violation(
            constraint="precedence",
            message="A must migrate no later than B, but is in wave 2 after wave 1.",
            application_ids=["A", "B"],
            wave_numbers=[2, 1],
        )
    ]


def test_precedence_satisfied_same_wave_and_later(b):
    portfolio = Portfolio(applications=[b.app("A", 2), b.app("B", 2)], dependencies=[b.precedes("A", "B")])
    assert check(b, c.precedence, portfolio, {1: ["A", "B"]}) == []
    assert check(b, c.precedence, portfolio, {1: ["A"], 2: ["B"]}) == []


def test_pinned_violated(b):
    portfolio = Portfolio(applications=[b.app("A", 2, pinned_wave=2), b.app("B", 2)])
    found = check(b, c.pinned_wave, portfolio, {1: ["A"], 2: ["B"]})
    assert found == [
        Violation(
            constraint="pinned",
            message="A is pinned to wave 2 but is in wave 1.",
            application_ids=["A"],
            wave_numbers=[2, 1],
        )
    ]


def test_pinned_satisfied(b):
    portfolio = Portfolio(applications=[b.app("A", 2, pinned_wave=2), b.app("B", 2)])
    assert check(b, c.pinned_wave, portfolio, {1: ["B"], 2: ["A"]}) == []


def test_wave_numbers_unique_violated_and_satisfied(b):
    plan = b.wave_plan(simple(b), {1: ["A"], 2: ["B", "C"]})
    plan.waves[1].wave_number = 1
    found = c.unique_wave_numbers(build_context(plan, simple(b), b.config(10, 3)))
    assert [(v.constraint, v.wave_numbers) for v in found] == [("wave_number", [1])]
    assert check(b, c.unique_wave_numbers, simple(b), {1: ["A"], 2: ["B", "C"]}) == []


def test_validate_wave_plan_runs_every_constraint(b):
    portfolio = Portfolio(
        applications=[b.app("A", 6), b.app("B", 6), b.app("C", 1, pinned_wave=1)],
        dependencies=[b.precedes("A", "B")],
    )
    found = validate_wave_plan(b.wave_plan(portfolio, {1: ["B", "A"], 2: ["C"]}), portfolio, b.config(10, 3))
    assert [(v.constraint, v.hard) for v in found] == [("capacity", True), ("pinned", True)]
    fine = validate_wave_plan(b.wave_plan(portfolio, {1: ["A", "C"], 2: ["B"]}), portfolio, b.config(10, 3))
    assert fine == []
