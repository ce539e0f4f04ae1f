"""Compare: a plan and its scenarios side by side, scenarios created from the chosen plan, baselines."""

import streamlit as st

from planning_core.export.comparison import MIN_PLANS
from ui import compare as compare_ui
from ui import state
from ui.components import page_header, run_action

plan = state.plan()
page_header("Compare scenarios", plan, caption="Pick two to four plans of this engagement.")
service = compare_ui.scenario_service()
if service is None:
    st.info("Choose a client account and an engagement in the sidebar first.", icon=":material/info:")
    st.stop()
plans = service.list_plans()
if plan is not None:
    compare_ui.scenario_form(service, plan)
    compare_ui.baseline_action(service, plan)
if len(plans) < MIN_PLANS:
    st.info(
        "Comparing needs at least two plans: create a scenario of the chosen plan above.",
        icon=":material/call_split:",
    )
    st.stop()
chosen = compare_ui.plan_picker(plans, plan)
if len(chosen) < MIN_PLANS:
    st.info(f"Pick at least {MIN_PLANS} plans to compare.", icon=":material/checklist:")
    st.stop()
comparison = run_action(lambda: service.compare(chosen))
if comparison is None:
    st.stop()
compare_ui.downloads(comparison)
compare_ui.comparison_view(comparison)
by_id = {p.planning_flow_id: p for p in plans}
compare_ui.scenario_actions(service, [by_id[i] for i in chosen if i in by_id])
