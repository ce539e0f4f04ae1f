"""Planning wizard: select applications, configure, review; the phases then run with visible progress."""

import streamlit as st

from ui import state, wizard
from ui.components import PAGES, page_header

page_header("Planning wizard", state.plan(), caption="Create a migration plan in three steps")
if state.tenant() is None:
    st.info("Create a client account and engagement in the sidebar first.", icon=":material/info:")
    st.stop()
portfolio = state.portfolio()
if not portfolio.applications:
    st.info(
        "There are no applications to plan yet: load the demo portfolio or import a file first.",
        icon=":material/inventory_2:",
    )
    st.page_link(PAGES["portfolio"], label="Go to the portfolio", icon=":material/apps:")
    st.stop()
wizard.render(portfolio)
