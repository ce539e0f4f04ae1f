"""The workspace's sources on the Portfolio page: their counts and import times, and removing one after
a confirmation that shows what the removal takes away."""

from __future__ import annotations

import streamlit as st

from planning_core.service.portfolio import PortfolioService
from planning_core.views import portfolio as portfolio_views
from ui import state
from ui.components import button, flash, md_escape, run_action

REMOVE_KEY = "source_remove_pending"


def sources_panel(service: PortfolioService) -> None:
    """The sources table, and remove (preview of what goes, then confirm)."""
    sources = run_action(service.sources)
    if sources is None:
        return
    if not sources:
        st.info(
            "No named source yet: applications imported from a file appear here with the file's name.",
            icon=":material/source:",
        )
        return
    st.dataframe(
        portfolio_views.sources_frame(sources), hide_index=True, width="stretch", key="sources_table"
    )
    names = [s.name for s in sources]
    chosen = st.selectbox("Source", names, key="source_to_remove")
    pending = st.session_state.get(REMOVE_KEY)
    if pending is not None and pending.source not in names:
        st.session_state.pop(REMOVE_KEY, None)
        pending = None
    if button("Remove this source…", icon=":material/delete:", key="source_remove"):
        pending = run_action(lambda: service.preview_remove(chosen))
        if pending is not None:
            st.session_state[REMOVE_KEY] = pending
    if pending is None:
        return
    with st.container(border=True):
        st.warning(
            f"Remove source **{md_escape(pending.source)}**? What only it gives leaves the workspace: "
            + "; ".join(pending.lines())
            + ".",
            icon=":material/warning:",
        )
        rows = portfolio_views.sync_preview_frame(pending)
        if not rows.empty:
            st.dataframe(rows, hide_index=True, width="stretch", height=240, key="source_remove_table")
        confirm, cancel = st.columns(2)
        with confirm:
            confirmed = button(f"Remove {pending.source}", type="primary", key="source_remove_confirm")
        with cancel:
            cancelled = button("Cancel", key="source_remove_cancel")
        if confirmed:
            done = run_action(lambda: service.remove_source(pending.source))
            st.session_state.pop(REMOVE_KEY, None)
            if done is not None:
                state.portfolio_changed()
                flash("success", f"Source {pending.source} removed: " + "; ".join(done.lines()) + ".")
                st.rerun()
        if cancelled:
            st.session_state.pop(REMOVE_KEY, None)
            st.rerun()
