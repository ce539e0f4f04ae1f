"""advise() over the real CrewAI -> OpenAI client -> HTTP path, against the scripted stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from standin import Reply, StandIn, tool_results

from planning_core.agents import OPTIMIZER_ONLY, advise, run_warning
from planning_core.agents.context import AdviceContext, validate_move
from planning_core.domain import Phase, Portfolio
from planning_core.engines.resources.models import AllocationSource
from planning_core.engines.waves.constraints import hard_violations
from planning_core.engines.waves.models import Source
from planning_core.plan import PlanDocument
from planning_core.settings import Settings
from tests.builders import waves_of

ENGINE_WAVES = [["crm"], ["billing", "hr"], ["portal", "mail"]]
USAGE_TWO_CALLS = {
    "prompt_tokens": 200,
    "completion_tokens": 40,
    "total_tokens": 240,
    "successful_requests": 2,
}


def answer(payload: dict[str, Any]) -> Reply:
    return Reply(content=json.dumps(payload))


def advise_pair(**arguments: Any) -> tuple[Any, Any]:
    """advise()'s document and log entry (its suggestions are tested in test_suggestions.py)."""
    advice = advise(**arguments)
    return advice.document, advice.run


def tool_then(tool: str, args: dict[str, Any], payload: dict[str, Any]):  # noqa: ANN201
    """A script: first call a tool, then (once its result came back) give the final JSON answer."""

    def script(body: dict[str, Any]) -> Reply:
        if "tools" in body and not tool_results(body):
            return Reply(tool_calls=[(tool, args)])
        return answer(payload)

    return script


def review_waves(standin: StandIn, settings: Settings, computed, script):  # noqa: ANN001, ANN201
    plan, portfolio = computed
    standin.reset(script)
    return advise_pair(
        phase=Phase.WAVE_PLANNING, plan=plan, portfolio=portfolio, document=plan.wave_plan, settings=settings
    )


def assert_valid(document, plan: PlanDocument, portfolio: Portfolio) -> None:  # noqa: ANN001
    assert hard_violations(document, portfolio, plan.planning_config) == []


def test_engine_plan_is_the_expected_one(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    assert waves_of(plan.wave_plan) == ENGINE_WAVES
    assert_valid(plan.wave_plan, plan, portfolio)


def test_without_llm_the_engine_document_is_returned_and_labelled(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    document, run = advise_pair(
        phase=Phase.WAVE_PLANNING,
        plan=plan,
        portfolio=portfolio,
        document=plan.wave_plan,
        settings=Settings(llm_model=None),
    )
    assert document is plan.wave_plan
    assert (run.agent, run.outcome, run.narrative, run.accepted, run.rejected) == (
        "WavePlanningSpecialist",
        "skipped",
        OPTIMIZER_ONLY,
        [],
        [],
    )


def test_valid_move_is_accepted_with_source_agent(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    script = tool_then(
        "validate_move",
        {"application_id": "mail", "to_wave": 1},
        {
            "moves": [{"application_id": "mail", "to_wave": 1, "rationale": "Wave 1 has room."}],
            "summary": "One move.",
        },
    )
    document, run = review_waves(standin, llm_settings, computed, script)
    assert waves_of(document) == [["crm", "mail"], ["billing", "hr"], ["portal"]]
    moved = next(a for a in document.waves[0].applications if a.application_id == "mail")
    assert (moved.source, moved.rationale, moved.confidence) == (
        Source.AGENT,
        "Proposed by WavePlanningSpecialist: Wave 1 has room.",
        0.7,
    )
    assert run.outcome == "accepted"
    assert run.accepted == [
        {
            "kind": "move",
            "application_id": "mail",
            "to_wave": 1,
            "rationale": "Wave 1 has room.",
            "from_wave": 3,
        }
    ]
    assert run.rejected == []
    assert run.narrative == "One move."
    assert run.token_usage == USAGE_TWO_CALLS
    context = AdviceContext(
        phase=Phase.WAVE_PLANNING, plan=plan, portfolio=portfolio, document=plan.wave_plan
    )
    assert tool_results(standin.requests[1]) == [validate_move(context, "mail", 1)]
    assert json.loads(tool_results(standin.requests[1])[0]) == {
        "valid": True,
        "new_hard_violations": [],
        "cut_weight_before": 0.0,
        "cut_weight_after": 0.0,
    }
    assert_valid(document, plan, portfolio)
    assert waves_of(plan.wave_plan) == ENGINE_WAVES  # the engine's document itself is not mutated


def test_request_names_the_model_and_offers_the_wave_tools(standin, llm_settings, computed) -> None:  # noqa: ANN001
    review_waves(standin, llm_settings, computed, lambda body: answer({"moves": [], "summary": "Fine."}))
    body = standin.requests[0]
    assert body["model"] == "standin-model"
    assert [t["function"]["name"] for t in body["tools"]] == [
        "lookup_application",
        "validate_move",
        "validate_wave_plan",
        "optimize_with_lock",
    ]


def test_no_moves_means_no_changes(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    document, run = review_waves(
        standin, llm_settings, computed, lambda body: answer({"moves": [], "summary": "Fine."})
    )
    assert waves_of(document) == ENGINE_WAVES
    assert (run.outcome, run.accepted, run.rejected, run.narrative) == ("no_changes", [], [], "Fine.")


def test_move_breaking_hard_constraints_is_rejected_and_engine_plan_kept(
    standin, llm_settings, computed
) -> None:  # noqa: ANN001
    plan, portfolio = computed
    script = tool_then(
        "lookup_application",
        {"application_id": "crm"},
        {"moves": [{"application_id": "crm", "to_wave": 3, "rationale": "Later is safer."}]},
    )
    document, run = review_waves(standin, llm_settings, computed, script)
    assert waves_of(document) == ENGINE_WAVES
    assert run.outcome == "rejected"
    assert run.accepted == []
    assert run.rejected == [
        {
            "kind": "move",
            "application_id": "crm",
            "to_wave": 3,
            "rationale": "Later is safer.",
            "reason": "breaks a hard constraint: Wave 3 holds 3 applications, more than the limit of 2.; "
            "Wave 3 needs 70.0 h, more than its capacity of 60.0 h.; "
            "crm must migrate no later than billing, but is in wave 3 after wave 2.",
        }
    ]
    assert json.loads(tool_results(standin.requests[1])[0])["dependencies"] == [
        {"type": "precedes", "source": "crm", "target": "billing", "weight": 1.0, "other_wave": 2}
    ]
    assert_valid(document, plan, portfolio)


def test_mixed_answer_keeps_valid_moves_and_reports_the_rest(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    moves = [
        {"application_id": "ghost", "to_wave": 1, "rationale": ""},
        {"application_id": "hr", "to_wave": 9, "rationale": ""},
        {"application_id": "hr", "to_wave": 1, "rationale": "Small app."},
        {"application_id": "portal", "to_wave": 1, "rationale": "Too much."},
    ]
    document, run = review_waves(standin, llm_settings, computed, lambda body: answer({"moves": moves}))
    assert waves_of(document) == [["crm", "hr"], ["billing"], ["portal", "mail"]]
    assert [(r["application_id"], r["reason"]) for r in run.rejected] == [
        ("ghost", "ghost is not in any wave of this plan."),
        ("hr", "There is no wave 9; the plan has waves 1 to 3."),
        (
            "portal",
            "breaks a hard constraint: Wave 1 holds 3 applications, more than the limit of 2.; "
            "Wave 1 needs 70.0 h, more than its capacity of 60.0 h.",
        ),
    ]
    assert [a["application_id"] for a in run.accepted] == ["hr"]
    assert run.outcome == "accepted"
    assert_valid(document, plan, portfolio)


FAILURES = [
    # (case, script, requests the client made, error the log shows). With max_retries=1 the OpenAI client
    # sends each call twice at most; CrewAI adds up to 3 conversion attempts for a malformed answer and
    # 3 rounds on HTTP 429: every count below is the bound the settings allow, asserted exactly.
    ("malformed_json", lambda body: Reply(content="moves: crm -> 3 {oops"), 4, "ConverterError: Failed to convert text into a Pydantic model due to validation error: 1 validation error for WaveAdvice"),
    ("empty_answer", lambda body: Reply(content=""), 1, "ValueError: Invalid response from LLM call - None or empty."),
    ("timeout", lambda body: Reply(content="{}", delay_s=1.2), 2, "ConnectionError: Failed to connect to OpenAI API: Request timed out."),
    ("http_429", lambda body: Reply(status=429), 6, "RateLimitError: Error code: 429 - 'error': 'message': 'scripted 429', 'type': 'server_error'"),
    ("http_500", lambda body: Reply(status=500), 2, "InternalServerError: Error code: 500 - 'error': 'message': 'scripted 500', 'type': 'server_error'"),
    ("broken_body", lambda body: Reply(raw_body=b"{not json"), 1, "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "script", "requests", "error"), FAILURES, ids=[f[0] for f in FAILURES])
def test_llm_failure_keeps_the_engine_plan_with_a_warning(  # noqa: ANN001
    standin, llm_settings, computed, case, script, requests, error
) -> None:
    plan, portfolio = computed
    document, run = review_waves(standin, llm_settings, computed, script)
    assert document is plan.wave_plan
    assert (run.outcome, run.errors, run.accepted, run.rejected) == ("failed", [error], [], [])
    assert len(standin.requests) == requests
    assert run_warning(run) == (
        f"WavePlanningSpecialist could not review wave planning ({error}); the optimizer's result is kept."
    )
    assert_valid(document, plan, portfolio)


MARKUP = '<script>alert("x")</script><b>Move</b> **now**: see [the docs](javascript:alert(1)) & `rm -rf`'


def test_markup_and_oversized_rationale_are_neutralised(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    rationale = MARKUP + " " + "x" * 5000
    payload = {"moves": [{"application_id": "mail", "to_wave": 1, "rationale": rationale}]}
    document, run = review_waves(standin, llm_settings, computed, lambda body: answer(payload))
    expected = ("Move now: see the docs and rm -rf " + "x" * 5000)[:499] + "…"
    moved = next(a for a in document.waves[0].applications if a.application_id == "mail")
    assert moved.rationale == f"Proposed by WavePlanningSpecialist: {expected}"
    assert run.accepted[0]["rationale"] == expected
    assert len(expected) == 500
    assert_valid(document, plan, portfolio)


def test_resource_transfer_accepted_and_unknown_role_rejected(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    transfers = [
        {"wave_number": 1, "from_role": "migration_engineer", "to_role": "developer", "hours": 2, "rationale": "Code changes."},
        {"wave_number": 1, "from_role": "developer", "to_role": "wizard", "hours": 1, "rationale": ""},
    ]  # fmt: skip
    script = tool_then("wave_resources", {"wave_number": 1}, {"transfers": transfers, "summary": "Shifted."})
    standin.reset(script)
    document, run = advise_pair(
        phase=Phase.RESOURCE_ALLOCATION,
        plan=plan,
        portfolio=portfolio,
        document=plan.resource_allocation,
        settings=llm_settings,
    )
    assert (run.outcome, run.errors) == ("accepted", [])
    rows = {(a.wave_number, a.role): a for a in document.allocations}
    engineer, developer = rows[(1, "migration_engineer")], rows[(1, "developer")]
    reason = "Proposed by ResourceAllocationSpecialist: Code changes."
    assert (engineer.hours, engineer.utilisation_pct, engineer.source, engineer.reason) == (
        20.0, 5.2, AllocationSource.AGENT, reason,
    )  # fmt: skip
    assert (developer.hours, developer.utilisation_pct, developer.source, developer.reason) == (
        4.0, 0.8, AllocationSource.AGENT, reason,
    )  # fmt: skip
    assert document.total_hours == plan.resource_allocation.total_hours
    assert run.accepted == [{"kind": "transfer", **transfers[0], "hours": 2.0}]
    assert run.rejected == [
        {
            "kind": "transfer",
            **transfers[1],
            "hours": 1.0,
            "reason": "no allocation for 'wizard' in wave 1 (roles: cloud_architect, dba, developer, "
            "migration_engineer, project_manager, tester; waves: [1, 2, 3])",
        }
    ]
    assert json.loads(tool_results(standin.requests[1])[0])[0] == {
        "role": "migration_engineer",
        "hours": 22.0,
        "capacity_hours": 384.0,
        "utilisation_pct": 5.7,
        "over_allocated": False,
    }


@pytest.mark.parametrize("phase", [Phase.TIMELINE_GENERATION, Phase.COST_ESTIMATION])
def test_notes_are_logged_sanitised_and_change_no_number(standin, llm_settings, computed, phase) -> None:  # noqa: ANN001
    plan, portfolio = computed
    document = plan.timeline if phase == Phase.TIMELINE_GENERATION else plan.cost_estimation
    notes = [
        {"title": "<i>Tight</i> cut-over", "detail": "Wave 3 test is on the critical path."},
        {"title": "", "detail": ""},
    ]
    standin.reset(lambda body: answer({"notes": notes, "summary": "Two checks."}))
    returned, run = advise_pair(
        phase=phase, plan=plan, portfolio=portfolio, document=document, settings=llm_settings
    )
    assert returned == document
    assert run.accepted == [
        {"kind": "note", "title": "Tight cut-over", "detail": "Wave 3 test is on the critical path."}
    ]
    assert run.rejected == [{"kind": "note", "reason": "empty note"}]
    assert (run.outcome, run.narrative) == ("accepted", "Two checks.")
    offered = [t["function"]["name"] for t in standin.requests[0]["tools"]]
    assert offered == (
        ["explain_critical_path", "wave_resources"]
        if phase == Phase.TIMELINE_GENERATION
        else ["price_change", "explain_critical_path"]
    )


def test_synthesis_narrative_is_plain_and_bounded(standin, llm_settings, computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    narrative = "<h1>Plan</h1>\n# Summary\nFive apps, **three** waves. " + "Lorem ipsum. " * 1000
    standin.reset(lambda body: answer({"narrative": narrative}))
    document, run = advise_pair(
        phase=Phase.SYNTHESIS, plan=plan, portfolio=portfolio, document=plan.synthesis, settings=llm_settings
    )
    expected = ("Plan\nSummary\nFive apps, three waves. " + "Lorem ipsum. " * 1000)[:3999].rstrip() + "…"
    assert document.narrative == expected
    assert len(document.narrative) == 4000
    assert document.model_copy(update={"narrative": ""}) == plan.synthesis
    assert (run.agent, run.outcome, run.accepted, run.narrative) == (
        "CostEstimationSpecialist",
        "accepted",
        [{"kind": "narrative", "characters": 4000}],
        expected,
    )
    assert "tools" not in standin.requests[0]
