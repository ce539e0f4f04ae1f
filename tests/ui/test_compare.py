"""The compare page: AppTest with a plan and its scenarios (side by side, a scenario created from the
form, a scenario made the chosen plan, a baseline saved), and the 300-application demo with three
scenarios in a real browser (screenshots in artifacts/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.ui import CHROMIUM, ROOT, chromium_page, screenshot, streamlit_server, wait_idle
from planning_core.service.scenarios import ScenarioService
from planning_core.service.workspace import ensure_demo_portfolio, open_database, workspace

SHOTS = ROOT / "artifacts" / "screenshots"
SCENARIOS = (
    ("Bigger waves", {"max_apps_per_wave": 15}),
    ("More engineers", {"resource_pools": None}),  # filled in from the plan's pools (x2 headcount)
    ("Later start", {"migration_start_date": "2027-04-05", "contingency_percentage": 25}),
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh embedded database with no demo portfolio, and no cached database from another test."""
    from planning_core.settings import clear_settings_cache
    from ui import state

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNING_DEMO_APPS", "0")
    monkeypatch.setenv("PLANNING_DEMO_PLAN", "0")
    clear_settings_cache()
    state.get_database.clear()
    state._cached_portfolio.clear()
    state.stored_plan.clear()
    yield tmp_path
    state.get_database.clear()
    clear_settings_cache()


def plan_family(apps: int, scenarios: int) -> tuple[str, list[str]]:
    """The demo workspace with `apps` applications planned, and `scenarios` scenarios of that plan."""
    database = open_database()
    try:
        tenant = workspace(database)
        ensure_demo_portfolio(database, tenant, apps=apps, seed=7)
        service = ScenarioService(database, tenant)
        ids = [a.application_id for a in service.portfolio().applications]
        plan = service.initialize(selected_application_ids=ids, config={}, name=f"Demo plan ({apps} apps)")
        created = []
        for name, settings in SCENARIOS[:scenarios]:
            if "resource_pools" in settings:
                pools = plan.planning_config.model_dump(mode="json")["resource_pools"]
                settings = {"resource_pools": [{**p, "headcount": p["headcount"] * 2} for p in pools]}
            created.append(
                service.create_scenario(plan.planning_flow_id, settings, name=name).planning_flow_id
            )
        return plan.planning_flow_id, created
    finally:
        database.dispose()


def _app(plan_id: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["plan"] = plan_id
    return at


def _open_compare(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Compare scenarios"
    return at


def test_compare_page_shows_the_family_side_by_side(data_dir: Path) -> None:
    plan_id, scenario_ids = plan_family(40, 2)
    at = _open_compare(_app(plan_id))
    [picker] = at.multiselect
    assert picker.value == [plan_id, *scenario_ids]
    sidebar_plans = at.sidebar.selectbox(key="sb_plan")
    assert sidebar_plans.options[1:4] == ["Demo plan (40 apps)", "↳ Bigger waves", "↳ More engineers"]
    figures = next(d.value for d in at.dataframe if "figure" in d.value.columns)
    assert list(figures.columns) == ["figure", "Demo plan (40 apps)", "Bigger waves", "More engineers"]
    labels = list(figures["figure"])
    for label in ("Waves", "Lower bound", "End date", "End date P80", "Total cost P80", "Hard violations"):
        assert label in labels
    assert any(label.startswith("Peak headcount: ") for label in labels)
    assert [b.label for b in at.button if b.label == "Make this the chosen plan"] == [
        "Make this the chosen plan"
    ] * 2
    picker.set_value([plan_id]).run()
    assert "Pick at least 2 plans to compare." in [i.value for i in at.info]


def test_scenario_form_baseline_and_adoption(data_dir: Path) -> None:
    plan_id, [scenario_id] = plan_family(40, 1)
    at = _open_compare(_app(plan_id))
    [name] = [t for t in at.text_input if t.label == "Scenario name"]
    name.set_value("Small waves")
    [max_apps] = [n for n in at.number_input if n.label == "Max applications per wave"]
    max_apps.set_value(4)
    at.button(key="scenario_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    database = open_database()
    try:
        service = ScenarioService(database, workspace(database))
        created = next(p for p in service.list_plans() if p.name == "Small waves")
        assert created.scenario is not None and created.scenario.changed_settings == ["max_apps_per_wave"]
        assert created.scenario.family_id == plan_id
        assert created.planning_flow_id in at.multiselect[0].value
        at.button(key="save_baseline").click().run()
        assert not at.exception
        assert [b.name for b in service.baselines(plan_id)] == ["Baseline 1 (revision 1)"]
        at.button(key=f"adopt_{scenario_id}").click().run()
        assert not at.exception, [e.value for e in at.exception]
        main = service.get_plan(plan_id)
        assert service.revisions(plan_id)[-1].action == "adopt_scenario"
        assert main.planning_config == service.get_plan(scenario_id).planning_config
    finally:
        database.dispose()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_compare_page_in_the_browser_with_three_scenarios_of_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planning_core.settings import clear_settings_cache

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    clear_settings_cache()
    plan_id, scenario_ids = plan_family(300, 3)
    clear_settings_cache()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(tmp_path, demo_apps=300) as url, chromium_page(width=1700, height=1100) as page:
        try:
            page.goto(f"{url}/compare?plan={plan_id}")
            page.locator("h1").filter(has_text="Compare scenarios").wait_for(timeout=120_000)
            page.get_by_text("Applications whose wave differs").wait_for(timeout=120_000)
            wait_idle(page)
            for name in ("Bigger waves", "More engineers", "Later start"):
                assert page.locator("[data-testid='stMultiSelect']").get_by_text(name).count() == 1
            assert page.locator(".js-plotly-plot").count() >= 1
            assert page.get_by_role("button", name="Make this the chosen plan").count() == 3
            screenshot(page, SHOTS / "compare.png")
            page.get_by_role("button", name="Make this the chosen plan").first.click()
            page.get_by_text("is now the chosen plan").wait_for(timeout=120_000)
            wait_idle(page)
            screenshot(page, SHOTS / "compare_adopted.png")
        except Exception:
            screenshot(page, SHOTS / "compare_failure.png")
            raise
    database = open_database()
    try:
        service = ScenarioService(database, workspace(database))
        assert service.revisions(plan_id)[-1].action == "adopt_scenario"
        assert service.get_plan(plan_id).planning_config == service.get_plan(scenario_ids[0]).planning_config
    finally:
        database.dispose()


def test_views_for_the_timeline_costs_and_sidebar(data_dir: Path) -> None:
    from datetime import date

    from planning_core.views import compare as compare_views
    from planning_core.views import risk as risk_views
    from planning_core.views.timeline import gantt_figure

    plan_id, [scenario_id] = plan_family(40, 1)
    database = open_database()
    try:
        service = ScenarioService(database, workspace(database))
        plan, scenario = service.get_plan(plan_id), service.get_plan(scenario_id)
        baseline = service.save_baseline(plan_id, "Signed off")
        plans = service.list_plans()
    finally:
        database.dispose()
    assert compare_views.family_options(plans) == [(plan_id, plan.name), (scenario_id, "↳ Bigger waves")]
    cards = risk_views.risk_cards(plan)
    assert [label for label, _, _ in cards] == [
        "End date P50 / P80",
        "Total cost P50 / P80",
        "Contingency covers P80",
        "Chance of the planned end date",
    ]
    assert cards[2][1] == ("yes" if plan.risk.contingency_covers_p80 else "no")
    assert len(risk_views.end_date_histogram_figure(plan.risk).data) == 1
    assert len(risk_views.total_cost_histogram_figure(plan.risk).data) == 1
    assert risk_views.tornado_figure(plan.risk).data[0].orientation == "h"
    figure = compare_views.add_baseline_to_gantt(gantt_figure(plan.timeline), baseline)
    assert figure.data[-1].name == "baseline: Signed off"
    variance = compare_views.latest_variance(
        scenario.model_copy(update={"planning_flow_id": plan_id}), [baseline]
    )
    assert variance is not None and variance.baseline_name == "Signed off"
    assert compare_views.baseline_caption(variance).startswith("Against Signed off (revision 1): ")
    changes = compare_views.scenario_changes(
        plan.planning_config,
        max_apps_per_wave=plan.planning_config.max_apps_per_wave,
        migration_start_date=date(2027, 3, 1),
        wave_duration_limit_days=plan.planning_config.wave_duration_limit_days,
        contingency_percentage=plan.planning_config.contingency_percentage,
        effort_uncertainty_pct=30.0,
        headcounts={"developer": 9},
        extra={"pilot_wave": False},
    )
    assert set(changes) == {"migration_start_date", "cost_inputs", "resource_pools", "pilot_wave"}
    assert changes["cost_inputs"] == {"effort_uncertainty_pct": 30.0}
    assert [p["headcount"] for p in changes["resource_pools"] if p["role"] == "developer"] == [9]
