"""Planning Flow: the analyst's dashboard (run with `streamlit run app.py`)."""

from __future__ import annotations

import streamlit as st

from ui import first_start, state
from ui.auth import require_sign_in
from ui.sidebar import render_sidebar

st.set_page_config(page_title="Planning Flow", page_icon=":material/flight_takeoff:", layout="wide")

PAGES = {
    "Prepare": [
        st.Page("pages/portfolio.py", title="Portfolio", icon=":material/apps:"),
        st.Page("pages/wizard.py", title="Planning wizard", icon=":material/auto_fix_high:"),
    ],
    "Plan": [
        st.Page("pages/waves.py", title="Wave board", icon=":material/view_kanban:", default=True),
        st.Page("pages/resources.py", title="Resources", icon=":material/groups:"),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/calendar_month:"),
        st.Page("pages/costs.py", title="Costs", icon=":material/payments:"),
        st.Page("pages/summary.py", title="Summary & export", icon=":material/summarize:"),
        st.Page("pages/advisers.py", title="Advisers", icon=":material/smart_toy:"),
        st.Page("pages/settings.py", title="Plan settings", icon=":material/tune:"),
        st.Page("pages/compare.py", title="Compare scenarios", icon=":material/compare:"),
    ],
}

PREPARE_PAGES = {p.title for p in PAGES["Prepare"]}
page = st.navigation(PAGES)
require_sign_in(state.get_database())
render_sidebar()
# A fresh start while the demo plan is computed: the plan pages show the progress (never a blank page).
if page.title not in PREPARE_PAGES and first_start.preparing():
    first_start.progress_panel()
else:
    page.run()
