"""Issue 15: crews, the wave window as a constraint, one utilisation, overrides, team for a deadline."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.domain import CostInputs, CostOverride, Portfolio, ResourcePool
from planning_core.engines.costs.engine import estimate_costs
from planning_core.engines.resources.engine import allocate_resources
from planning_core.engines.resources.utilisation import role_utilisation, with_schedule_utilisation
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.schedule.team import earliest_end_date, team_for_deadline
from planning_core.errors import InvalidInput
from tests.engines.schedule.test_engine import ENGINEER, TESTER, allocation, app, config, plan_of, random_case

ARCHITECT = "cloud_architect"


def one_wave(hours: float, **cfg: object):  # type: ignore[no-untyped-def]
    a = app("a")
    return build_timeline(
        Portfolio(applications=[a]), plan_of({1: [a]}), allocation([("a", 1, ENGINEER, hours)]), config(**cfg)
    )


def test_window_limit_violated_then_satisfied_with_more_people() -> None:
    """640 engineer hours: 40 days at 2 engineers (66 calendar days > 30); with 6 engineers the crew
    grows to fit the window and there is no violation."""
    tight = one_wave(640, wave_duration_limit_days=30)
    assert [v.constraint for v in tight.violations] == ["wave_duration"]
    roomy = one_wave(
        640, wave_duration_limit_days=30, resource_pools=[ResourcePool(role=ENGINEER, headcount=6)]
    )
    assert roomy.violations == []
    window = roomy.waves[0]
    assert (window.end - window.start).days + 1 <= 30
    assert next(a for a in roomy.activities if a.kind == "migrate").crew[ENGINEER] > 2


def test_crew_bounds_violated_vs_satisfied() -> None:
    """max_crew caps the people (longer activity); min_crew puts at least that many on it."""
    capped = one_wave(320, resource_pools=[ResourcePool(role=ENGINEER, headcount=4, max_crew=1)])
    free = one_wave(320, resource_pools=[ResourcePool(role=ENGINEER, headcount=4)])
    capped_m = next(a for a in capped.activities if a.kind == "migrate")
    free_m = next(a for a in free.activities if a.kind == "migrate")
    assert (capped_m.crew, capped_m.duration_days) == ({ENGINEER: 1}, 40)
    assert (free_m.crew, free_m.duration_days) == ({ENGINEER: 4}, 10)  # 320 h is 8 person-weeks
    floor = one_wave(16, resource_pools=[ResourcePool(role=ENGINEER, headcount=4, min_crew=2)])
    assert next(a for a in floor.activities if a.kind == "migrate").crew == {ENGINEER: 2}
    with pytest.raises(ValueError, match="minimum crew"):
        ResourcePool(role=ENGINEER, min_crew=3, max_crew=2)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 40), st.integers(1, 6), st.integers(0, 10_000))
def test_no_role_week_over_capacity_and_one_utilisation(n_apps: int, per_wave: int, seed: int) -> None:
    portfolio, plan, hours = random_case(n_apps, per_wave, seed)
    roles = ["migration_engineer", "cloud_architect", "developer", "dba", "tester", "project_manager"]
    cfg = config(
        resource_pools=[
            ResourcePool(role=r, headcount=h) for r, h in zip(roles, [4, 2, 6, 2, 3, 1], strict=True)
        ],
        wave_duration_limit_days=30 + seed % 60,
    )
    timeline = build_timeline(portfolio, plan, hours, cfg)
    for row in timeline.resource_load:
        assert row.hours <= row.capacity_hours + 0.01
    # the programme utilisation is the sum of the weekly rows, per role
    for u in role_utilisation(timeline):
        weekly = [r for r in timeline.resource_load if r.role == u.role]
        assert u.scheduled_hours == pytest.approx(sum(r.hours for r in weekly), abs=0.02)
        assert u.capacity_hours == pytest.approx(sum(r.capacity_hours for r in weekly), abs=0.02)
    # windows over the limit are exactly the hard wave_duration violations
    over = {
        w.wave_number for w in timeline.waves if (w.end - w.start).days + 1 > cfg.wave_duration_limit_days
    }
    assert over == {v.wave_numbers[0] for v in timeline.violations if v.constraint == "wave_duration"}


def test_allocation_utilisation_comes_from_the_schedule() -> None:
    portfolio, plan, _ = random_case(12, 3, seed=5)
    cfg = config(
        resource_pools=[ResourcePool(role=ENGINEER, headcount=2), ResourcePool(role=TESTER, headcount=1)]
    )
    allocation_ = allocate_resources(portfolio, plan, cfg)
    timeline = build_timeline(portfolio, plan, allocation_, cfg)
    refreshed = with_schedule_utilisation(allocation_, timeline, cfg)
    assert refreshed.utilisation_source == "schedule"
    assert refreshed.utilisation_by_role == role_utilisation(timeline)
    assert not any(a.over_allocated for a in refreshed.allocations)
    assert [a.hours for a in refreshed.allocations] == [a.hours for a in allocation_.allocations]
    for row in refreshed.allocations:
        window = next(w for w in timeline.waves if w.wave_number == row.wave_number)
        weeks = [
            r
            for r in timeline.resource_load
            if r.role == row.role
            and r.week_start <= window.end
            and r.week_start >= window.start.fromordinal(window.start.toordinal() - window.start.weekday())
        ]
        assert row.capacity_hours == pytest.approx(sum(r.capacity_hours for r in weeks), abs=0.02)


def test_cost_follows_the_schedule() -> None:
    """Stretched waves (fewer people, same hours) cost more: dual running and weekly costs grow."""
    portfolio, plan, _ = random_case(8, 4, seed=2)
    fast = config(
        resource_pools=[ResourcePool(role=ENGINEER, headcount=6), ResourcePool(role=TESTER, headcount=3)]
    )
    slow = config(
        resource_pools=[ResourcePool(role=ENGINEER, headcount=1), ResourcePool(role=TESTER, headcount=1)]
    )
    costs = []
    for cfg in (fast, slow):
        allocation_ = allocate_resources(portfolio, plan, cfg)
        timeline = build_timeline(portfolio, plan, allocation_, cfg)
        costs.append((timeline, estimate_costs(portfolio, plan, allocation_, timeline, cfg)))
    (t_fast, c_fast), (t_slow, c_slow) = costs
    assert t_slow.total_duration_days > t_fast.total_duration_days
    assert c_slow.labour_total == c_fast.labour_total
    assert c_slow.dual_running_total > c_fast.dual_running_total
    assert c_slow.time_based_total > c_fast.time_based_total
    assert c_slow.total > c_fast.total
    assert {c.category for c in c_slow.by_category if c.time_based} == {
        "dual_running",
        "programme_team",
        "environments",
    }
    assert (
        sum(w.total for w in c_slow.by_wave) == c_slow.subtotal == sum(c.amount for c in c_slow.by_category)
    )


def test_cost_overrides_add_and_set_with_their_reason() -> None:
    portfolio, plan, _ = random_case(4, 2, seed=1)
    overrides = [
        CostOverride(category="legal", amount=D("5000"), reason="contract review", name="external counsel"),
        CostOverride(category="data_transfer", amount=D("999"), mode="set", reason="vendor quote"),
    ]
    base = config()
    cfg = base.model_copy(update={"cost_inputs": CostInputs(cost_overrides=overrides)})
    allocation_ = allocate_resources(portfolio, plan, cfg)
    timeline = build_timeline(portfolio, plan, allocation_, cfg)
    plain = estimate_costs(portfolio, plan, allocation_, timeline, base)
    adjusted = estimate_costs(portfolio, plan, allocation_, timeline, cfg)
    lines = {c.category: c for c in adjusted.by_category}
    assert (lines["legal: external counsel"].amount, lines["legal: external counsel"].reason) == (
        D("5000.00"),
        "contract review",
    )
    assert (lines["data_transfer"].amount, lines["data_transfer"].reason) == (D("999.00"), "vendor quote")
    assert adjusted.subtotal - plain.subtotal == D("5000") + D("999") - plain.data_transfer_total
    assert (
        sum(c.amount for c in adjusted.by_category)
        == adjusted.subtotal
        == sum(w.total for w in adjusted.by_wave)
    )
    wrong = base.model_copy(
        update={
            "cost_inputs": CostInputs(
                cost_overrides=[CostOverride(category="nope", amount=D("1"), mode="set", reason="x")]
            )
        }
    )
    with pytest.raises(InvalidInput, match="cannot set cost line 'nope'"):
        estimate_costs(portfolio, plan, allocation_, timeline, wrong)
    with pytest.raises(ValueError):
        CostOverride(category="legal", amount=D("1"), reason="  ")


def test_not_before_and_fixed_cutover_are_honoured_and_survive_a_recompute() -> None:
    a, b = app("a"), app("b")
    plan = plan_of({1: [a], 2: [b]})
    plan.waves[0].not_before = date(2027, 2, 1)
    plan.waves[1].fixed_cutover = date(2027, 3, 1)
    portfolio = Portfolio(applications=[a, b])
    hours = allocation([("a", 1, ENGINEER, 32), ("b", 2, ENGINEER, 32)])
    first = build_timeline(portfolio, plan, hours, config())
    again = build_timeline(portfolio, plan.model_copy(deep=True), hours, config())
    assert first == again
    acts = {x.id: x for x in first.activities}
    assert acts["W1-plan"].start >= date(2027, 2, 1)
    assert acts["W2-cutover"].start == date(2027, 3, 1)
    assert first.violations == []
    assert (first.waves[1].fixed_cutover, first.waves[0].not_before) == (date(2027, 3, 1), date(2027, 2, 1))
    impossible = plan.model_copy(deep=True)
    impossible.waves[1].fixed_cutover = date(2027, 1, 5)  # the work takes longer than one day
    broken = build_timeline(portfolio, impossible, hours, config())
    assert [(v.constraint, v.wave_numbers) for v in broken.violations] == [("fixed_cutover", [2])]


def _small_case(seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    apps = [app(f"a{i}") for i in range(4)]
    plan = plan_of({1: apps[:2], 2: apps[2:]})
    rows = [
        (x.application_id, 1 if i < 2 else 2, role, float(rng.choice([40, 80, 160])))
        for i, x in enumerate(apps)
        for role in (ENGINEER, TESTER)
    ]
    return Portfolio(applications=apps), plan, allocation(rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_team_for_a_deadline_matches_brute_force(seed: int) -> None:
    portfolio, plan, hours = _small_case(seed)
    cfg = config(
        resource_pools=[ResourcePool(role=ENGINEER, headcount=1), ResourcePool(role=TESTER, headcount=1)]
    )
    bounds = {ENGINEER: (1, 4), TESTER: (1, 3)}
    ends = {
        (e, t): earliest_end_date(portfolio, plan, hours, cfg, {ENGINEER: e, TESTER: t})
        for e, t in product(range(1, 5), range(1, 4))
    }
    fastest = min(ends.values())
    slowest = max(ends.values())
    calendar = WorkingCalendar(cfg)
    target = calendar.nth_working_day((calendar.offset_of(fastest) + calendar.offset_of(slowest)) // 2)
    answer = team_for_deadline(portfolio, plan, hours, cfg, target, bounds)
    meeting = [k for k, end in ends.items() if end <= target]
    best = min(meeting, key=lambda k: (sum(k), k[0] * 100 + k[1] * 100, k))
    assert answer.met and (answer.headcounts[ENGINEER], answer.headcounts[TESTER]) == best
    assert answer.end_date == ends[best] <= target
    too_early = calendar.nth_working_day(0)
    missed = team_for_deadline(portfolio, plan, hours, cfg, too_early, bounds)
    assert not missed.met and missed.earliest_end_date == ends[(4, 3)]
    assert "cannot be met" in missed.message
