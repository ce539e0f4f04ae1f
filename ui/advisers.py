"""The Advisers panel: each run of each specialist (when, how long, tokens, outcome), what it proposed
and what became of each proposal (accepted, edited, rejected or invalid, and why); and, without a
model, how to configure one."""

from __future__ import annotations

import streamlit as st

from planning_core.plan import PlanDocument
from planning_core.settings import get_settings
from planning_core.views import suggestions as suggestion_views
from ui import suggestions
from ui.components import md_escape, metric_row

RUNS_SHOWN = 30


def configure_help() -> None:
    """How to configure a model (shown when none is)."""
    with st.container(border=True):
        st.markdown("**No model is configured**")
        st.markdown(suggestion_views.CONFIGURE_MODEL)


def runs_panel(plan: PlanDocument) -> None:
    """The plan's specialist runs, newest first, each with its proposals and their fate."""
    runs = suggestion_views.adviser_runs(plan)
    real = suggestion_views.model_runs(runs)
    statuses = [s.status.value for s in plan.suggestions]
    metric_row(
        [
            ("Specialist runs", f"{len(real)}", "runs in which a specialist reviewed a phase"),
            ("Tokens", f"{sum(r.tokens for r in real):,}", "prompt and completion tokens of every run"),
            ("Pending", f"{statuses.count('pending')}", "suggestions waiting for your review"),
            (
                "Accepted",
                f"{statuses.count('accepted') + statuses.count('edited')}",
                "applied as proposed or after an edit",
            ),
            ("Rejected", f"{statuses.count('rejected')}", "turned down by an analyst"),
            ("Invalid", f"{statuses.count('invalid')}", "refused by the validators, never applied"),
        ]
    )
    if not real:
        st.info(
            "No specialist has reviewed this plan yet"
            + (": it was computed without a model." if runs else ".")
            + " Recompute it once a model is configured.",
            icon=":material/smart_toy:",
        )
        return
    st.dataframe(
        suggestion_views.runs_frame(real[:200]),
        hide_index=True,
        width="stretch",
        column_config={
            "seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
            "tokens": st.column_config.NumberColumn("Tokens", format="%d"),
        },
    )
    for run in real[:RUNS_SHOWN]:
        with st.expander(suggestion_views.run_title(run), expanded=run is real[0]):
            if run.errors:
                st.error("; ".join(run.errors), icon=":material/error:")
            if run.narrative:
                st.caption(md_escape(run.narrative))
            if run.suggestions:
                st.dataframe(
                    suggestion_views.decisions_frame(run.suggestions),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "proposed": st.column_config.TextColumn("Proposed", width="large"),
                        "because": st.column_config.TextColumn("Because", width="large"),
                        "status": st.column_config.TextColumn("Status", width="small"),
                        "why": st.column_config.TextColumn("Why", width="large"),
                        "applied": st.column_config.TextColumn("Applied (edited)"),
                    },
                )
            else:
                st.caption("No proposal in this run.")
    if len(real) > RUNS_SHOWN:
        st.caption(f"The table lists every run; the {RUNS_SHOWN} newest are detailed above.")


def panel(plan: PlanDocument | None) -> None:
    """The whole panel: the model's configuration, the runs, and every suggestion still pending."""
    if not get_settings().llm_configured:
        configure_help()
    if plan is None:
        return
    suggestions.review_panel(plan, phase=None, title="Every suggestion to review")
    runs_panel(plan)
