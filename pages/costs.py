"""Costs: totals with contingency, breakdowns by category, wave and role, and the contingency's effect."""

import streamlit as st

from planning_core import views
from ui import state
from ui.components import metric_row, page_header, require_plan

plan = state.plan()
page_header("Costs", plan)
plan = require_plan(plan, document="cost_estimation", what="cost estimate")
cost = plan.cost_estimation
cur = cost.currency
metric_row(
    [
        ("Total", views.money(cost.total, cur), "subtotal + contingency"),
        ("Subtotal", views.money(cost.subtotal, cur), "labour, one-off, data transfer, dual running"),
        (f"Contingency {cost.contingency_percentage:g}%", views.money(cost.contingency, cur),
         "subtotal × percentage / 100"),
        ("Labour", views.money(cost.labour_total, cur), "hours × rate, by role and wave"),
        ("P50 / P80", f"{views.compact_money(cost.p50_total, cur)} / {views.compact_money(cost.p80_total, cur)}",
         "from effort uncertainty"),
    ]
)
left, right = st.columns(2)
left.plotly_chart(views.cost_waterfall_figure(cost), key="cost_waterfall")
right.plotly_chart(views.cost_by_role_figure(cost), key="cost_roles")
st.plotly_chart(views.cost_by_wave_figure(cost), key="cost_waves")

effect_col, chart_col = st.columns([1, 2])
with effect_col:
    st.markdown("**Effect of the contingency setting**")
    pct = st.slider("What if contingency were (%)", 0.0, 100.0, float(cost.contingency_percentage), 1.0,
                    key="cost_whatif")
    effect = views.contingency_effect(cost, pct)
    st.metric("Total at this setting", views.money(effect.total, cur),
              delta=f"{float(effect.total - cost.total):+,.2f}", delta_color="inverse", border=True)
    st.caption(f"Contingency {views.money(effect.contingency, cur)}. Change it for real in a new plan's "
               "configuration; this is a what-if.")
chart_col.plotly_chart(views.contingency_figure(cost), key="cost_contingency")

by_category, by_wave, by_role = st.tabs(
    [":material/category: By category", ":material/waves: By wave", ":material/badge: By role"]
)
money = st.column_config.NumberColumn(format="accounting")
with by_category:
    st.dataframe(views.cost_by_category_frame(cost), hide_index=True, width="stretch",
                 column_config={"amount": money})
with by_wave:
    st.dataframe(views.cost_by_wave_frame(cost), hide_index=True, width="stretch", height=400,
                 column_config={c: money for c in ("labour", "one_off", "dual_running", "data_transfer", "total")})
with by_role:
    st.dataframe(views.cost_by_role_frame(cost), hide_index=True, width="stretch",
                 column_config={"amount": money, "hourly_rate": money})
for warning in cost.warnings[:10]:
    st.warning(warning)
