"""Wave board edits: each returns a new, refreshed plan."""

from __future__ import annotations

import pytest

from planning_core.domain import Portfolio
from planning_core.engines.waves import edits
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.models import Source
from planning_core.errors import InvalidInput


def setup(b):  # noqa: ANN001, ANN201
    portfolio = Portfolio(
        applications=[b.app("A", 4), b.app("B", 4), b.app("C", 4), b.app("D", 4)],
        dependencies=[b.precedes("A", "C")],
    )
    cfg = b.config(8)
    return portfolio, cfg, plan_waves(portfolio, cfg)


def test_planned_start(b):
    _, _, plan = setup(b)
    assert b.waves_of(plan) == [["A", "B"], ["C", "D"]]


def test_move_application_marks_the_analyst_and_reports_violations(b):
    portfolio, cfg, plan = setup(b)
    moved = edits.move_application(plan, portfolio, cfg, application_id="C", to_wave=1)
    assert b.waves_of(moved) == [["A", "B", "C"], ["D"]]
    assert b.waves_of(plan) == [["A", "B"], ["C", "D"]]  # the input plan is untouched
    c = moved.waves[0].applications[2]
    assert (c.source, c.rationale, c.confidence) == (
        Source.ANALYST,
        "Moved from wave 2 to wave 1 by the analyst.",
        1.0,
    )
    assert [(v.constraint, v.hard, v.wave_numbers) for v in moved.violations] == [("capacity", True, [1])]
    back = edits.move_application(moved, portfolio, cfg, application_id="C", to_wave=2)
    assert back.violations == []


def test_move_next_to_a_successor_only_breaks_capacity(b):
    portfolio, cfg, plan = setup(b)
    moved = edits.move_application(plan, portfolio, cfg, application_id="A", to_wave=2)
    assert [(v.constraint, v.application_ids) for v in moved.violations] == [("capacity", ["C", "D", "A"])]


def test_move_to_a_missing_wave_or_of_an_unknown_app_is_refused(b):
    portfolio, cfg, plan = setup(b)
    with pytest.raises(InvalidInput, match="There is no wave 5; the plan has waves 1 to 2."):
        edits.move_application(plan, portfolio, cfg, application_id="A", to_wave=5)
    with pytest.raises(InvalidInput, match="ZZ is not in any wave of this plan."):
        edits.move_application(plan, portfolio, cfg, application_id="ZZ", to_wave=1)


def test_add_rename_and_delete_waves(b):
    portfolio, cfg, plan = setup(b)
    added = edits.add_wave(plan, portfolio, cfg, name="Stragglers")
    assert [(w.wave_number, w.name) for w in added.waves] == [(1, "Wave 1"), (2, "Wave 2"), (3, "Stragglers")]
    assert (added.summary.total_waves, added.gap) == (3, 1)
    renamed = edits.rename_wave(added, portfolio, cfg, wave_number=1, name="Finance")
    assert [w.name for w in renamed.waves] == ["Finance", "Wave 2", "Stragglers"]
    deleted = edits.delete_wave(renamed, portfolio, cfg, wave_number=3)
    assert [(w.wave_number, w.name) for w in deleted.waves] == [(1, "Finance"), (2, "Wave 2")]
    assert deleted.gap == 0
    with pytest.raises(InvalidInput, match="Wave 2 still holds 2 application"):
        edits.delete_wave(deleted, portfolio, cfg, wave_number=2)
    with pytest.raises(InvalidInput, match="A wave name cannot be blank."):
        edits.rename_wave(deleted, portfolio, cfg, wave_number=1, name="  ")


def test_reorder_renumbers_and_reports_precedence(b):
    portfolio, cfg, plan = setup(b)
    swapped = edits.reorder_wave(plan, portfolio, cfg, wave_number=2, new_position=1)
    assert b.waves_of(swapped) == [["C", "D"], ["A", "B"]]
    assert [w.wave_number for w in swapped.waves] == [1, 2]
    assert [(v.constraint, v.wave_numbers) for v in swapped.violations] == [("precedence", [2, 1])]
    with pytest.raises(InvalidInput, match="Position 3 is outside 1 to 2."):
        edits.reorder_wave(plan, portfolio, cfg, wave_number=2, new_position=3)


def test_locks_are_kept_by_reoptimisation(b):
    portfolio, cfg, plan = setup(b)
    moved = edits.move_application(plan, portfolio, cfg, application_id="D", to_wave=1)
    moved = edits.move_application(moved, portfolio, cfg, application_id="B", to_wave=2)
    assert b.waves_of(moved) == [["A", "D"], ["C", "B"]]
    locked = edits.set_application_lock(moved, portfolio, cfg, application_id="D", locked=True)
    with pytest.raises(InvalidInput, match="D is locked in wave 1; unlock it before moving it."):
        edits.move_application(locked, portfolio, cfg, application_id="D", to_wave=2)
    again = edits.reoptimize_around_locks(locked, portfolio, cfg)
    assert again.wave_of()["D"] == 1
    d = again.waves[0].applications[[a.application_id for a in again.waves[0].applications].index("D")]
    assert (d.pinned, d.source) == (True, Source.ANALYST)
    assert again.violations == []
    assert again.summary.total_waves == 2


def test_locked_wave_refuses_moves_and_survives_reoptimisation(b):
    portfolio, cfg, plan = setup(b)
    locked = edits.set_wave_lock(plan, portfolio, cfg, wave_number=2, locked=True)
    with pytest.raises(InvalidInput, match="Wave 2 is locked; unlock it before moving C."):
        edits.move_application(locked, portfolio, cfg, application_id="C", to_wave=1)
    again = edits.reoptimize_around_locks(locked, portfolio, cfg)
    assert again.waves[1] == locked.waves[1]
    assert b.waves_of(again) == [["A", "B"], ["C", "D"]]
    with pytest.raises(InvalidInput, match="Wave 2 is locked; unlock it before deleting it."):
        edits.delete_wave(
            edits.add_wave(locked, portfolio, cfg).model_copy(
                update={"waves": [locked.waves[0], locked.waves[1].model_copy(update={"applications": []})]}
            ),
            portfolio,
            cfg,
            wave_number=2,
        )


def test_refresh_keeps_a_proof_only_for_the_same_pins(b):
    portfolio = b.jackson()
    cfg = b.config(7)
    plan = plan_waves(portfolio, cfg, time_limit_s=5)
    renamed = edits.rename_wave(plan, portfolio, cfg, wave_number=1, name="First")
    assert (renamed.lower_bound, renamed.lower_bound_kind, renamed.gap) == (8, "exact_search", 0)
    pinned = edits.set_application_lock(plan, portfolio, cfg, application_id="T1", locked=True)
    assert (pinned.lower_bound, pinned.lower_bound_kind, pinned.gap) == (7, "effort", 1)
