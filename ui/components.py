"""Small building blocks every page uses: banners, empty states, flash messages, safe actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from planning_core import views
from planning_core.domain import PhaseStatus
from planning_core.errors import PlanningError, StaleWriteError
from planning_core.plan import PlanDocument
from planning_core.service import collaboration
from ui import state

T = TypeVar("T")
FLASH_KEY = "flash"
WATCH_SECONDS = 3  # how often a page checks whether someone else changed its plan

PAGES = {
    "portfolio": "pages/portfolio.py",
    "wizard": "pages/wizard.py",
    "waves": "pages/waves.py",
    "resources": "pages/resources.py",
    "timeline": "pages/timeline.py",
    "costs": "pages/costs.py",
    "summary": "pages/summary.py",
    "settings": "pages/settings.py",
}


def _request(flag: str) -> None:
    st.session_state[flag] = True


def button(label: str, *, key: str, **kwargs: Any) -> bool:
    """st.button whose click is recorded by a callback (reliable under AppTest and in the browser)."""
    flag = f"clicked_{key}"
    st.button(label, key=key, on_click=_request, args=(flag,), **kwargs)
    return bool(st.session_state.pop(flag, False))


def submit(label: str, *, key: str, **kwargs: Any) -> bool:
    """st.form_submit_button recorded by a callback (reliable under AppTest and in the browser)."""
    flag = f"clicked_{key}"
    st.form_submit_button(label, key=key, on_click=_request, args=(flag,), **kwargs)
    return bool(st.session_state.pop(flag, False))


def md_escape(text: object) -> str:
    """User text made literal for st.markdown (no links, images, emphasis or HTML)."""
    out = []
    for char in str(text):
        if char in "\\`*_{}[]()#+-.!|<>~$:":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def flash(kind: str, message: str) -> None:
    """A message to show at the top of the next run (after st.rerun)."""
    st.session_state[FLASH_KEY] = (kind, message)


def show_flash() -> None:
    """Show (once) the message left by the previous run."""
    item = st.session_state.pop(FLASH_KEY, None)
    if item is None:
        return
    kind, message = item
    {"success": st.success, "warning": st.warning, "error": st.error}.get(kind, st.info)(message)


def run_action(action: Callable[[], T], *, success: str | None = None) -> T | None:
    """Run a library call; show its PlanningError at once (stale writes offer a reload). None on error."""
    try:
        result = action()
    except StaleWriteError as error:
        st.error(str(error), icon=":material/sync_problem:")
        st.button("Reload the latest plan", key="reload_after_stale", on_click=_forget_plan)
        return None
    except PlanningError as error:
        st.error(str(error), icon=":material/error:")
        return None
    if success:
        st.toast(success, icon=":material/check_circle:")
    return result


def _forget_plan() -> None:
    state.set_plan(None)


def plan_banner(plan: PlanDocument | None) -> None:
    """On every page: unresolved hard violations, failed phases and stale phases."""
    show_flash()
    if plan is None:
        return
    service = state.service()
    if service is not None and service.active_run(plan.planning_flow_id):
        _job_progress(plan.planning_flow_id)
    hard = views.hard_violations(plan)
    if hard:
        with st.container(border=True):
            st.error(
                f"{len(hard)} unresolved hard violation(s): the plan cannot be completed until they are "
                "fixed on the wave board.",
                icon=":material/report:",
            )
            with st.expander("Show the violations"):
                st.dataframe(views.plain_violations_frame(hard), hide_index=True, width="stretch")
            st.page_link(PAGES["waves"], label="Fix them on the wave board", icon=":material/view_kanban:")
    failed = views.failed_phases(plan)
    if failed:
        st.warning(
            f"{', '.join(failed)} failed. The last good results are still shown; re-run the phases below.",
            icon=":material/error:",
        )
        _recompute_button(plan, key="rerun_failed")
    stale = [s.label for s in views.phase_strip(plan) if s.status == PhaseStatus.STALE]
    if stale and not failed:
        st.info(f"Out of date after an edit: {', '.join(stale)}.", icon=":material/update:")
        _recompute_button(plan, key="rerun_stale")


@st.fragment(run_every=2)
def _job_progress(planning_flow_id: str) -> None:
    """While a background run works on the plan: its progress; when it ends, the fresh plan."""
    service = state.service()
    job = service.active_run(planning_flow_id) if service is not None else None
    if job is None:
        state.set_plan(None)  # reload the plan the run stored
        st.rerun()
    st.info(
        f"The phases run in the background ({job.progress or job.status}); the numbers below are the "
        "last stored ones and refresh when the run ends. You can keep working.",
        icon=":material/hourglass_top:",
    )


def _recompute_button(plan: PlanDocument, *, key: str) -> None:
    if button("Recompute the plan", key=key, icon=":material/refresh:"):
        recompute(plan)


def recompute(plan: PlanDocument) -> None:
    """Run every phase from the first one not completed: inline with visible progress, or queued for
    the background (the service decides; the banner then shows the run's progress)."""
    service = state.service()
    if service is None:
        return
    with st.status("Recomputing the plan…", expanded=True) as status:
        handle = run_action(
            lambda: service.request_run(
                plan.planning_flow_id, progress=lambda phase, message: status.write(message)
            )
        )
        if handle is None:
            status.update(label="Recompute failed", state="error")
            return
        status.update(label="Recompute started" if handle.queued else "Plan recomputed", state="complete")
    if handle.queued:
        flash("info", "The phases are being recomputed in the background. You can keep working.")
    else:
        state.set_plan(handle.plan)
    st.rerun()


def require_plan(plan: PlanDocument | None, *, document: str | None = None, what: str = "") -> PlanDocument:
    """Stop the page with a next step when there is no plan (or not yet the document it needs)."""
    if plan is None:
        st.info(
            "No plan selected. Create one in the planning wizard, or pick an existing plan in the sidebar.",
            icon=":material/info:",
        )
        if state.tenant() is not None and not state.portfolio().applications:
            st.page_link(
                PAGES["portfolio"],
                label="Start here: import your portfolio (or load the demo)",
                icon=":material/apps:",
            )
        else:
            st.page_link(
                PAGES["wizard"], label="Start here: plan your applications", icon=":material/auto_fix_high:"
            )
        st.stop()
    if document and getattr(plan, document) is None:
        st.info(
            f"This plan has no {what or document} yet. Run the phases (the sidebar shows which are pending).",
            icon=":material/hourglass_empty:",
        )
        _recompute_button(plan, key=f"run_for_{document}")
        st.stop()
    return plan


def ensure_navigation() -> None:
    """Run through app.py's st.navigation even on a fresh server's first request to a page URL.

    Streamlit treats a `pages/` folder next to the entrypoint as the old automatic multipage layout
    until the first st.navigation call of the process; a page opened directly before that would run
    without the sidebar. Switching the flag and re-running sends the request through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_header(title: str, plan: PlanDocument | None, *, caption: str = "") -> None:
    """Page title with the plan's name and its last saved change as a caption, a notice when someone
    else changes the plan, then the plan banner."""
    ensure_navigation()
    st.title(title)
    if plan is not None:
        st.caption(f"{plan.name} · saved change {plan.revision}")
        watch_plan(plan.planning_flow_id, plan.revision)
    elif caption:
        st.caption(caption)
    plan_banner(plan)


@st.fragment(run_every=WATCH_SECONDS)
def watch_plan(planning_flow_id: str, revision: int) -> None:
    """Every few seconds: has the stored plan changed since this page was drawn? Then say who changed
    what, and offer to reload (the page itself keeps what the analyst is doing until then)."""
    service = state.service()
    if service is None:
        return
    try:
        latest = collaboration.latest_state(service, planning_flow_id, since_revision=revision)
    except PlanningError:
        return
    if latest.revision <= revision or not latest.changes:
        return
    who = ", ".join(sorted({c.by for c in latest.changes}))
    with st.container(border=True):
        st.warning(
            f"Plan changed by {who}: {latest.changes[-1].summary}"
            + (f" (and {len(latest.changes) - 1} more change(s))" if len(latest.changes) > 1 else "")
            + ". Reload to see it; an edit you make now is re-applied on the new version, or you are asked.",
            icon=":material/group:",
        )
        reload, review = st.columns([1, 4])
        if reload.button("Reload", key="watch_reload", icon=":material/refresh:", type="primary"):
            state.set_plan(None)
            st.rerun(scope="app")
        with review.expander("Review the changes"):
            for change in latest.changes[-10:]:
                when = f"{change.at:%H:%M}" if change.at else ""
                st.markdown(f"- {when} **{md_escape(change.by)}**: {md_escape(change.summary)}")


ACRONYMS = {"id": "ID", "gb": "GB", "pmo": "PMO", "p50": "P50", "p80": "P80", "p95": "P95", "pct": "(%)"}


def plain_label(column: str) -> str:
    """A column name in plain words: 'hourly_rate' -> 'Hourly rate', 'application_id' -> 'Application ID'."""
    words = [ACRONYMS.get(w, w) for w in str(column).replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def table(data: Any, *, column_config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """st.dataframe with every column headed in plain words (columns configured by the caller keep
    theirs)."""
    columns = list(
        getattr(data, "columns", None) if hasattr(data, "columns") else (data[0].keys() if data else [])
    )
    config: dict[str, Any] = {c: plain_label(c) for c in columns}
    for name, value in (column_config or {}).items():
        if isinstance(value, dict) and not value.get("label"):
            value = {**value, "label": plain_label(name)}
        config[name] = value
    return st.dataframe(data, column_config=config, **kwargs)


def metric_row(items: list[tuple[str, Any, str]]) -> None:
    """A row of bordered metrics: (label, value, help)."""
    for column, (label, value, help_text) in zip(st.columns(len(items)), items, strict=True):
        column.metric(label, value, help=help_text or None, border=True)
