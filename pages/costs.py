"""Costs: totals with contingency, breakdowns by category, wave and role, and the contingency's effect."""

import streamlit as st

from planning_core.views import costs as cost_views
from planning_core.views import format as fmt
from planning_core.views import risk as risk_views
from ui import state, suggestions
from ui.components import metric_row, page_header, require_plan, table

plan = state.plan()
page_header("Costs", plan)
plan = require_plan(plan, document="cost_estimation", what="cost estimate")
suggestions.page_panel(plan, "costs")  # the specialist's pending suggestions
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
        "The amount the programme stays under with 80% confidence, given how uncertain the effort "
        f"estimates are (P50 {fmt.money(cost.p50_total, cur)} is the median).",
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
uncertainty = plan.planning_config.cost_inputs.effort_uncertainty_pct
covered = cost.p80_total <= cost.total
st.caption(
    f"**What P80 means:** effort estimates are uncertain (±{uncertainty:g}% here), so the cost was simulated "
    f"many times: in 8 of 10 outcomes it stays at or under **{fmt.money(cost.p80_total, cur)}** (P80; the "
    f"median outcome, P50, is {fmt.money(cost.p50_total, cur)}). "
    + (
        f"The Total's {cost.contingency_percentage:g}% contingency covers that risk."
        if covered
        else f"That is above the Total: the {cost.contingency_percentage:g}% contingency does not cover the risk."
    )
    + " Change the uncertainty or the contingency in Plan settings."
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
        f"Contingency {fmt.money(effect.contingency, cur)}. This is a what-if; change it for real in "
        "Plan settings."
    )
chart_col.plotly_chart(cost_views.contingency_figure(cost), key="cost_contingency")

by_category, by_wave, by_role = st.tabs(
    [":material/category: By category", ":material/waves: By wave", ":material/badge: By role"]
)
money_column = st.column_config.NumberColumn(format="accounting")
with by_category:
    table(
        cost_views.cost_by_category_frame(cost),
        hide_index=True,
        width="stretch",
        column_config={"amount": money_column},
    )
with by_wave:
    table(
        cost_views.cost_by_wave_frame(cost),
        hide_index=True,
        width="stretch",
        height=400,
        column_config={
            c: money_column for c in ("labour", "one_off", "dual_running", "data_transfer", "total")
        },
    )
with by_role:
    table(
        cost_views.cost_by_role_frame(cost),
        hide_index=True,
        width="stretch",
        column_config={"amount": money_column, "hourly_rate": money_column},
    )
for warning in cost.warnings[:10]:
    st.warning(warning)

if plan.risk is not None:
    with st.expander(":material/casino: Risk: what could it really cost, and what drives the spread?"):
        metric_row(risk_views.risk_cards(plan))
        spread, drivers = st.columns(2)
        spread.plotly_chart(risk_views.total_cost_histogram_figure(plan.risk), key="cost_risk_totals")
        drivers.plotly_chart(risk_views.tornado_figure(plan.risk), key="cost_risk_tornado")
        st.caption(risk_views.risk_caption(plan.risk))
