"""Property: a portfolio written in each format imports back to what that format can express."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.domain import Application, Criticality, Dependency, Portfolio, SixR
from planning_core.portfolio.importers import ImportOptions, preview_import
from planning_core.portfolio.normalise import slug

FAST = settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    count = draw(st.integers(1, 6))
    apps = [
        Application(
            application_id=f"APP-{index:03d}",
            name=f"App {index} {draw(st.sampled_from(['Billing', 'CRM', 'Ledger', 'Café Portal']))}",
            business_unit=draw(st.sampled_from(["", "Sales", "Finance"])),
            environment=draw(st.sampled_from(["production", "test"])),
            six_r_strategy=draw(st.sampled_from(list(SixR))),
            business_criticality=draw(st.sampled_from(list(Criticality))),
            server_count=draw(st.integers(1, 3)),
            data_size_gb=draw(st.sampled_from([0.0, 1.5, 200.0])),
            pinned_wave=draw(st.none() | st.integers(1, 3)),
        )
        for index in range(count)
    ]
    pairs = draw(
        st.sets(
            st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)).filter(lambda p: p[0] < p[1]),
            max_size=6,
        )
    )
    deps = [
        Dependency(
            source_application_id=apps[a].application_id,
            target_application_id=apps[b].application_id,
            weight=draw(st.integers(1, 3)),
        )
        for a, b in sorted(pairs)
    ]
    return Portfolio(applications=apps, dependencies=deps)


def _import(write_sample, fmt: str, name: str, portfolio: Portfolio, options: ImportOptions | None = None):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write_sample(fmt, path, portfolio=portfolio)
        return preview_import(path, options=options)


def _renamed(
    deps: list[Dependency], ids: dict[str, str], *, weight: bool
) -> list[tuple[str, str, str, float]]:
    return sorted(
        (
            ids[d.source_application_id],
            ids[d.target_application_id],
            d.dependency_type.value,
            d.weight if weight else 1.0,
        )
        for d in deps
    )


def _edges(portfolio: Portfolio) -> list[tuple[str, str, str, float]]:
    return sorted(
        (d.source_application_id, d.target_application_id, d.dependency_type.value, d.weight)
        for d in portfolio.dependencies
    )


@FAST
@given(portfolio=portfolios())
def test_template_round_trip_is_exact(write_sample, portfolio: Portfolio) -> None:
    preview = _import(write_sample, "template", "p.xlsx", portfolio)
    assert (preview.format, preview.portfolio, preview.problems) == ("template", portfolio, [])
    assert preview.pins == {a.application_id: a.pinned_wave for a in portfolio.applications if a.pinned_wave}


@FAST
@given(portfolio=portfolios())
def test_konveyor_round_trip_keeps_names_strategies_and_direction(write_sample, portfolio: Portfolio) -> None:
    preview = _import(write_sample, "konveyor", "k.csv", portfolio)
    ids = {a.application_id: slug(a.name) for a in portfolio.applications}
    expected = [
        Application(
            application_id=ids[a.application_id],
            name=a.name,
            business_unit=a.business_unit,
            six_r_strategy=a.six_r_strategy,
            business_criticality=a.business_criticality,
            attributes={
                "Migration Strategy": a.six_r_strategy.value.title(),
                "Business Criticality": a.business_criticality.value,
            },
        )
        for a in portfolio.applications
    ]
    assert preview.format == "konveyor"
    assert preview.portfolio.applications == expected
    assert _edges(preview.portfolio) == _renamed(portfolio.dependencies, ids, weight=False)
    assert preview.problems == []


@FAST
@given(portfolio=portfolios())
def test_azure_round_trip_keeps_weights_as_observations(write_sample, portfolio: Portfolio) -> None:
    preview = _import(write_sample, "azure_migrate", "a.csv", portfolio)
    ids = {a.application_id: slug(a.name) for a in portfolio.applications}
    involved = {x for d in portfolio.dependencies for x in (d.source_application_id, d.target_application_id)}
    assert preview.format == "azure_migrate"
    assert sorted(a.application_id for a in preview.portfolio.applications) == sorted(
        ids[i] for i in involved
    )
    assert [a.server_count for a in preview.portfolio.applications] == [1] * len(involved)
    assert _edges(preview.portfolio) == _renamed(portfolio.dependencies, ids, weight=True)


@FAST
@given(portfolio=portfolios())
def test_mpa_round_trip_keeps_ids_servers_and_data(write_sample, portfolio: Portfolio) -> None:
    preview = _import(write_sample, "aws_mpa", "m.xlsx", portfolio)
    expected = [
        a.model_copy(
            update={
                "pinned_wave": None,
                "attributes": {
                    "servers": ", ".join(f"{a.application_id}-h{i}" for i in range(a.server_count))
                },
            }
        )
        for a in portfolio.applications
    ]
    assert (preview.format, preview.portfolio.applications, preview.problems) == ("aws_mpa", expected, [])
    assert _edges(preview.portfolio) == _renamed(
        portfolio.dependencies,
        {a.application_id: a.application_id for a in portfolio.applications},
        weight=False,
    )


@FAST
@given(portfolio=portfolios(), pins=st.booleans())
def test_cmf_round_trip_groups_servers_and_optionally_pins(
    write_sample, portfolio: Portfolio, pins: bool
) -> None:
    preview = _import(
        write_sample,
        "cmf",
        "c.csv",
        portfolio.model_copy(update={"dependencies": []}),
        ImportOptions(import_wave_pins=pins),
    )
    expected = [
        Application(
            application_id=slug(a.name),
            name=a.name,
            environment=a.environment,
            six_r_strategy=a.six_r_strategy,
            server_count=a.server_count,
            pinned_wave=a.pinned_wave if pins else None,
            attributes={
                "aws_region": "eu-west-1",
                "aws_accountid": "123456789012",
                "server_tier": "app",
                "server_os_family": "linux",
                "servers": ", ".join(f"{a.application_id.lower()}-s{i}" for i in range(a.server_count)),
            },
        )
        for a in portfolio.applications
    ]
    assert (preview.format, preview.portfolio.applications, preview.problems) == ("cmf", expected, [])
    assert preview.pins == (
        {slug(a.name): a.pinned_wave for a in portfolio.applications if a.pinned_wave} if pins else {}
    )
