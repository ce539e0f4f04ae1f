"""With an LLM configured, the wizard queues the phases for the background worker instead of running
them in the page; the run completes and the plan is stored (the specialists' failure is logged, the
optimizer's plan kept). The LLM here is an address where nothing listens: no answer, quickly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning_core.domain import Phase, PhaseStatus
from planning_core.service.flow import PlanningService
from planning_core.service.runs import latest_job
from planning_core.service.workspace import open_database, workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def llm_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from planning_core.settings import clear_settings_cache
    from ui import state

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNING_DEMO_APPS", "12")
    monkeypatch.setenv("PLANNING_DEMO_PLAN", "0")
    monkeypatch.setenv("PLANNING_LLM_MODEL", "openai/unreachable-model")
    monkeypatch.setenv("PLANNING_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("PLANNING_LLM_API_KEY", "test-key")
    monkeypatch.setenv("PLANNING_LLM_TIMEOUT_S", "1")
    monkeypatch.setenv("PLANNING_LLM_MAX_RETRIES", "0")
    clear_settings_cache()
    for cached in (state.get_database, state._cached_portfolio, state.stored_plan, state._background_worker):
        cached.clear()
    yield tmp_path
    state._background_worker.clear()
    state.get_database.clear()
    clear_settings_cache()


def test_wizard_queues_the_run_and_the_background_worker_completes_it(llm_app: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/wizard.py").run()
    at.button(key="wiz_select_all").click().run()
    at.button(key="wiz_next_1").click().run()
    at.button(key="wiz_next_2").click().run()
    at.button(key="wiz_create").click().run()
    assert not at.exception, [e.value for e in at.exception]

    database = open_database()
    tenant = workspace(database)
    service = PlanningService(database, tenant)
    [plan] = service.list_plans()
    job = latest_job(database, tenant, plan.planning_flow_id)
    assert job is not None and job.kind == "run_all"
    deadline = time.monotonic() + 120
    while job.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        job = latest_job(database, tenant, plan.planning_flow_id)
    assert (job.status, job.error) == ("done", "")
    stored = service.get_plan(plan.planning_flow_id)
    assert stored.phase_statuses == {phase: PhaseStatus.COMPLETED for phase in Phase}
    assert {run.outcome for run in stored.agent_execution_log} == {"failed"}
    assert any("optimizer" in w.lower() or "specialist" in w.lower() for w in stored.warnings)
