"""Streamlit AppTest: every page launches with no data, with a portfolio and with a plan; the wizard,
its validation messages, the selectors and a wave board edit with undo are driven."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning_core import views
from planning_core.engines.waves import edits
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["portfolio", "wizard", "waves", "resources", "timeline", "costs", "summary"]
TITLES = {
    "portfolio": "Portfolio",
    "wizard": "Planning wizard",
    "waves": "Wave board",
    "resources": "Resources",
    "timeline": "Timeline",
    "costs": "Costs",
    "summary": "Summary & export",
}
DEMO_APPS = 40


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh embedded database per test, and no cached database or portfolio from another test."""
    from planning_core.settings import clear_settings_cache
    from ui import state

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNING_DEMO_APPS", str(DEMO_APPS))
    monkeypatch.setenv("PLANNING_DEMO_PLAN", "0")  # the fresh start's demo plan: tests/ui/test_first_start.py
    clear_settings_cache()
    state.get_database.clear()
    state._cached_portfolio.clear()
    state.stored_plan.clear()
    yield tmp_path
    state.get_database.clear()
    clear_settings_cache()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[page]
    return at


def _service() -> PlanningService:
    database = open_database()
    return PlanningService(database, workspace(database))


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def test_empty_database_without_demo_every_page_says_what_to_do(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLANNING_DEMO_APPS", "0")
    at = _app()
    at.run()
    assert not at.exception
    assert "No client account yet: create one to start." in _texts(at, "info")
    for page in PAGES:
        _open(at, page)
        assert "Create a client account and engagement in the sidebar first." in _texts(at, "info") or (
            "No plan selected. Create one in the planning wizard, or pick an existing plan in the sidebar."
            in _texts(at, "info")
        )


def test_first_start_creates_the_demo_workspace_and_pages_show_next_steps(data_dir: Path) -> None:
    at = _app()
    at.run()
    assert not at.exception
    assert [(s.label, s.value) for s in at.sidebar.selectbox] == [
        ("Client account", 1),
        ("Engagement", 1),
        ("Plan", "__none__"),
    ]
    assert len(_service().portfolio().applications) == DEMO_APPS
    no_plan = "No plan selected. Create one in the planning wizard, or pick an existing plan in the sidebar."
    for page in ["waves", "resources", "timeline", "costs", "summary"]:
        _open(at, page)
        assert no_plan in _texts(at, "info")
    _open(at, "portfolio")
    assert at.metric[0].label == "Applications" and at.metric[0].value == str(DEMO_APPS)


def test_wizard_steps_validation_and_create(data_dir: Path) -> None:
    at = _app()
    at.run()
    _open(at, "wizard")
    portfolio = _service().portfolio()
    expected = views.selection_summary(portfolio, [a.application_id for a in portfolio.applications])
    assert at.button(key="wiz_next_1").disabled is True
    at.button(key="wiz_select_all").click().run()
    assert (
        f"**{expected.selected:,} selected** · {expected.migrated:,} to migrate · "
        f"{expected.not_migrated:,} retire/retain · **{expected.effort_hours:,.0f} h** effort"
    ) in _texts(at, "markdown")
    at.button(key="wiz_next_1").click().run()
    assert _texts(at, "error") == []
    # bad input: 'Next' checks the values typed, shows a message at each field, and stays
    at.number_input(key="wiz_max_apps_per_wave").set_value(0)
    at.number_input(key="wiz_wave_duration_limit_days").set_value(20)
    at.number_input(key="wiz_contingency_percentage").set_value(150.0)
    at.text_area(key="wiz_holidays").set_value("2027-02-30")
    at.button(key="wiz_next_2").click().run()
    assert _texts(at, "error") == [
        "max apps per wave must be at least 1",
        "wave duration limit must be at least 30 days",
        "contingency percentage must be between 0 and 100",
        "'2027-02-30' is not a date; write dates as YYYY-MM-DD, one per line.",
    ]
    assert [b.key for b in at.button if b.key == "wiz_next_2"] == ["wiz_next_2"]  # still on step 2
    at.number_input(key="wiz_max_apps_per_wave").set_value(12)
    at.number_input(key="wiz_wave_duration_limit_days").set_value(120)
    at.number_input(key="wiz_contingency_percentage").set_value(20.0)
    at.text_area(key="wiz_holidays").set_value("2027-12-25")
    at.button(key="wiz_next_2").click().run()
    assert _texts(at, "error") == []
    assert at.text_input(key="wiz_name").value == f"Migration plan ({DEMO_APPS} applications)"
    # back to step 2 keeps the values
    at.button(key="wiz_back_3").click().run()
    assert at.number_input(key="wiz_max_apps_per_wave").value == 12
    at.button(key="wiz_next_2").click().run()
    at.text_input(key="wiz_name").set_value("Finance first").run()
    at.button(key="wiz_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _texts(at, "error") == [], _texts(at, "error")
    plans = _service().list_plans()
    assert [p.name for p in plans] == ["Finance first"]
    config = plans[0].planning_config
    assert (
        config.max_apps_per_wave,
        config.wave_duration_limit_days,
        config.contingency_percentage,
        config.holidays,
    ) == (12, 120, 20.0, [__import__("datetime").date(2027, 12, 25)])
    assert plans[0].phase_statuses["synthesis"] == "completed"


def test_nothing_is_saved_when_the_plan_name_is_blank(data_dir: Path) -> None:
    at = _app()
    at.run()
    _open(at, "wizard")
    at.button(key="wiz_select_all").click().run()
    at.button(key="wiz_next_1").click().run()
    at.button(key="wiz_next_2").click().run()
    at.text_input(key="wiz_name").set_value("   ").run()
    assert _texts(at, "error") == ["Give the plan a name."]
    assert at.button(key="wiz_create").disabled is True
    assert _service().list_plans() == []


@pytest.fixture
def planned(data_dir: Path):
    """The demo workspace with one plan of every application."""
    at = _app()
    at.run()  # creates the demo workspace
    service = _service()
    ids = [a.application_id for a in service.portfolio().applications]
    return service.initialize(selected_application_ids=ids, config={"max_apps_per_wave": 8}, name="Plan A")


def test_every_page_launches_with_a_plan(planned) -> None:
    at = _app()
    at.run()
    assert at.sidebar.selectbox[2].value == planned.planning_flow_id
    waves = _open(at, "waves")
    metrics = {m.label: m.value for m in waves.metric}
    assert metrics["Waves"] == str(len(planned.wave_plan.waves))
    assert metrics["Lower bound"] == str(planned.wave_plan.lower_bound)
    assert metrics["Total cost"] == views.compact_money(planned.cost_estimation.total)
    costs = _open(at, "costs")
    total = next(m for m in costs.metric if m.label == "Total")
    assert total.value == views.compact_money(planned.cost_estimation.total)
    for page in ["resources", "timeline", "summary", "portfolio", "wizard"]:
        _open(at, page)
    summary = _open(at, "summary")
    assert [m.label for m in summary.metric] == [
        "Applications",
        "Waves",
        "Duration",
        "Total cost (USD)",
        "Effort",
        "Skill gaps",
    ]


def test_selecting_another_engagement_shows_its_empty_state(planned) -> None:
    database = open_database()
    other = workspace(database, engagement="Second engagement")
    at = _app()
    at.run()
    at.sidebar.selectbox[1].set_value(other.engagement_id).run()
    assert at.sidebar.selectbox[2].value == "__none__"
    _open(at, "portfolio")
    assert at.button[0].label == "Load the demo portfolio (300 applications)"
    _open(at, "waves")
    assert (
        "No plan selected. Create one in the planning wizard, or pick an existing plan in the sidebar."
        in _texts(at, "info")
    )


def _edit_view(at: AppTest) -> None:
    """Switch the wave board to its 'Edit assignments' view."""
    at.button_group(key="board_view").set_value("edit").run()
    assert not at.exception


def _valid_move(plan) -> tuple[str, int]:
    """An application and a target wave such that the move breaks no hard constraint."""
    portfolio = __import__("planning_core.domain", fromlist=["Portfolio"]).Portfolio(
        applications=plan.applications, dependencies=plan.dependencies
    )
    for wave in reversed(plan.wave_plan.waves):
        for app in wave.applications:
            for target in plan.wave_plan.waves:
                if target.wave_number == wave.wave_number or target.is_pilot:
                    continue
                moved = edits.move_application(
                    plan.wave_plan,
                    portfolio,
                    plan.planning_config,
                    application_id=app.application_id,
                    to_wave=target.wave_number,
                )
                if not [v for v in validate_wave_plan(moved, portfolio, plan.planning_config) if v.hard]:
                    return app.application_id, target.wave_number
    raise AssertionError("no valid move in this plan")


def test_wave_board_move_recomputes_and_undo_restores(planned) -> None:
    app_id, target = _valid_move(planned)
    at = _app()
    at.run()
    _open(at, "waves")
    _edit_view(at)
    at.selectbox(key="act_app").set_value(app_id).run()
    at.selectbox(key="act_wave").set_value(target).run()
    at.button(key="act_move").click().run()
    assert not at.exception
    service = _service()
    moved = service.get_plan(planned.planning_flow_id)
    assert moved.wave_plan.wave_of()[app_id] == target
    assert moved.phase_statuses["cost_estimation"] == "completed"
    assert _texts(at, "success")[0] == (
        f"Saved: Moved {app_id} to wave {target}. Later phases recomputed; total cost "
        f"{views.money(moved.cost_estimation.total)} (was {views.money(planned.cost_estimation.total)})."
    )
    assert at.button(key="board_undo").disabled is False
    at.button(key="board_undo").click().run()
    restored = service.get_plan(planned.planning_flow_id)
    assert restored.wave_plan.wave_of() == planned.wave_plan.wave_of()
    assert restored.cost_estimation.total == planned.cost_estimation.total
    assert at.button(key="board_redo").disabled is False
    at.button(key="board_redo").click().run()
    assert service.get_plan(planned.planning_flow_id).wave_plan.wave_of()[app_id] == target


def test_two_analysts_on_one_plan_lose_nothing(planned) -> None:
    app_id, target = _valid_move(planned)
    at = _app()
    at.run()
    _open(at, "waves")
    _edit_view(at)
    service = _service()  # a second analyst renames the plan while the board is open
    service.update(
        planning_flow_id=planned.planning_flow_id, expected_version=planned.version, name="Renamed"
    )
    at.selectbox(key="act_app").set_value(app_id).run()
    assert at.caption[0].value.startswith("Renamed · saved change ")  # the board shows the latest plan
    at.selectbox(key="act_wave").set_value(target).run()
    at.button(key="act_move").click().run()
    assert not at.exception
    latest = service.get_plan(planned.planning_flow_id)
    assert (latest.name, latest.wave_plan.wave_of()[app_id]) == ("Renamed", target)


def test_lock_then_reoptimise_keeps_the_locked_application(planned) -> None:
    wave = planned.wave_plan.waves[-1]
    app_id = wave.applications[0].application_id
    at = _app()
    at.run()
    _open(at, "waves")
    _edit_view(at)
    at.selectbox(key="act_app").set_value(app_id).run()
    at.button(key="act_lock").click().run()
    service = _service()
    locked = service.get_plan(planned.planning_flow_id)
    assert [
        a.pinned for w in locked.wave_plan.waves for a in w.applications if a.application_id == app_id
    ] == [True]
    at.button(key="board_reopt").click().run()
    assert not at.exception
    after = service.get_plan(planned.planning_flow_id)
    assert after.wave_plan.wave_of()[app_id] == wave.wave_number
    assert [r.action for r in service.revisions(planned.planning_flow_id)][-2:] == ["update", "update"]
    assert _texts(at, "success")[0].startswith(
        "Saved: Re-optimised around the locks. Later phases recomputed;"
    )


def test_manual_allocation_needs_a_reason_and_is_saved_with_it(planned) -> None:
    at = _app()
    at.run()
    _open(at, "resources")
    first = planned.resource_allocation.allocations[0]
    at.selectbox(key="ovr_wave").set_value(first.wave_number)
    at.selectbox(key="ovr_role").set_value(first.role).run()
    at.number_input(key=f"ovr_hours_{first.wave_number}_{first.role}").set_value(123.0).run()
    at.button(key="ovr_submit").click().run()  # no reason given
    assert "a manual allocation needs a reason (why the hours differ from the suggestion)" in _texts(
        at, "error"
    )
    service = _service()
    assert service.get_plan(planned.planning_flow_id).version == planned.version
    at.text_input(key="ovr_reason").set_value("contractors test this wave")
    at.button(key="ovr_submit").click().run()
    saved = service.get_plan(planned.planning_flow_id)
    manual = [a for a in saved.resource_allocation.allocations if a.source == "manual"]
    assert [(a.wave_number, a.role, a.hours, a.reason) for a in manual] == [
        (first.wave_number, first.role, 123.0, "contractors test this wave")
    ]
    assert saved.phase_statuses["cost_estimation"] == "completed"


def test_the_wizard_asks_for_at_least_one_resource_pool() -> None:
    from planning_core.domain import PlanningConfig
    from ui.wizard import SCALARS, config_from_values

    defaults = PlanningConfig()
    values = {
        **defaults.model_dump(include=set(SCALARS)),
        "holidays": "",
        "data_transfer_cost_per_gb": 0.0,
        "dual_running_cost_per_server_per_month": 0.0,
        "dual_running_months": 1.0,
        "blackouts": views.blackouts_frame(defaults),
        "pools": views.pools_frame(defaults.resource_pools),
    }
    config, errors = config_from_values(values)
    assert errors == {} and config is not None
    config, errors = config_from_values({**values, "pools": views.pools_frame([])})
    assert (config, errors) == (None, {"resource_pools": "add at least one resource pool"})
