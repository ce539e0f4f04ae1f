"""The specialists' suggestions reviewed where they apply: on the wave board's cards and rows, and on
the resources, timeline and costs pages. Each pending suggestion is accepted, edited then accepted, or
rejected; or every pending one of a kind at once. An accepted one is an edit like any other (one
revision, the later phases recomputed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from planning_core.errors import PlanningError, StaleWriteError
from planning_core.plan import PlanDocument
from planning_core.service.suggestions import KIND_LABELS, Decision, SuggestionService, SuggestionView
from planning_core.views import suggestions as suggestion_views
from ui import state
from ui.components import button, flash, md_escape, submit

ROWS_KEY = "suggestion_rows"
EDITING_KEY = "suggestion_editing"
SHOWN_PER_PANEL = 20
LABEL_OF_KIND = {kind.value: label for kind, label in KIND_LABELS.items()}


def service() -> SuggestionService | None:
    """The review service of the chosen client account and engagement (recomputations the decisions
    queue are taken by this process's background worker, as for every edit)."""
    current = state.tenant()
    if current is None:
        return None
    return SuggestionService(state.get_database(), current, start_worker=state._background_worker)


def rows(plan: PlanDocument) -> list[SuggestionView]:
    """The plan's suggestions as the service lists them (pending ones re-validated), once per version."""
    if not plan.suggestions:
        return []
    key = (plan.planning_flow_id, plan.version)
    cached = st.session_state.get(ROWS_KEY)
    if cached is not None and cached[0] == key:
        return list(cached[1])
    reviewer = service()
    if reviewer is None:
        return []
    try:
        found = reviewer.suggestions(plan.planning_flow_id)
    except PlanningError:
        return []
    st.session_state[ROWS_KEY] = (key, found)
    return list(found)


# --------------------------------------------------------------------------- decisions
def _after(plan: PlanDocument, decision: Decision, what: str) -> None:
    saved = decision.handle.plan
    if saved is not None:
        state.set_plan(saved)
    else:
        state.set_plan(None)  # reloaded by the sidebar
    refused = "; ".join(decision.refused.values())
    tail = " Later phases are being recomputed in the background." if decision.handle.queued else ""
    if decision.applied:
        message = f"{what}.{tail}"
        if refused:
            message += f" Refused by the validators (recorded invalid): {refused}."
        flash("warning" if refused else "success", message)
    else:
        flash("warning", f"Nothing applied: {refused or 'no suggestion passed the validators'}.")
    st.rerun()


def _decide(plan: PlanDocument, action: Callable[[SuggestionService], Any], what: str) -> None:
    """Run one decision on the plan as it is now; a refusal is shown at the top of the next run."""
    reviewer = service()
    if reviewer is None:
        return
    st.session_state.pop(EDITING_KEY, None)
    try:
        result = action(reviewer)
    except StaleWriteError:
        flash(
            "error",
            "The plan changed meanwhile; nothing was decided. The latest plan is shown: decide again.",
        )
        state.set_plan(None)
        st.rerun()
    except PlanningError as error:
        flash("error", str(error))
        state.set_plan(None)  # an invalid suggestion is recorded as such: show it
        st.rerun()
    if isinstance(result, Decision):
        _after(plan, result, what)
    state.set_plan(result)
    flash("info", f"{what}.")
    st.rerun()


def accept(plan: PlanDocument, s: SuggestionView) -> None:
    _decide(
        plan,
        lambda r: r.accept(plan.planning_flow_id, plan.version, s.suggestion_id),
        f"Accepted: {s.summary}",
    )


def edit_and_accept(plan: PlanDocument, s: SuggestionView, change: dict[str, Any], reason: str) -> None:
    _decide(
        plan,
        lambda r: r.edit_and_accept(
            plan.planning_flow_id, plan.version, s.suggestion_id, change, reason=reason
        ),
        f"Accepted as edited: {s.summary} ({', '.join(f'{k} {v}' for k, v in change.items())})",
    )


def reject(plan: PlanDocument, s: SuggestionView, reason: str = "") -> None:
    _decide(
        plan,
        lambda r: r.reject(plan.planning_flow_id, plan.version, s.suggestion_id, reason=reason),
        f"Rejected: {s.summary}",
    )


def accept_all(plan: PlanDocument, kind: str) -> None:
    _decide(
        plan,
        lambda r: r.accept_all(plan.planning_flow_id, plan.version, kind),
        f"Accepted every pending {LABEL_OF_KIND.get(kind, kind).lower()} suggestion",
    )


# --------------------------------------------------------------------------- drawing
def _edit_form(plan: PlanDocument, s: SuggestionView, where: str) -> None:
    """'Edit, then accept': the editable values, starting at the proposal."""
    roles = sorted({p.role for p in plan.planning_config.resource_pools})
    waves = [w.wave_number for w in plan.wave_plan.waves] if plan.wave_plan else []
    categories = _categories(plan)
    with st.form(f"sg_form_{where}_{s.suggestion_id}", border=True):
        values: dict[str, Any] = {}
        for field in suggestion_views.edit_fields(s):
            key = f"sg_{where}_{s.suggestion_id}_{field.key}"
            values[field.key] = _field(field, key, waves=waves, roles=roles, categories=categories)
        reason = st.text_input("Why (optional)", max_chars=1000, key=f"sg_{where}_{s.suggestion_id}_reason")
        with st.container(horizontal=True):
            save = submit(
                "Accept as edited",
                type="primary",
                icon=":material/check:",
                key=f"sg_save_{where}_{s.suggestion_id}",
            )
            cancel = submit("Cancel", icon=":material/close:", key=f"sg_cancel_{where}_{s.suggestion_id}")
    if cancel:
        st.session_state.pop(EDITING_KEY, None)
        st.rerun()
    if save:
        change = suggestion_views.edited_values(s, values)
        if change:
            edit_and_accept(plan, s, change, reason)
        else:
            accept(plan, s)


def _categories(plan: PlanDocument) -> list[str]:
    """The estimate's cost categories (a new name can be typed for a line that adds)."""
    cost = plan.cost_estimation
    return sorted({c.category for c in cost.by_category}) if cost is not None else []


def _field(
    field: suggestion_views.EditField, key: str, *, waves: list[int], roles: list[str], categories: list[str]
) -> Any:
    value = field.value
    if field.widget == "wave" and waves:
        index = waves.index(int(value)) if value in waves else 0
        return st.selectbox(field.label, waves, index=index, key=key, format_func=lambda n: f"W{n}")
    if field.widget == "int":
        return int(
            st.number_input(
                field.label, min_value=0, max_value=10_000, value=int(value or 0), step=1, key=key
            )
        )
    if field.widget == "float":  # hours are at least 0; a cost line may be negative (a saving)
        low = 0.0 if field.key == "hours" else None
        return float(
            st.number_input(field.label, value=float(value or 0.0), min_value=low, step=1.0, key=key)
        )
    if field.widget == "date":
        start = date.fromisoformat(str(value)) if value else date.today()
        return st.date_input(field.label, value=start, key=key)
    if field.widget in ("role", "category", "mode"):
        options = {"role": roles, "category": categories, "mode": list(suggestion_views.COST_MODES)}[
            field.widget
        ]
        if value and value not in options:
            options = [str(value), *options]
        index = options.index(value) if value in options else None
        return st.selectbox(
            field.label, options, index=index, key=key, accept_new_options=field.widget == "category"
        )
    return st.text_input(field.label, value=str(value or ""), max_chars=200, key=key)


def _suggestion(plan: PlanDocument, s: SuggestionView, where: str, *, line: str | None = None) -> None:
    """One pending suggestion: what and why, whether it still holds, and the three decisions."""
    text = line if line is not None else suggestion_views.suggested_line(s)
    st.markdown(f":violet-badge[:material/smart_toy: {md_escape(s.kind_label)}] {md_escape(text)}")
    if not s.valid_now:
        st.caption(f":material/warning: No longer holds on this version: {md_escape(s.problem_now)}")
    key = f"{where}_{s.suggestion_id}"
    with st.container(horizontal=True):
        ok = button("Accept", type="primary", icon=":material/check:", key=f"sg_accept_{key}")
        edit = button("Edit", icon=":material/edit:", key=f"sg_edit_{key}", disabled=not s.editable)
        no = button("Reject", icon=":material/close:", key=f"sg_reject_{key}")
    if ok:
        accept(plan, s)
    if no:
        reject(plan, s)
    if edit:
        st.session_state[EDITING_KEY] = key
    if st.session_state.get(EDITING_KEY) == key:
        _edit_form(plan, s, where)


def review_panel(
    plan: PlanDocument, *, phase: str | None, title: str = "Suggestions to review", expanded: bool = True
) -> None:
    """The pending suggestions of a phase (all phases when None), with 'accept all' per kind."""
    pending = suggestion_views.pending_of(rows(plan), phase=phase)
    if not pending:
        return
    counts: dict[str, int] = {}
    for s in pending:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    where = phase or "all"
    with st.expander(
        f":material/smart_toy: {title}: {suggestion_views.counts_line(counts, LABEL_OF_KIND)}",
        expanded=expanded,
    ):
        with st.container(horizontal=True):
            for kind, n in sorted(counts.items()):
                label = LABEL_OF_KIND.get(kind, kind).lower()
                if n > 1 and button(
                    f"Accept all {n} ({label})", icon=":material/done_all:", key=f"sg_all_{where}_{kind}"
                ):
                    accept_all(plan, kind)
        for s in pending[:SHOWN_PER_PANEL]:
            with st.container(border=True):
                _suggestion(plan, s, where, line=f"{s.summary}{suggestion_views.because(s.rationale)}")
        if len(pending) > SHOWN_PER_PANEL:
            st.caption(
                f"… and {len(pending) - SHOWN_PER_PANEL} more (accept all of a kind, or decide these first)."
            )


def card_suggestions(plan: PlanDocument, wave_number: int) -> None:
    """Under a wave's card: the pending moves of its applications and its dates, each decided there."""
    if plan.wave_plan is None:
        return
    wave = next((w for w in plan.wave_plan.waves if w.wave_number == wave_number), None)
    if wave is None:
        return
    members = [a.application_id for a in wave.applications]
    for s in suggestion_views.wave_suggestions(rows(plan), wave_number, members):
        line = suggestion_views.suggested_line(s)
        if s.kind == "wave_move":
            line = f"{s.change.get('application_id')} {line}"
        _suggestion(plan, s, f"card{wave_number}", line=line)


def mark_rows(plan: PlanDocument, frame: pd.DataFrame) -> pd.DataFrame:
    """The board's rows with a 'suggested' column for applications with a pending move."""
    return suggestion_views.mark_frame(frame, rows(plan))


def pending_kinds(plan: PlanDocument, kinds: Sequence[str]) -> int:
    """How many suggestions of these kinds wait for review."""
    return len(suggestion_views.pending_of(rows(plan), kinds=kinds))


def page_panel(plan: PlanDocument, page: str) -> None:
    """The pending suggestions reviewed on a page ('waves', 'resources', 'timeline' or 'costs')."""
    phase = next(p for p, name in suggestion_views.PAGE_OF_PHASE.items() if name == page)
    # on the board each suggestion is also on its wave's card: the list there starts folded
    review_panel(plan, phase=phase, title="The specialist suggests", expanded=page != "waves")
