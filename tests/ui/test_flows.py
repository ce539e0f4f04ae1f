"""AppTest of issue 14's flows: a fresh start opens on the demo plan; a new workspace is created and
selected; a new plan lands in its own workspace; stale edits are re-applied or shown as conflicts; undo
undoes only one's own change; re-optimising asks before undoing manual work; every setting of a plan is
editable in place, keeping locks; the Costs page says what P80 means."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning_core.domain import Portfolio
from planning_core.engines.waves import edits
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace

ROOT = Path(__file__).resolve().parents[2]
DEMO_APPS = 40


def _setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, demo_plan: bool) -> None:
    from planning_core.settings import clear_settings_cache
    from ui import state

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNING_DEMO_APPS", str(DEMO_APPS))
    monkeypatch.setenv("PLANNING_DEMO_PLAN", "1" if demo_plan else "0")
    clear_settings_cache()
    for cached in (state.get_database, state._cached_portfolio, state.stored_plan, state.first_start):
        cached.clear()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _setup(monkeypatch, tmp_path, demo_plan=False)
    yield tmp_path
    from planning_core.settings import clear_settings_cache
    from ui import state

    state.get_database.clear()
    clear_settings_cache()


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def _service(user: str = "local-analyst") -> PlanningService:
    database = open_database()
    return PlanningService(database, workspace(database, user_id=user))


@pytest.fixture
def planned(data_dir: Path):
    at = _app()
    at.run()
    service = _service()
    ids = [a.application_id for a in service.portfolio().applications]
    return service.initialize(selected_application_ids=ids, config={"max_apps_per_wave": 12}, name="Plan A")


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _moves(plan, count: int = 2) -> list[tuple[str, int]]:
    """`count` applications of different waves, each with another wave (with room) it can move to validly."""
    portfolio = Portfolio(applications=plan.applications, dependencies=plan.dependencies)
    limit = plan.planning_config.max_apps_per_wave
    found: list[tuple[str, int]] = []
    used: set[int] = set()

    def valid(app_id: str, wave: int) -> bool:
        moved = edits.move_application(
            plan.wave_plan, portfolio, plan.planning_config, application_id=app_id, to_wave=wave
        )
        return not [v for v in validate_wave_plan(moved, portfolio, plan.planning_config) if v.hard]

    for source in reversed(plan.wave_plan.waves):
        for app in source.applications:
            target = next(
                (
                    w.wave_number
                    for w in plan.wave_plan.waves
                    if w.wave_number not in used | {source.wave_number}
                    and not w.is_pilot
                    and len(w.applications) < limit
                    and valid(app.application_id, w.wave_number)
                ),
                None,
            )
            if target is not None:
                found.append((app.application_id, target))
                used.update({target})
                break
        if len(found) == count:
            return found
    raise AssertionError("not enough independent valid moves")


def _board_edit_view(at: AppTest) -> None:
    _open(at, "waves")
    at.button_group(key="board_view").set_value("edit").run()


# --------------------------------------------------------------------------- first five minutes
def test_a_fresh_start_opens_on_the_computed_demo_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import state

    _setup(monkeypatch, tmp_path, demo_plan=True)
    at = _app()
    at.run()
    assert not at.exception
    state.first_start().thread.join(timeout=120)  # the demo plan is computed in the background
    at.run()
    [plan] = _service().list_plans()
    assert plan.name == f"Demo plan ({DEMO_APPS} applications)"
    assert at.sidebar.selectbox[2].value == plan.planning_flow_id
    assert at.title[0].value == "Wave board"
    assert "Lower bound" in [m.label for m in at.metric]
    assert not [t for t in _texts(at, "info") if t.startswith("No plan selected")]
    assert any("Start here" in m for m in _texts(at, "markdown"))
    state.get_database.clear()


def test_an_empty_engagement_has_one_call_to_action(data_dir: Path) -> None:
    at = _app()
    at.run()
    database = open_database()
    other = workspace(database, engagement="Empty engagement")
    at.run()
    at.sidebar.selectbox[1].set_value(other.engagement_id).run()
    _open(at, "waves")
    assert [link.label for link in at.get("page_link")] == [
        "Start here: import your portfolio (or load the demo)"
    ]


# --------------------------------------------------------------------------- workspace flows
def test_new_client_account_is_created_and_selected(data_dir: Path) -> None:
    at = _app()
    at.run()
    at.text_input(key="new_ws_client").set_value("Acme")
    at.text_input(key="new_ws_engagement").set_value("Cloud move")
    at.button(key="new_workspace_create").click().run()
    assert not at.exception, [e.value for e in at.exception]  # was StreamlitWidgetAlreadyInstantiatedError
    database = open_database()
    acme = workspace(database, client_account="Acme", engagement="Cloud move")
    assert (at.sidebar.selectbox[0].value, at.sidebar.selectbox[1].value) == (
        acme.client_account_id,
        acme.engagement_id,
    )
    assert (at.query_params["client"], at.query_params["engagement"]) == (
        str(acme.client_account_id),
        str(acme.engagement_id),
    )


def test_a_plan_created_in_the_demo_client_lands_there_with_two_clients(data_dir: Path) -> None:
    at = _app()
    at.run()
    database = open_database()
    workspace(database, client_account="Another client", engagement="Other")  # sorts first by name
    demo = workspace(database)
    at.run()
    at.sidebar.selectbox[0].set_value(demo.client_account_id).run()
    _open(at, "wizard")
    at.button(key="wiz_select_all").click().run()
    at.button(key="wiz_next_1").click().run()
    at.button(key="wiz_next_2").click().run()
    at.button(key="wiz_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [plan] = PlanningService(database, demo).list_plans()
    assert at.title[0].value == "Wave board"
    assert (at.query_params["client"], at.query_params["engagement"], at.query_params["plan"]) == (
        str(demo.client_account_id),
        str(demo.engagement_id),
        plan.planning_flow_id,
    )
    assert at.sidebar.selectbox[2].value == plan.planning_flow_id


def test_the_wizard_stores_the_value_typed_with_the_click_and_exposes_every_setting(data_dir: Path) -> None:
    at = _app()
    at.run()
    _open(at, "wizard")
    at.button(key="wiz_select_all").click().run()
    at.button(key="wiz_next_1").click().run()
    assert any("Pre-filled with the default settings" in c for c in _texts(at, "caption"))
    at.number_input(key="wiz_max_apps_per_wave").set_value(7)
    at.toggle(key="wiz_pilot_wave").set_value(False)
    at.number_input(key="wiz_effort_uncertainty_pct").set_value(35.0)
    at.date_input(key="wiz_migration_start_date").set_value(date.today() - timedelta(days=3))
    at.button(key="wiz_next_2").click().run()
    assert any("is in the past: tick 'Start in the past on purpose'" in e for e in _texts(at, "error"))
    at.checkbox(key="wiz_past_start_confirmed").check()
    at.button(key="wiz_next_2").click().run()
    review = " ".join(_texts(at, "markdown"))
    assert "Waves of at most **7** applications" in review
    assert "**no pilot wave**" in review and "±35%" in review
    at.button(key="wiz_create").click().run()
    config = _service().list_plans()[0].planning_config
    assert (config.max_apps_per_wave, config.pilot_wave, config.cost_inputs.effort_uncertainty_pct) == (
        7,
        False,
        35.0,
    )
    assert config.migration_start_date == date.today() - timedelta(days=3)


# --------------------------------------------------------------------------- collaboration
def test_a_stale_edit_is_reapplied_on_the_newer_version(planned) -> None:
    (mine, to_mine), (theirs, to_theirs) = _moves(planned)
    at = _app()
    at.run()
    _board_edit_view(at)
    at.selectbox(key="act_app").set_value(mine).run()
    at.selectbox(key="act_wave").set_value(to_mine).run()
    other = _service("analyst-b")  # saves while the page is open
    other.edit_waves(
        planned.planning_flow_id,
        planned.version,
        "move_application",
        reason="B's move",
        application_id=theirs,
        to_wave=to_theirs,
    )
    at.button(key="act_move").click().run()
    assert not at.exception
    latest = _service().get_plan(planned.planning_flow_id)
    assert (latest.wave_plan.wave_of()[mine], latest.wave_plan.wave_of()[theirs]) == (to_mine, to_theirs)
    assert any("re-applied on the latest version" in t for t in _texts(at, "success") + _texts(at, "warning"))


def test_a_stale_edit_that_conflicts_shows_both_values_and_saves_nothing(planned) -> None:
    [(app, target)] = _moves(planned, 1)
    at = _app()
    at.run()
    _board_edit_view(at)
    at.selectbox(key="act_app").set_value(app).run()
    at.selectbox(key="act_wave").set_value(target).run()
    other = _service("analyst-b")
    elsewhere = next(
        w.wave_number
        for w in planned.wave_plan.waves
        if w.wave_number not in (target, planned.wave_plan.wave_of()[app]) and not w.is_pilot
    )
    other.edit_waves(
        planned.planning_flow_id,
        planned.version,
        "move_application",
        reason="B's move",
        application_id=app,
        to_wave=elsewhere,
        confirm_violations=True,
    )
    at.button(key="act_move").click().run()
    assert not at.exception
    assert at.session_state["board_conflict"].conflicts[0].yours == f"wave {target}"
    assert at.session_state["board_conflict"].conflicts[0].theirs == f"wave {elsewhere}"
    assert _service().get_plan(planned.planning_flow_id).wave_plan.wave_of()[app] == elsewhere  # nothing lost


def test_undo_undoes_only_my_change_and_keeps_later_work_of_others(planned) -> None:
    (mine, to_mine), (theirs, to_theirs) = _moves(planned)
    before = planned.wave_plan.wave_of()
    at = _app()
    at.run()
    _board_edit_view(at)
    at.selectbox(key="act_app").set_value(mine).run()
    at.selectbox(key="act_wave").set_value(to_mine).run()
    at.button(key="act_move").click().run()
    saved = _service().get_plan(planned.planning_flow_id)
    _service("analyst-b").edit_waves(
        saved.planning_flow_id,
        saved.version,
        "move_application",
        reason="B's move",
        application_id=theirs,
        to_wave=to_theirs,
    )
    at.button(key="board_undo").click().run()
    assert not at.exception
    latest = _service().get_plan(planned.planning_flow_id)
    assert latest.wave_plan.wave_of()[mine] == before[mine]  # my move undone
    assert latest.wave_plan.wave_of()[theirs] == to_theirs  # B's later move kept
    assert any(t.startswith(f"Undone: Moved {mine} to wave {to_mine}") for t in _texts(at, "success"))
    # once B moves my application again, redoing my move is no longer possible and says so
    elsewhere = next(
        w.wave_number
        for w in latest.wave_plan.waves
        if w.wave_number not in (before[mine], to_mine) and not w.is_pilot
    )
    _service("analyst-b").edit_waves(
        latest.planning_flow_id,
        latest.version,
        "move_application",
        reason="B again",
        application_id=mine,
        to_wave=elsewhere,
        confirm_violations=True,
    )
    at.button(key="board_redo").click().run()
    assert any("no longer possible" in w for w in _texts(at, "warning")), (
        _texts(at, "warning"),
        _texts(at, "success"),
        _texts(at, "error"),
    )
    assert _service().get_plan(planned.planning_flow_id).wave_plan.wave_of()[mine] == elsewhere


def test_history_rollback_lists_what_it_discards(planned) -> None:
    [(app, target)] = _moves(planned, 1)
    _service("analyst-b").edit_waves(
        planned.planning_flow_id,
        planned.version,
        "move_application",
        reason="B's move",
        application_id=app,
        to_wave=target,
    )
    at = _app()
    at.run()
    _open(at, "waves")
    at.button_group(key="board_view").set_value("history").run()
    assert any("including work by analyst-b" in w and "B's move" in w for w in _texts(at, "warning"))


def test_reoptimise_asks_before_undoing_a_manual_move(planned) -> None:
    [(app, target)] = _moves(planned, 1)
    _service().edit_waves(
        planned.planning_flow_id,
        planned.version,
        "move_application",
        reason="by hand",
        application_id=app,
        to_wave=target,
    )
    moved = _service().get_plan(planned.planning_flow_id)
    at = _app()
    at.run()
    _open(at, "waves")
    at.button(key="board_reopt").click().run()
    assert not at.exception
    preview = at.session_state["board_reoptimise"]
    if not preview.manual_moves_undone:
        pytest.skip("re-optimising happens to keep this manual move")
    assert app in preview.manual_moves_undone
    assert _service().get_plan(planned.planning_flow_id).version == moved.version  # nothing saved yet


# --------------------------------------------------------------------------- settings
def test_settings_change_in_place_keeps_locks(planned) -> None:
    wave = planned.wave_plan.waves[-1]
    locked = wave.applications[0].application_id
    service = _service()
    plan = service.edit_waves(
        planned.planning_flow_id,
        planned.version,
        "set_application_lock",
        reason="lock",
        application_id=locked,
        locked=True,
    ).plan
    at = _app()
    at.run()
    _open(at, "settings")
    at.number_input(key="set_contingency_percentage").set_value(25.0)
    at.number_input(key="set_max_apps_per_wave").set_value(9)
    at.button(key="set_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = service.get_plan(planned.planning_flow_id)
    assert (saved.planning_config.contingency_percentage, saved.planning_config.max_apps_per_wave) == (
        25.0,
        9,
    )
    assert saved.wave_plan.wave_of()[locked] == wave.wave_number
    assert [
        a.pinned for w in saved.wave_plan.waves for a in w.applications if a.application_id == locked
    ] == [True]
    assert saved.phase_statuses["cost_estimation"] == "completed" and saved.version > plan.version
    assert any(t.startswith("Saved: ") for t in _texts(at, "success") + _texts(at, "warning"))


def test_costs_page_explains_p80(planned) -> None:
    at = _app()
    at.run()
    _open(at, "costs")
    assert any(c.startswith("**What P80 means:**") for c in _texts(at, "caption"))
