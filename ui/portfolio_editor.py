"""Editing the portfolio in place on the Portfolio page: the applications table (6R strategy, complexity,
effort, criticality, skills, pinned wave), checked row by row as the analyst types and saved through the
portfolio service (audited; the plans including an application go stale and are recomputed); dependencies
added and removed; applications archived and restored; the audit of every edit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from planning_core.domain import Application, Criticality, DependencyType, Portfolio, SixR
from planning_core.errors import PlanningError
from planning_core.service.portfolio import PortfolioService
from planning_core.service.portfolio_edits import PortfolioEdit, edited_application
from planning_core.views import portfolio as portfolio_views
from ui import state
from ui.components import button, flash, run_action, submit

GENERATION_KEY = "pf_editor_generation"
MAX_EDITOR_ROWS = 2000

EDITOR_COLUMNS = {
    "application_id": st.column_config.TextColumn("ID", width="small", disabled=True),
    "name": st.column_config.TextColumn("Application", width="medium", disabled=True),
    "six_r_strategy": st.column_config.SelectboxColumn(
        "6R", options=[s.value for s in SixR], required=True, width="small"
    ),
    "complexity": st.column_config.NumberColumn(
        "Complexity", min_value=1, max_value=10, step=1, required=True
    ),
    "business_criticality": st.column_config.SelectboxColumn(
        "Criticality", options=[c.value for c in Criticality], required=True, width="small"
    ),
    "effort_hours": st.column_config.NumberColumn(
        "Effort (h)",
        min_value=0.0,
        max_value=1_000_000.0,
        help="Empty: derived from 6R, complexity and servers",
    ),
    "required_skills": st.column_config.TextColumn("Skills", help="Comma-separated"),
    "pinned_wave": st.column_config.NumberColumn("Pinned wave", min_value=1, max_value=10_000, step=1),
}


def editor_key(application_ids: Iterable[str]) -> str:
    """The editor's widget key: a new editor after each save, and per set of rows shown."""
    digest = hashlib.sha1("\n".join(application_ids).encode()).hexdigest()[:10]
    return f"pf_editor_{st.session_state.get(GENERATION_KEY, 0)}_{digest}"


def _fresh_editor() -> None:
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1


def row_problems(portfolio: Portfolio, changes: dict[str, dict]) -> dict[str, str]:
    """Per edited application, why its new values are refused (validated as the service validates)."""
    apps = {a.application_id: a for a in portfolio.applications}
    problems: dict[str, str] = {}
    for app_id, fields in changes.items():
        try:
            edited_application(apps[app_id], fields)
        except PlanningError as error:
            problems[app_id] = str(error)
    return problems


def applications_editor(service: PortfolioService, portfolio: Portfolio, shown_ids: list[str]) -> None:
    """The applications matching the filters, editable in place; changes are checked as typed and saved
    together (each one audited)."""
    ids = shown_ids[:MAX_EDITOR_ROWS]
    if len(shown_ids) > MAX_EDITOR_ROWS:
        st.caption(
            f"The first {MAX_EDITOR_ROWS:,} applications are shown: narrow the filters to edit others."
        )
    original = portfolio_views.editor_frame(portfolio, ids)
    edited = st.data_editor(
        original,
        key=editor_key(ids),
        hide_index=True,
        width="stretch",
        height=480,
        column_config=EDITOR_COLUMNS,
        num_rows="fixed",
    )
    changes = portfolio_views.editor_changes(original, edited)
    if not changes:
        st.caption("Edit a cell to change an application; the changes are checked as you type.")
        return
    problems = row_problems(portfolio, changes)
    for message in list(problems.values())[:20]:
        st.error(message, icon=":material/error:")
    if len(problems) > 20:
        st.error(f"… and {len(problems) - 20} more row(s) to fix.", icon=":material/error:")
    st.caption(portfolio_views.changes_summary({a: list(f) for a, f in changes.items()}))
    reason = st.text_input("Reason (kept in the audit)", key="pf_edit_reason", max_chars=500)
    save, discard = st.columns([1, 1])
    with save:
        clicked = button(
            f"Save {len(changes)} change(s)",
            type="primary",
            icon=":material/save:",
            key="pf_save",
            disabled=bool(problems),
            help="Fix the rows marked in red first." if problems else None,
        )
    with discard:
        if button("Discard the changes", icon=":material/undo:", key="pf_discard"):
            _fresh_editor()
            st.rerun()
    if not clicked or problems:
        return
    done: list[PortfolioEdit] = []
    refused: list[str] = []
    for app_id, fields in changes.items():
        expected = portfolio_views.expected_values(original, app_id, fields)
        try:
            done.append(service.edit_application(app_id, fields, expected=expected, reason=reason))
        except PlanningError as error:
            refused.append(str(error))
    _finish(done, refused)


def _finish(done: list[PortfolioEdit], refused: list[str]) -> None:
    """After saving: a fresh editor and portfolio, and what happened as the next run's message."""
    _fresh_editor()
    state.portfolio_changed()
    lines = [d.message() for d in done] + [f"Not saved: {r}" for r in refused]
    lines += [f"Recomputation failed: {p}" for d in done for p in d.problems]
    flash("warning" if refused or any(d.problems for d in done) else "success", "  \n".join(lines))
    st.rerun()


def dependencies_editor(service: PortfolioService, portfolio: Portfolio) -> None:
    """Add a dependency between two applications, or remove one."""
    ids = [a.application_id for a in portfolio.applications]
    if len(ids) < 2:
        return
    with st.form("pf_add_dependency"):
        st.markdown("**Add a dependency**")
        source, kind, target, weight = st.columns([2, 1.4, 2, 1])
        s = source.selectbox("From", ids, key="pf_dep_source")
        k = kind.selectbox("Type", [t.value for t in DependencyType], index=1, key="pf_dep_type")
        t = target.selectbox("To", ids, index=1, key="pf_dep_target")
        w = weight.number_input("Weight", min_value=0.01, max_value=1e9, value=1.0, key="pf_dep_weight")
        added = submit("Add the dependency", icon=":material/add_link:", key="pf_dep_add")
    if added:
        result = run_action(lambda: service.add_dependency(s, t, k, weight=float(w)))
        if result is not None:
            _finish([result], [])
    if not portfolio.dependencies:
        return
    labels = {
        portfolio_views.edge_label((d.source_application_id, d.target_application_id, d.dependency_type)): d
        for d in portfolio.dependencies
    }
    remove, go = st.columns([3, 1], vertical_alignment="bottom")
    chosen = remove.selectbox("Remove a dependency", list(labels), key="pf_dep_remove_choice")
    with go:
        remove_clicked = button("Remove it", icon=":material/link_off:", key="pf_dep_remove")
    if remove_clicked:
        dep = labels[chosen]
        result = run_action(
            lambda: service.remove_dependency(
                dep.source_application_id, dep.target_application_id, dep.dependency_type.value
            )
        )
        if result is not None:
            _finish([result], [])


def archive_panel(service: PortfolioService, portfolio: Portfolio) -> None:
    """Archive an application (hidden, kept) or restore an archived one."""
    ids = [a.application_id for a in portfolio.applications]
    archive, restore = st.columns(2)
    with archive:
        chosen = st.selectbox("Archive an application", ids, index=None, key="pf_archive_choice")
        if button("Archive", icon=":material/archive:", key="pf_archive", disabled=chosen is None):
            result = run_action(lambda: service.archive_application(str(chosen)))
            if result is not None:
                _finish([result], [])
    with restore:
        archived: list[Application] = run_action(service.archived_applications) or []
        names = {a.application_id: f"{a.application_id} · {a.name}" for a in archived}
        back = st.selectbox(
            "Restore an archived application",
            list(names),
            index=None,
            format_func=lambda i: names[i],
            key="pf_restore_choice",
            placeholder="none archived" if not names else "choose",
        )
        if button("Restore", icon=":material/unarchive:", key="pf_restore", disabled=back is None):
            result = run_action(lambda: service.restore_application(str(back)))
            if result is not None:
                _finish([result], [])


def history_panel(service: PortfolioService) -> None:
    """Every audited edit of the portfolio, newest first."""
    edits = run_action(service.portfolio_history)
    if edits is None:
        return
    if not edits:
        st.caption("No edit yet: changes made on this page are listed here (who, when, before, after).")
        return
    frame: pd.DataFrame = portfolio_views.history_frame(edits)
    st.caption(
        f"{len(frame):,} edit(s), newest first. Re-importing a source replaces the edits of the applications "
        "it gives (its preview lists them as changed)."
    )
    st.dataframe(frame, hide_index=True, width="stretch", height=360, key="pf_history_table")
