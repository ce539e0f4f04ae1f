"""The demo portfolio generator: deterministic, valid, realistic distributions, no precedence cycles."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning_core.demo import RARE_SKILLS, demo_planning_config, generate_portfolio
from planning_core.domain import DependencyType, Portfolio, SixR, default_resource_pools
from planning_core.errors import InvalidInput


def _precedes_has_cycle_through_groups(portfolio: Portfolio) -> bool:
    """True when precedes links, with move_together groups merged, contain a cycle (Kahn's algorithm)."""
    parent = {a.application_id: a.application_id for a in portfolio.applications}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for d in portfolio.dependencies:
        if d.dependency_type == DependencyType.MOVE_TOGETHER:
            parent[find(d.source_application_id)] = find(d.target_application_id)
    successors: dict[str, set[str]] = defaultdict(set)
    indegree: Counter[str] = Counter()
    for d in portfolio.dependencies:
        if d.dependency_type == DependencyType.PRECEDES:
            s, t = find(d.source_application_id), find(d.target_application_id)
            if s == t:
                return True
            if t not in successors[s]:
                successors[s].add(t)
                indegree[t] += 1
    nodes = {find(a.application_id) for a in portfolio.applications}
    ready = [n for n in nodes if indegree[n] == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for nxt in successors[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return seen != len(nodes)


def test_same_seed_gives_identical_portfolio() -> None:
    first = generate_portfolio(apps=200, seed=11)
    second = generate_portfolio(apps=200, seed=11)
    assert first.model_dump() == second.model_dump()


def test_other_seed_gives_other_portfolio() -> None:
    assert (
        generate_portfolio(apps=200, seed=11).model_dump()
        != generate_portfolio(apps=200, seed=12).model_dump()
    )


def test_portfolio_is_valid_and_has_requested_sizes() -> None:
    portfolio = generate_portfolio(apps=500, seed=3, dependencies=900)
    revalidated = Portfolio.model_validate(portfolio.model_dump())
    assert (len(revalidated.applications), len(revalidated.dependencies)) == (500, 900)
    assert [a.application_id for a in portfolio.applications] == [f"APP-{i:05d}" for i in range(1, 501)]


def test_default_dependency_count_is_one_and_a_half_per_app() -> None:
    assert len(generate_portfolio(apps=400, seed=5).dependencies) == 600


def test_six_r_mix_is_exact_quota() -> None:
    counts = Counter(a.six_r_strategy for a in generate_portfolio(apps=100, seed=9).applications)
    assert counts == {
        SixR.REHOST: 40,
        SixR.REPLATFORM: 20,
        SixR.REFACTOR: 10,
        SixR.REPURCHASE: 8,
        SixR.RELOCATE: 7,
        SixR.RETIRE: 8,
        SixR.RETAIN: 7,
    }


def test_distributions_are_realistic() -> None:
    apps = generate_portfolio(apps=2000, seed=21).applications
    complexity = Counter(a.complexity for a in apps)
    middle = sum(complexity[c] for c in (4, 5, 6, 7))
    extremes = sum(complexity[c] for c in (1, 2, 9, 10))
    assert (middle > 0.5 * len(apps), extremes < 0.15 * len(apps)) == (True, True)
    assert {a.business_criticality.value for a in apps} == {"low", "medium", "high", "critical"}
    assert len({a.business_unit for a in apps}) == 12
    given_effort = sum(a.effort_hours is not None for a in apps)
    assert 0.1 * len(apps) < given_effort < 0.3 * len(apps)
    assert len({a.name for a in apps}) == len(apps)


def test_skills_mostly_covered_by_default_pools_with_a_few_gaps() -> None:
    apps = generate_portfolio(apps=1000, seed=4).applications
    pool_skills = {s for p in default_resource_pools() for s in p.skills}
    uncovered = {s for a in apps for s in a.required_skills} - pool_skills
    with_gap = sum(any(s not in pool_skills for s in a.required_skills) for a in apps)
    assert uncovered <= set(RARE_SKILLS)
    assert len(uncovered) >= 3
    assert 0.01 * len(apps) < with_gap < 0.06 * len(apps)


def test_clusters_and_shared_databases_exist_among_migrated_apps() -> None:
    portfolio = generate_portfolio(apps=1000, seed=8)
    by_id = portfolio.by_id()
    together = [d for d in portfolio.dependencies if d.dependency_type == DependencyType.MOVE_TOGETHER]
    assert len(together) >= 20
    assert all(
        by_id[d.source_application_id].business_unit == by_id[d.target_application_id].business_unit
        for d in together
    )
    databases = [a for a in portfolio.applications if "Shared Database" in a.name]
    fan_out = Counter(d.source_application_id for d in portfolio.dependencies)
    assert len(databases) == 30
    assert min(fan_out[db.application_id] for db in databases) >= 5
    assert all(
        by_id[ref].migrated
        for d in portfolio.dependencies
        for ref in (d.source_application_id, d.target_application_id)
    )
    pairs = [frozenset((d.source_application_id, d.target_application_id)) for d in portfolio.dependencies]
    assert len(pairs) == len(set(pairs))
    assert [a.pinned_wave for a in portfolio.applications if a.pinned_wave is not None] == []


@settings(max_examples=25, deadline=None)
@given(apps=st.integers(min_value=1, max_value=60), seed=st.integers(min_value=0, max_value=10_000))
def test_no_precedence_cycle_even_through_clusters(apps: int, seed: int) -> None:
    assert _precedes_has_cycle_through_groups(generate_portfolio(apps=apps, seed=seed)) is False


def test_cycle_detector_detects_a_cycle_through_a_group() -> None:
    portfolio = Portfolio.model_validate(
        {
            "applications": [{"application_id": x, "name": x} for x in "ABC"],
            "dependencies": [
                {"source_application_id": "A", "target_application_id": "B"},
                {
                    "source_application_id": "B",
                    "target_application_id": "C",
                    "dependency_type": "move_together",
                },
                {"source_application_id": "C", "target_application_id": "A"},
            ],
        }
    )
    assert _precedes_has_cycle_through_groups(portfolio) is True


def test_dense_small_portfolio_fills_every_pair() -> None:
    portfolio = generate_portfolio(apps=4, seed=2, dependencies=None)
    migrated = [a for a in portfolio.applications if a.migrated]
    assert len(portfolio.dependencies) == min(6, len(migrated) * (len(migrated) - 1) // 2)


def test_too_many_dependencies_are_refused() -> None:
    with pytest.raises(InvalidInput, match="dependencies do not fit"):
        generate_portfolio(apps=5, seed=1, dependencies=50)


@pytest.mark.parametrize("apps", [0, -3, 100_001])
def test_bad_app_count_is_refused(apps: int) -> None:
    with pytest.raises(InvalidInput, match="between 1 and 100,000 applications"):
        generate_portfolio(apps=apps, seed=1)


def test_negative_dependencies_are_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot be negative"):
        generate_portfolio(apps=5, seed=1, dependencies=-1)


def test_ten_thousand_apps_forty_thousand_dependencies_under_three_seconds() -> None:
    started = time.process_time()  # CPU time: other processes on a shared machine do not count
    portfolio = generate_portfolio(apps=10_000, seed=1, dependencies=40_000)
    elapsed = time.process_time() - started
    assert (len(portfolio.applications), len(portfolio.dependencies)) == (10_000, 40_000)
    assert elapsed < 3.0


def test_demo_config_starts_on_a_monday_two_weeks_after_today() -> None:
    config = demo_planning_config(today=date(2026, 11, 24))
    assert config.migration_start_date == date(2026, 12, 14)
    assert [(w.start, w.end) for w in config.blackout_windows][:2] == [
        (date(2025, 12, 20), date(2026, 1, 3)),
        (date(2026, 12, 20), date(2027, 1, 3)),
    ]
