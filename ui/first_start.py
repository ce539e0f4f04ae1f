"""A fresh start: the demo workspace is prepared in the background while the page shows its progress,
then the demo plan opens; and the 'start here' path of a new analyst."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.components import PAGES


def preparing() -> bool:
    """Whether the demo workspace is still being prepared (the page then shows only the progress)."""
    return state.first_start().running


@st.fragment(run_every=1)
def progress_panel() -> None:
    """The preparation's progress, refreshed every second; the whole page reloads on the demo plan when done."""
    start = state.first_start()
    if not start.running:
        if start.planning_flow_id:
            st.query_params["plan"] = start.planning_flow_id
        st.rerun(scope="app")
    st.title("Welcome to Planning Flow")
    st.markdown(
        "This first start prepares a **demo workspace**: a generated portfolio of applications and a "
        "complete migration plan for all of them, so you can look around at once."
    )
    st.progress(min(start.step / start.steps, 1.0), text=start.stage or "Starting…")
    st.caption("This takes a few seconds, once. Your own portfolio and plans come next.")


def start_here() -> None:
    """Three steps for a new analyst: the portfolio, the plan, the board (hidden once dismissed)."""
    if st.session_state.get("start_here_hidden"):
        return
    with st.container(border=True):
        st.markdown("**Start here** · three steps from a portfolio to a plan you can change")
        one, two, three, hide = st.columns([3, 3, 3, 1])
        one.page_link(
            PAGES["portfolio"],
            label="1 · Your portfolio: import it, or keep the demo",
            icon=":material/apps:",
        )
        two.page_link(
            PAGES["wizard"],
            label="2 · Plan it: choose applications and settings",
            icon=":material/auto_fix_high:",
        )
        three.page_link(
            PAGES["waves"], label="3 · The board: move, lock, re-optimise", icon=":material/view_kanban:"
        )
        hide.button(
            "Hide", key="start_here_hide", on_click=lambda: st.session_state.update(start_here_hidden=True)
        )
