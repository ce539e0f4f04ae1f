"""The pure side of the agents: sanitising, validating proposals, and the tools' answers (no LLM)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.agents.context import (
    AdviceContext,
    explain_critical_path,
    optimize_with_lock,
    price_change,
    validate_plan,
)
from planning_core.agents.proposals import (
    MAX_PROPOSALS,
    AllocationTransfer,
    MoveProposal,
    ResourceAdvice,
    WaveAdvice,
)
from planning_core.agents.review import apply_resource_advice, apply_wave_advice
from planning_core.agents.sanitize import clean_identifier, clean_text
from planning_core.domain import Phase
from planning_core.engines.waves.constraints import hard_violations
from tests.builders import waves_of


def test_clean_text_removes_tags_markdown_and_control_characters() -> None:
    text = "<b>Bold</b>\u200b **x** _y_ snake_case [a](http://e.x/(1)) ![i](p.png) `c` $5 & \x07\r\nnext"
    assert clean_text(text) == "Bold x y snake_case a i c 5 and\nnext"


def test_clean_text_drops_script_bodies_and_javascript_urls() -> None:
    assert clean_text("a<script>alert('x')</script>b javascript:alert(1)") == "a b alert(1)"


def test_clean_text_bounds_length_with_an_ellipsis() -> None:
    assert clean_text("abcdef", 4) == "abc…"
    assert clean_text("abcd", 4) == "abcd"


def test_clean_text_collapses_blank_lines_and_spaces() -> None:
    assert clean_text("a   b\n\n\n\n c ") == "a b\n\nc"


def test_clean_identifier_keeps_underscores_and_drops_markup() -> None:
    assert clean_identifier(" <migration_engineer>\n") == "migration_engineer"


def test_move_of_a_locked_wave_is_rejected(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    locked = plan.wave_plan.model_copy(deep=True)
    locked.waves[0].locked = True
    advice = WaveAdvice(moves=[MoveProposal(application_id="mail", to_wave=1)])
    review = apply_wave_advice(locked, advice, portfolio=portfolio, config=plan.planning_config, agent="A")
    assert review.document is locked
    assert review.rejected == [
        {
            "kind": "move",
            "application_id": "mail",
            "to_wave": 1,
            "rationale": "",
            "reason": "Wave 1 is locked; unlock it before moving mail.",
        }
    ]


def test_moves_that_empty_a_wave_delete_it(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    config = plan.planning_config.model_copy(
        update={"max_apps_per_wave": 3, "max_effort_hours_per_wave": 100}
    )
    advice = WaveAdvice(
        moves=[
            MoveProposal(application_id="portal", to_wave=2),
            MoveProposal(application_id="mail", to_wave=1),
        ]
    )
    review = apply_wave_advice(plan.wave_plan, advice, portfolio=portfolio, config=config, agent="A")
    assert waves_of(review.document) == [["crm", "mail"], ["billing", "hr", "portal"]]
    assert review.document.summary.total_waves == 2
    assert hard_violations(review.document, portfolio, config) == []


def test_too_many_proposals_are_ignored(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    advice = WaveAdvice(moves=[MoveProposal(application_id="hr", to_wave=2)] * (MAX_PROPOSALS + 2))
    review = apply_wave_advice(
        plan.wave_plan, advice, portfolio=portfolio, config=plan.planning_config, agent="A"
    )
    assert [r["reason"] for r in review.rejected[:2]] == ["more than 25 proposals; ignored"] * 2
    assert len(review.rejected) == MAX_PROPOSALS + 2
    assert review.document is plan.wave_plan


def test_transfer_over_capacity_rejected_within_capacity_accepted(computed) -> None:  # noqa: ANN001
    plan, _ = computed
    allocation = plan.resource_allocation.model_copy(deep=True)
    for row in allocation.allocations:
        if (row.wave_number, row.role) == (1, "project_manager"):
            row.capacity_hours = 5.0
    over = AllocationTransfer(
        wave_number=1, from_role="migration_engineer", to_role="project_manager", hours=2
    )
    fits = over.model_copy(update={"hours": 1.0})
    review = apply_resource_advice(allocation, ResourceAdvice(transfers=[over, fits]), agent="A")
    assert review.rejected[0]["reason"] == (
        "project_manager would need 6.00 h in wave 1, more than its capacity of 5.00 h"
    )
    rows = {(a.wave_number, a.role): a.hours for a in review.document.allocations}
    assert (rows[(1, "migration_engineer")], rows[(1, "project_manager")]) == (21.0, 5.0)


def test_transfer_of_more_hours_than_the_role_has_is_rejected(computed) -> None:  # noqa: ANN001
    plan, _ = computed
    transfer = AllocationTransfer(wave_number=1, from_role="dba", to_role="developer", hours=3)
    review = apply_resource_advice(plan.resource_allocation, ResourceAdvice(transfers=[transfer]), agent="A")
    assert review.rejected[0]["reason"] == "dba has only 2.00 h in wave 1"
    assert review.document is plan.resource_allocation


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["crm", "billing", "portal", "hr", "mail", "ghost", ""]), st.integers(-1, 5)
        ),
        max_size=8,
    )
)
def test_no_sequence_of_proposals_yields_an_invalid_wave_plan(computed, moves) -> None:  # noqa: ANN001
    plan, portfolio = computed
    advice = WaveAdvice(moves=[MoveProposal(application_id=a, to_wave=w) for a, w in moves])
    review = apply_wave_advice(
        plan.wave_plan, advice, portfolio=portfolio, config=plan.planning_config, agent="A"
    )
    assert hard_violations(review.document, portfolio, plan.planning_config) == []
    assert len(review.accepted) + len(review.rejected) == len(moves)
    placed = sorted(a for wave in waves_of(review.document) for a in wave)
    assert placed == ["billing", "crm", "hr", "mail", "portal"]


def test_tools_report_the_plan_the_timeline_and_prices(computed) -> None:  # noqa: ANN001
    plan, portfolio = computed
    ctx = AdviceContext(
        phase=Phase.COST_ESTIMATION, plan=plan, portfolio=portfolio, document=plan.cost_estimation
    )
    assert json.loads(validate_plan(ctx)) == {
        "waves": 3,
        "lower_bound": 3,
        "cut_weight": 0.0,
        "hard_violations": [],
        "warnings": [],
    }
    assert json.loads(price_change(ctx, "developer", 10)) == {
        "role": "developer",
        "hours_delta": 10,
        "hourly_rate": "120.00",
        "labour_delta": "1200.00",
        "contingency_delta": "180.00",
        "total_delta": "1380.00",
        "currency": "USD",
    }
    assert json.loads(price_change(ctx, "wizard", 1)) == {
        "error": "No resource pool 'wizard'; roles are migration_engineer, cloud_architect, developer, dba, "
        "tester, project_manager."
    }
    path = json.loads(explain_critical_path(ctx))["critical_path"]
    assert [a["id"] for a in path] == plan.timeline.critical_path
    locked = json.loads(optimize_with_lock(ctx, "crm", 2))
    assert (locked["waves_with_lock"], locked["waves_now"], locked["hard_violations_with_lock"]) == (3, 3, [])


def test_agent_warnings_come_from_the_latest_failed_review_per_phase() -> None:
    from datetime import UTC, datetime

    from planning_core.agents import agent_warnings
    from planning_core.plan import AgentRun

    at = datetime(2027, 1, 4, tzinfo=UTC)
    old = AgentRun(agent="WavePlanningSpecialist", phase=Phase.WAVE_PLANNING, started_at=at, outcome="failed",
                   errors=["ReadTimeout: timed out"])  # fmt: skip
    newer = old.model_copy(update={"outcome": "accepted", "errors": []})
    cost = AgentRun(
        agent="CostEstimationSpecialist", phase=Phase.COST_ESTIMATION, started_at=at, outcome="failed"
    )
    assert agent_warnings([old, newer, cost]) == [
        "CostEstimationSpecialist could not review cost estimation (unknown error); the optimizer's result is kept."
    ]
    assert agent_warnings([old]) == [
        "WavePlanningSpecialist could not review wave planning (ReadTimeout: timed out); "
        "the optimizer's result is kept."
    ]
