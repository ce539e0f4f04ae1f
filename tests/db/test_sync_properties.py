"""Property: after any sequence of imports, re-imports and removals of sources, the workspace is exactly
the union of what its sources currently say (SQLite and Postgres)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.session import Database
from planning_core.domain import Application, Dependency, Portfolio
from planning_core.service.portfolio import PortfolioService
from tests.conftest import make_tenant

IDS = [f"A{i}" for i in range(6)]
SOURCES = ["inventory.xlsx", "cmdb.csv", "extra.csv"]
_labels = itertools.count()


@st.composite
def contents(draw: st.DrawFn) -> Portfolio:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    apps = [
        Application(
            application_id=i,
            name=f"App {i}",
            complexity=draw(st.integers(1, 10)),
            pinned_wave=draw(st.none() | st.integers(1, 3)),
        )
        for i in ids
    ]
    pairs = [(s, t) for s in ids for t in ids if s < t]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4)) if pairs else []
    deps = [
        Dependency(source_application_id=s, target_application_id=t, weight=draw(st.sampled_from([1.0, 2.0])))
        for s, t in chosen
    ]
    return Portfolio(applications=apps, dependencies=deps)


operations = st.lists(st.tuples(st.sampled_from(SOURCES), st.none() | contents()), min_size=1, max_size=6)


def expected(model: dict[str, Portfolio]) -> tuple[dict, dict]:
    """(application id -> (name, complexity, pinned_wave), edge -> weight) of the union, later wins."""
    apps: dict[str, tuple[str, int, int | None]] = {}
    deps: dict[tuple[str, str, str], float] = {}
    for portfolio in model.values():  # insertion order = order of the last import
        for app in portfolio.applications:
            earlier_pin = apps[app.application_id][2] if app.application_id in apps else None
            pin = app.pinned_wave if app.pinned_wave is not None else earlier_pin
            apps[app.application_id] = (app.name, app.complexity, pin)
        for dep in portfolio.dependencies:
            deps[(dep.source_application_id, dep.target_application_id, dep.dependency_type.value)] = (
                dep.weight
            )
    return apps, deps


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_workspace_is_the_union_of_its_sources(database: Database, steps) -> None:
    tenant = make_tenant(database, f"prop-{next(_labels)}")
    service = PortfolioService(database, tenant)
    model: dict[str, Portfolio] = {}
    for name, portfolio in steps:
        if portfolio is None:
            if name in model:
                service.remove_source(name)
                del model[name]
            continue
        service.sync(name, portfolio)
        model.pop(name, None)
        model[name] = portfolio
        with database.unit_of_work(tenant) as repo:
            stored = repo.portfolio.load_portfolio()
        apps, deps = expected(model)
        assert {a.application_id: (a.name, a.complexity, a.pinned_wave) for a in stored.applications} == apps
        assert {
            (d.source_application_id, d.target_application_id, d.dependency_type.value): d.weight
            for d in stored.dependencies
        } == deps
    with database.unit_of_work(tenant) as repo:
        stored = repo.portfolio.load_portfolio()
    assert {a.application_id for a in stored.applications} == set(expected(model)[0])
    assert sorted(s.name for s in service.sources()) == sorted(model)
