"""Suggestions against the loopback OpenAI-compatible stand-in (the real CrewAI HTTP path), on SQLite and
Postgres: a valid move waits for review then is accepted as a revision; an edited suggestion; a rejected
one; hostile answers recorded invalid and never applied; a suggestion made stale by someone else's edit;
the timeline and cost specialists' actions; `planning-flow plan` writing `suggestions` in plan.json."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from planning_core.agents.suggestions import describe_change
from planning_core.domain import Phase
from planning_core.errors import InvalidInput, StaleWriteError
from planning_core.plan import PlanDocument, SuggestionKind, SuggestionStatus
from planning_core.service.runs import run_worker_once
from planning_core.service.suggestions import SuggestionService
from planning_core.settings import clear_settings_cache
from tests.agents.agents_support import small_config, small_portfolio
from tests.agents.standin import Reply, StandIn
from tests.builders import waves_of

ENGINE_WAVES = [["crm"], ["billing", "hr"], ["portal", "mail"]]
MARKUP = '<script>alert("x")</script><b>Later</b> see [docs](javascript:alert(1))'
Answers = dict[str, dict[str, Any]]


def persona_script(answers: Answers) -> Callable[[dict[str, Any]], Reply]:
    """Each specialist gets its scripted JSON answer (the persona is in the system prompt)."""

    def script(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content")) for m in body["messages"])
        for persona, key in (
            ("Wave Planning Specialist", "waves"),
            ("Resource Allocation Specialist", "resources"),
            ("Timeline Generation Specialist", "timeline"),
        ):
            if persona in text:
                return Reply(content=json.dumps(answers.get(key, {})))
        if "executive narrative" in text:
            return Reply(content=json.dumps({"narrative": "Three waves."}))
        return Reply(content=json.dumps(answers.get("costs", {})))

    return script


VALID: Answers = {
    "waves": {"moves": [{"application_id": "mail", "to_wave": 1, "rationale": "Wave 1 has room."}]},
    "resources": {
        "transfers": [
            {"wave_number": 1, "from_role": "migration_engineer", "to_role": "developer", "hours": 2}
        ]
    },
    "timeline": {
        "wave_dates": [{"wave_number": 2, "not_before": "2027-03-01", "rationale": "Freeze in February."}],
        "crew_changes": [{"role": "tester", "max_crew": 2, "rationale": "Two testers per wave."}],
        "notes": [{"title": "Tight cut-over", "detail": "Wave 3 test is on the critical path."}],
    },
    "costs": {"cost_lines": [{"category": "training", "amount": 5000, "name": "Cloud training"}]},
}
HOSTILE: Answers = {
    "waves": {
        "moves": [
            {"application_id": "hr", "to_wave": 9, "rationale": "A wave of its own."},
            {"application_id": "<b>mail</b>", "to_wave": 1, "rationale": MARKUP},
            {"application_id": "crm", "to_wave": 3, "rationale": MARKUP},
        ]
    },
    "resources": {
        "transfers": [{"wave_number": 1, "from_role": "developer", "to_role": "<i>wizard</i>", "hours": 1}]
    },
    "timeline": {
        "wave_dates": [
            {"wave_number": 9, "not_before": "2027-03-01"},
            {"wave_number": 1, "fixed_cutover": "1999-01-01"},
        ],
        "crew_changes": [{"role": "wizard", "headcount": 3}, {"role": "tester", "headcount": -1}],
    },
    "costs": {
        "cost_lines": [
            {"category": "labour", "amount": 1e15, "mode": "add"},
            {"category": "nowhere", "amount": 10, "mode": "set"},
        ]
    },
}


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch, standin: StandIn) -> Iterator[StandIn]:
    """PLANNING_LLM_* pointing at the stand-in for this test only."""
    monkeypatch.setenv("PLANNING_LLM_MODEL", "openai/standin-model")
    monkeypatch.setenv("PLANNING_LLM_BASE_URL", standin.base_url)
    monkeypatch.setenv("PLANNING_LLM_API_KEY", "test-key")
    monkeypatch.setenv("PLANNING_LLM_TIMEOUT_S", "2")
    monkeypatch.setenv("PLANNING_LLM_MAX_RETRIES", "0")
    clear_settings_cache()
    yield standin
    clear_settings_cache()


def plan_with(database, tenant, standin: StandIn, answers: Answers, mode: str = "review"):  # noqa: ANN001, ANN201
    """A service and the small plan computed with the scripted specialists."""
    standin.reset(persona_script(answers))
    service = SuggestionService(database, tenant)
    portfolio = small_portfolio()
    service.import_portfolio(portfolio)
    config = small_config().model_copy(update={"suggestion_mode": mode})
    plan = service.initialize(
        selected_application_ids=[a.application_id for a in portfolio.applications],
        config=config.model_dump(mode="json"),
    )
    return service, plan


def only(plan: PlanDocument, kind: SuggestionKind, status: SuggestionStatus = SuggestionStatus.PENDING):  # noqa: ANN201
    found = [s for s in plan.suggestions if s.kind == kind and s.status == status]
    assert len(found) == 1, [(s.kind, s.status, s.validation) for s in plan.suggestions]
    return found[0]


def drain(database) -> None:  # noqa: ANN001
    while run_worker_once(database, heartbeat_s=0.2):
        pass


def test_valid_move_waits_for_review_then_is_accepted_as_a_revision(database, tenant, llm_env) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, VALID)
    assert waves_of(plan.wave_plan) == ENGINE_WAVES  # nothing applied in review mode
    move = only(plan, SuggestionKind.WAVE_MOVE)
    assert (move.agent, move.phase, move.change, move.rationale, move.valid) == (
        "WavePlanningSpecialist",
        Phase.WAVE_PLANNING,
        {"application_id": "mail", "to_wave": 1, "from_wave": 3},
        "Wave 1 has room.",
        True,
    )
    assert [(r.phase, r.outcome, r.accepted) for r in plan.agent_execution_log][:2] == [
        (Phase.WAVE_PLANNING, "pending", []),
        (Phase.RESOURCE_ALLOCATION, "pending", []),
    ]
    stored = service.get_plan(plan.planning_flow_id)
    assert stored.suggestions == plan.suggestions
    views = service.suggestions(plan.planning_flow_id, kind=SuggestionKind.WAVE_MOVE)
    assert [(v.summary, v.status, v.valid_now, v.kind_label) for v in views] == [
        ("Move mail from wave 3 to wave 1", "pending", True, "Wave move")
    ]
    assert service.pending_counts(plan.planning_flow_id)["wave_move"] == 1

    decision = service.accept(plan.planning_flow_id, plan.version, move.suggestion_id)
    assert (decision.applied, decision.refused, decision.handle.queued) == ((move.suggestion_id,), {}, True)
    drain(database)
    after = service.get_plan(plan.planning_flow_id)
    assert waves_of(after.wave_plan) == [["crm", "mail"], ["billing", "hr"], ["portal"]]
    accepted = next(s for s in after.suggestions if s.suggestion_id == move.suggestion_id)
    assert (accepted.status, accepted.decided_by, accepted.applied_change) == (
        SuggestionStatus.ACCEPTED,
        tenant.user_id,
        move.change,
    )
    assert accepted.decided_at is not None
    revision = next(
        r for r in service.revisions(plan.planning_flow_id) if r.revision == accepted.applied_revision
    )
    assert revision.action == "update"
    assert "Move mail from wave 3 to wave 1" in revision.summary
    with pytest.raises(InvalidInput, match="accepted already"):
        service.accept(plan.planning_flow_id, after.version, move.suggestion_id)


def test_an_edited_transfer_is_applied_as_edited(database, tenant, llm_env) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, VALID)
    transfer = only(plan, SuggestionKind.RESOURCE_TRANSFER)
    rows = {(a.wave_number, a.role): a.hours for a in plan.resource_allocation.allocations}
    with pytest.raises(InvalidInput, match="cannot change wave_number"):
        service.edit_and_accept(
            plan.planning_flow_id, plan.version, transfer.suggestion_id, {"wave_number": 2}
        )
    decision = service.edit_and_accept(
        plan.planning_flow_id, plan.version, transfer.suggestion_id, {"hours": 1.5}, reason="Half is enough."
    )
    drain(database)
    after = service.get_plan(plan.planning_flow_id)
    edited = next(s for s in after.suggestions if s.suggestion_id == transfer.suggestion_id)
    assert (edited.status, edited.decision_note, edited.change["hours"], edited.applied_change["hours"]) == (
        SuggestionStatus.EDITED,
        "Half is enough.",
        2.0,
        1.5,
    )
    assert decision.applied == (transfer.suggestion_id,)
    new = {(a.wave_number, a.role): a for a in after.resource_allocation.allocations}
    assert new[(1, "migration_engineer")].hours == rows[(1, "migration_engineer")] - 1.5
    assert new[(1, "developer")].hours == rows[(1, "developer")] + 1.5
    assert new[(1, "developer")].reason == "Half is enough."


def test_a_rejected_suggestion_is_kept_with_who_and_when_and_changes_nothing(
    database, tenant, llm_env
) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, VALID)
    move = only(plan, SuggestionKind.WAVE_MOVE)
    revisions = len(service.revisions(plan.planning_flow_id))
    after = service.reject(plan.planning_flow_id, plan.version, move.suggestion_id, reason="Mail stays late.")
    rejected = next(s for s in after.suggestions if s.suggestion_id == move.suggestion_id)
    assert (rejected.status, rejected.decided_by, rejected.decision_note) == (
        SuggestionStatus.REJECTED,
        tenant.user_id,
        "Mail stays late.",
    )
    assert rejected.decided_at is not None and rejected.applied_change is None
    assert waves_of(after.wave_plan) == ENGINE_WAVES
    assert after.version == plan.version + 1
    assert len(service.revisions(plan.planning_flow_id)) == revisions
    with pytest.raises(StaleWriteError):
        service.reject(plan.planning_flow_id, plan.version, move.suggestion_id)

    note = only(after, SuggestionKind.NOTE)  # a note changes no number: accepting it records the decision
    assert describe_change(note.kind, note.change) == "Tight cut-over: Wave 3 test is on the critical path."
    decision = service.accept_all(plan.planning_flow_id, after.version, SuggestionKind.NOTE)
    assert (decision.applied, decision.handle.queued) == ((note.suggestion_id,), False)
    acknowledged = only(decision.handle.plan, SuggestionKind.NOTE, SuggestionStatus.ACCEPTED)
    assert (acknowledged.decided_by, acknowledged.applied_revision) == (tenant.user_id, None)
    assert len(service.revisions(plan.planning_flow_id)) == revisions
    with pytest.raises(InvalidInput, match="No note suggestion is pending"):
        service.accept_all(plan.planning_flow_id, decision.handle.plan.version, SuggestionKind.NOTE)


@pytest.mark.parametrize("mode", ["apply", "review"])
def test_hostile_answers_are_recorded_invalid_and_never_applied(database, tenant, llm_env, mode) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, HOSTILE, mode)
    assert waves_of(plan.wave_plan) == ENGINE_WAVES
    assert all(a.source.value == "optimizer" for w in plan.wave_plan.waves for a in w.applications)
    assert all(a.source.value == "suggested" for a in plan.resource_allocation.allocations)
    assert plan.planning_config.cost_inputs.cost_overrides == []
    assert all(w.not_before is None and w.fixed_cutover is None for w in plan.wave_plan.waves)
    statuses = {s.status for s in plan.suggestions}
    assert statuses == {SuggestionStatus.INVALID}
    reasons = {(s.kind, s.change.get("application_id")): s.validation for s in plan.suggestions}
    assert reasons[(SuggestionKind.WAVE_MOVE, "hr")] == "There is no wave 9; the plan has waves 1 to 3."
    assert reasons[(SuggestionKind.WAVE_MOVE, "bmail/b")] == "bmail/b is not in any wave of this plan."
    assert reasons[(SuggestionKind.WAVE_MOVE, "crm")].startswith("breaks a hard constraint:")
    assert "crm must migrate no later than billing" in reasons[(SuggestionKind.WAVE_MOVE, "crm")]
    kinds = sorted(s.kind.value for s in plan.suggestions)
    assert kinds == sorted(
        ["wave_move"] * 3
        + ["resource_transfer", "wave_not_before", "wave_fixed_cutover"]
        + ["crew_change"] * 2
        + ["cost_line"] * 2
    )
    for s in plan.suggestions:
        assert "<" not in s.rationale and "javascript" not in s.rationale and "<" not in json.dumps(s.change)
    crm = next(s for s in plan.suggestions if s.change.get("application_id") == "crm")
    assert crm.rationale == "Later see docs"


def test_a_suggestion_made_stale_by_someone_elses_edit_is_revalidated(database, tenant, llm_env) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, VALID)
    move = only(plan, SuggestionKind.WAVE_MOVE)
    service.edit_waves(
        plan.planning_flow_id, plan.version, "move_application", reason="Portal first", application_id="portal",
        to_wave=1,
    )  # fmt: skip
    drain(database)
    current = service.get_plan(plan.planning_flow_id)
    assert current.version > plan.version
    view = next(
        v for v in service.suggestions(plan.planning_flow_id) if v.suggestion_id == move.suggestion_id
    )
    assert (view.status, view.valid_now, view.made_on_version) == ("pending", False, move.plan_version)
    assert "Wave 1 holds 3 applications" in view.problem_now
    with pytest.raises(StaleWriteError):
        service.accept(plan.planning_flow_id, plan.version, move.suggestion_id)
    with pytest.raises(InvalidInput, match="no longer passes the validators"):
        service.accept(plan.planning_flow_id, current.version, move.suggestion_id)
    after = service.get_plan(plan.planning_flow_id)
    invalid = next(s for s in after.suggestions if s.suggestion_id == move.suggestion_id)
    assert (invalid.status, invalid.valid, invalid.validated_version) == (
        SuggestionStatus.INVALID,
        False,
        current.version,
    )
    assert "Wave 1 holds 3 applications" in invalid.validation
    assert waves_of(after.wave_plan) == [["crm", "portal"], ["billing", "hr"], ["mail"]]


def test_timeline_and_cost_specialists_act_through_suggestions(database, tenant, llm_env) -> None:  # noqa: ANN001
    service, plan = plan_with(database, tenant, llm_env, VALID, mode="apply")
    # apply mode: the wave move and the transfer are applied at once; actions on the plan's inputs wait
    assert waves_of(plan.wave_plan) == [["crm", "mail"], ["billing", "hr"], ["portal"]]
    assert only(plan, SuggestionKind.WAVE_MOVE, SuggestionStatus.ACCEPTED).decided_at is not None
    not_before = only(plan, SuggestionKind.WAVE_NOT_BEFORE)
    crew = only(plan, SuggestionKind.CREW_CHANGE)
    cost = only(plan, SuggestionKind.COST_LINE)
    assert (not_before.change, crew.change, cost.change["category"]) == (
        {"wave_number": 2, "date": "2027-03-01"},
        {"role": "tester", "max_crew": 2},
        "training",
    )
    decision = service.accept(plan.planning_flow_id, plan.version, not_before.suggestion_id)
    drain(database)
    after = service.get_plan(plan.planning_flow_id)
    assert after.wave_plan.waves[1].not_before == date(2027, 3, 1)
    assert decision.applied == (not_before.suggestion_id,)
    decision = service.accept_all(after.planning_flow_id, after.version, SuggestionKind.COST_LINE)
    drain(database)
    after = service.get_plan(plan.planning_flow_id)
    lines = after.planning_config.cost_inputs.cost_overrides
    assert [(c.category, float(c.amount), c.mode, c.reason) for c in lines] == [
        ("training", 5000.0, "add", "Suggested by CostEstimationSpecialist.")
    ]
    assert waves_of(after.wave_plan) == [["crm", "mail"], ["billing", "hr"], ["portal"]]


def test_cli_plan_writes_suggestions_and_hostile_answers_leave_the_optimizers_plan(  # noqa: ANN001
    tmp_path, llm_env, monkeypatch, capsys
) -> None:
    from planning_core.cli import main

    assert main(["demo", "--apps", "12", "--seed", "2", "--out", str(tmp_path / "p")]) == 0

    def plan(out: str) -> dict[str, Any]:
        code = main(["plan", "--portfolio", str(tmp_path / "p"), "--out", str(tmp_path / out),
                     "--database-url", f"sqlite:///{tmp_path / (out + '.db')}"])  # fmt: skip
        assert code == 0, capsys.readouterr().err
        return json.loads((tmp_path / out / "plan.json").read_text(encoding="utf-8"))

    llm_env.reset(persona_script(HOSTILE | {"waves": {"moves": [{"application_id": "ghost", "to_wave": 1}]}}))
    hostile = plan("hostile")
    assert hostile["suggestions"], "plan.json has the suggestions"
    assert {s["status"] for s in hostile["suggestions"]} == {"invalid"}
    monkeypatch.delenv("PLANNING_LLM_MODEL")
    clear_settings_cache()
    optimizer = plan("optimizer")
    assert optimizer["suggestions"] == []

    def numbers(doc: dict[str, Any]) -> tuple[Any, ...]:
        waves = [[a["application_id"] for a in w["applications"]] for w in doc["wave_plan"]["waves"]]
        hours = [(a["wave_number"], a["role"], a["hours"]) for a in doc["resource_allocation"]["allocations"]]
        return waves, hours, doc["timeline"]["end_date"], doc["cost_estimation"]["total"]

    assert numbers(hostile) == numbers(optimizer)
