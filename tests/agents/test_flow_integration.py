"""The flow with the specialists (needs the advise() call in PlanningService._run_phase, see the report)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agents_support import small_config, small_portfolio
from standin import Reply, StandIn

from planning_core.domain import Phase
from planning_core.service.flow import PlanningService
from planning_core.settings import clear_settings_cache
from tests.builders import waves_of


def by_persona(body: dict[str, Any]) -> Reply:
    """Each specialist gets the answer for its phase (the persona is in the system prompt)."""
    text = "\n".join(str(m.get("content")) for m in body["messages"])
    if "Wave Planning Specialist" in text:
        return Reply(
            content=json.dumps({"moves": [{"application_id": "mail", "to_wave": 1}], "summary": "ok"})
        )
    if "Resource Allocation Specialist" in text:
        return Reply(content=json.dumps({"transfers": [], "summary": "Balanced."}))
    if "executive narrative" in text:
        return Reply(content=json.dumps({"narrative": "<b>Three</b> waves."}))
    return Reply(content=json.dumps({"notes": [{"title": "Check", "detail": "Slack."}], "summary": "Noted."}))


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, standin: StandIn) -> StandIn:
    """PLANNING_LLM_* pointing at the stand-in for this test only."""
    monkeypatch.setenv("PLANNING_LLM_MODEL", "openai/standin-model")
    monkeypatch.setenv("PLANNING_LLM_BASE_URL", standin.base_url)
    monkeypatch.setenv("PLANNING_LLM_API_KEY", "test-key")
    monkeypatch.setenv("PLANNING_LLM_TIMEOUT_S", "2")
    monkeypatch.setenv("PLANNING_LLM_MAX_RETRIES", "0")
    clear_settings_cache()
    yield standin
    clear_settings_cache()


def _plan(database, tenant):  # noqa: ANN001, ANN202
    service = PlanningService(database, tenant)
    portfolio = small_portfolio()
    service.import_portfolio(portfolio)
    return service.initialize(
        selected_application_ids=[a.application_id for a in portfolio.applications],
        config=small_config().model_dump(mode="json"),
        run=True,
    )


def test_all_four_specialists_review_the_flow_and_are_logged(database, tenant, llm_env) -> None:  # noqa: ANN001
    llm_env.reset(by_persona)
    plan = _plan(database, tenant)
    assert plan.current_phase == Phase.COMPLETED
    assert waves_of(plan.wave_plan) == [["crm", "mail"], ["billing", "hr"], ["portal"]]
    assert [(r.agent, r.phase, r.outcome) for r in plan.agent_execution_log] == [
        ("WavePlanningSpecialist", Phase.WAVE_PLANNING, "accepted"),
        ("ResourceAllocationSpecialist", Phase.RESOURCE_ALLOCATION, "no_changes"),
        ("TimelineGenerationSpecialist", Phase.TIMELINE_GENERATION, "accepted"),
        ("CostEstimationSpecialist", Phase.COST_ESTIMATION, "accepted"),
        ("CostEstimationSpecialist", Phase.SYNTHESIS, "accepted"),
    ]
    assert plan.synthesis.narrative == "Three waves."
    stored = PlanningService(database, tenant).get_plan(plan.planning_flow_id)
    assert stored.agent_execution_log == plan.agent_execution_log


def test_without_llm_the_plan_is_the_optimizers(database, tenant, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("PLANNING_LLM_MODEL", raising=False)
    clear_settings_cache()
    plan = _plan(database, tenant)
    assert waves_of(plan.wave_plan) == [["crm"], ["billing", "hr"], ["portal", "mail"]]
    assert plan.agent_execution_log == []
    assert plan.synthesis.narrative == ""


def test_cli_plan_runs_the_four_specialists_and_logs_them(tmp_path, llm_env, capsys) -> None:  # noqa: ANN001
    from planning_core.cli import main

    llm_env.reset(by_persona)
    assert main(["demo", "--apps", "12", "--seed", "2", "--out", str(tmp_path / "p")]) == 0
    code = main(
        [
            "plan",
            "--portfolio",
            str(tmp_path / "p"),
            "--out",
            str(tmp_path / "out"),
            "--database-url",
            f"sqlite:///{tmp_path / 'agents.db'}",
        ]
    )
    assert code == 0, capsys.readouterr().err
    doc = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert [(r["agent"], r["phase"]) for r in doc["agent_execution_log"]] == [
        ("WavePlanningSpecialist", "wave_planning"),
        ("ResourceAllocationSpecialist", "resource_allocation"),
        ("TimelineGenerationSpecialist", "timeline_generation"),
        ("CostEstimationSpecialist", "cost_estimation"),
        ("CostEstimationSpecialist", "synthesis"),
    ]
    assert all(r["outcome"] in {"accepted", "rejected", "no_changes"} for r in doc["agent_execution_log"])
