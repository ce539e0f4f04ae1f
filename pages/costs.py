"""Costs: totals with contingency, breakdowns by category, wave and role, and the contingency's effect."""

import streamlit as st

from planning_core.views import costs as cost_views
from planning_core.views import format as fmt
from ui import state
from ui.components import page_header, require_plan

plan = state.plan()
page_header("Costs", plan)
plan = require_plan(plan, document="cost_estimation", what="cost estimate")
cost = plan.cost_estimation
cur = cost.currency
cards = [
    ("Total", cost.total, "subtotal + contingency"),
    ("Subtotal", cost.subtotal, "labour, one-off, data transfer, dual running"),
    (f"Contingency {cost.contingency_percentage:g}%", cost.contingency, "subtotal × percentage / 100"),
    ("Labour", cost.labour_total, "hours × rate, by role and wave"),
    (
        "P80",
        cost.p80_total,
        f"80% confidence from effort uncertainty (P50 {fmt.money(cost.p50_total, cur)})",
    ),
]
for column, (label, amount, help_text) in zip(st.columns(len(cards)), cards, strict=True):
    column.metric(
        label,
        fmt.compact_money(amount, cur),
        delta=fmt.money(amount, cur),
        delta_color="off",
        delta_arrow="off",
        help=help_text,
        border=True,
    )
left, right = st.columns(2)
left.plotly_chart(cost_views.cost_waterfall_figure(cost), key="cost_waterfall")
right.plotly_chart(cost_views.cost_by_role_figure(cost), key="cost_roles")
st.plotly_chart(cost_views.cost_by_wave_figure(cost), key="cost_waves")

effect_col, chart_col = st.columns([1, 2])
with effect_col:
    st.markdown("**Effect of the contingency setting**")
    pct = st.slider(
        "What if contingency were (%)", 0.0, 100.0, float(cost.contingency_percentage), 1.0, key="cost_whatif"
    )
    effect = cost_views.contingency_effect(cost, pct)
    difference = effect.total - cost.total
    st.metric(
        "Total at this setting",
        fmt.money(effect.total, cur),
        border=True,
        delta_color="inverse",
        delta=f"{float(difference):+,.2f} vs this plan" if difference else "this plan's setting",
        delta_arrow="auto" if difference else "off",
    )
    st.caption(
        f"Contingency {fmt.money(effect.contingency, cur)}. Change it for real in a new plan's "
        "configuration; this is a what-if."
    )
chart_col.plotly_chart(cost_views.contingency_figure(cost), key="cost_contingency")

by_category, by_wave, by_role = st.tabs(
    [":material/category: By category", ":material/waves: By wave", ":material/badge: By role"]
)
money_column = st.column_config.NumberColumn(format="accounting")
with by_category:
    st.dataframe(
        cost_views.cost_by_category_frame(cost), hide_index=True, width="stretch", column_config={"amount": money_column}
    )
with by_wave:
    st.dataframe(
        cost_views.cost_by_wave_frame(cost),
        hide_index=True,
        width="stretch",
        height=400,
        column_config={c: money_column for c in ("labour", "one_off", "dual_running", "data_transfer", "total")},
    )
with by_role:
    st.dataframe(
        cost_views.cost_by_role_frame(cost),
        hide_index=True,
        width="stretch",
        column_config={"amount": money_column, "hourly_rate": money_column},
    )
for warning in cost.warnings[:10]:
    st.warning(warning)
