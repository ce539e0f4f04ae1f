"""The service side of issue 14: a settings change keeps manual work where it holds and says what it
drops; stale edits conflict only where someone else changed the same thing; undo is an inverse edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning_core.domain import Phase
from planning_core.service import collaboration
from planning_core.service.edits import first_affected_phase
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import ensure_demo_portfolio, open_database, workspace


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlanningService:
    from planning_core.settings import clear_settings_cache

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    clear_settings_cache()
    database = open_database()
    tenant = workspace(database)
    ensure_demo_portfolio(database, tenant, apps=30, seed=7)
    yield PlanningService(database, tenant)
    database.dispose()
    clear_settings_cache()


@pytest.fixture
def plan(service: PlanningService):
    ids = [a.application_id for a in service.portfolio().applications]
    return service.initialize(selected_application_ids=ids, config={"max_apps_per_wave": 8}, name="P")


def test_settings_feed_their_first_phase(plan) -> None:
    config = plan.planning_config
    assert (
        first_affected_phase(config, config.model_copy(update={"contingency_percentage": 30.0}))
        == Phase.COST_ESTIMATION
    )
    assert (
        first_affected_phase(config, config.model_copy(update={"hours_per_day": 7.0}))
        == Phase.TIMELINE_GENERATION
    )
    assert (
        first_affected_phase(config, config.model_copy(update={"max_apps_per_wave": 6}))
        == Phase.WAVE_PLANNING
    )
    assert first_affected_phase(config, config.model_copy(update={"auto_progress": False})) is None


def test_a_cost_setting_keeps_every_wave_as_it_is(service: PlanningService, plan) -> None:
    config = plan.planning_config.model_copy(update={"contingency_percentage": 40.0})
    saved = service.change_config(plan.planning_flow_id, plan.version, config, reason="more contingency").plan
    assert saved.wave_plan.wave_of() == plan.wave_plan.wave_of()
    assert saved.cost_estimation.contingency_percentage == 40.0


def test_a_wave_setting_keeps_locks_that_hold_and_names_those_that_do_not(
    service: PlanningService, plan
) -> None:
    wave = max(plan.wave_plan.waves, key=lambda w: len(w.applications))
    locked = [a.application_id for a in wave.applications]
    current = plan
    for app in locked:
        current = service.edit_waves(
            current.planning_flow_id,
            current.version,
            "set_application_lock",
            reason="lock",
            application_id=app,
            locked=True,
        ).plan
    smaller = max(len(locked) - 2, 1)
    earliest, dropped = service.preview_config_change(
        current.planning_flow_id,
        current.version,
        current.planning_config.model_copy(update={"max_apps_per_wave": smaller}),
    )
    assert earliest == Phase.WAVE_PLANNING
    assert dropped and all("locked in wave" in d for d in dropped)
    saved = service.change_config(
        current.planning_flow_id,
        current.version,
        current.planning_config.model_copy(update={"max_apps_per_wave": smaller}),
    ).plan
    kept = [a for w in saved.wave_plan.waves for a in w.applications if a.pinned]
    assert len(kept) == len(locked) - len(dropped) and len(kept) >= 1
    assert all(saved.wave_plan.wave_of()[a.application_id] == wave.wave_number for a in kept)
    history = service.revisions(plan.planning_flow_id)
    assert history[-1].changes["manual_work_dropped"] == dropped


def test_conflicts_only_where_both_changed_the_same_thing(plan) -> None:
    from planning_core.engines.waves.models import WavePlan

    seen = plan.wave_plan
    latest = WavePlan.model_validate(seen.model_dump())
    app = latest.waves[-1].applications.pop()
    latest.waves[0].applications.append(app)
    other = seen.waves[-2].applications[0].application_id
    assert (
        collaboration.edit_conflicts(
            seen, latest, "move_application", {"application_id": other, "to_wave": 1}
        )
        == []
    )
    [conflict] = collaboration.edit_conflicts(
        seen, latest, "move_application", {"application_id": app.application_id, "to_wave": 2}
    )
    assert (conflict.yours, conflict.theirs, conflict.was) == (
        "wave 2",
        "wave 1",
        f"wave {seen.waves[-1].wave_number}",
    )
    assert collaboration.edit_conflicts(seen, latest, "reoptimize_around_locks", {})
