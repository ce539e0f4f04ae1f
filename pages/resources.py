"""Resources: pools, the role x wave heatmap, skill gaps and manual overrides."""

import streamlit as st

from planning_core.views import resources as resource_views
from ui import resources, state, suggestions
from ui.components import metric_row, page_header, require_plan, table

plan = state.plan()
page_header("Resources", plan)
plan = require_plan(plan, document="resource_allocation", what="resource allocation")
suggestions.page_panel(plan, "resources")  # the specialist's pending suggestions
allocation = plan.resource_allocation
frame = resource_views.allocations_frame(allocation)
over = frame[frame["over_allocated"]]
metric_row(
    [
        ("Total hours", f"{allocation.total_hours:,.0f} h", "all roles, all waves"),
        ("Roles", f"{frame['role'].nunique()}", "resource pools used"),
        ("Over-allocated", f"{len(over)}", "role × wave cells above capacity"),
        ("Skill gaps", f"{len(allocation.skill_gaps)}", "skills no pool has"),
        (
            "Manual overrides",
            f"{int((frame['source'] == 'manual').sum())}",
            "set by an analyst, with a reason",
        ),
    ]
)
st.plotly_chart(resource_views.heatmap_figure(allocation), key="res_heatmap")
gaps, by_wave, pools, override = st.tabs(
    [
        f":material/psychology_alt: Skill gaps ({len(allocation.skill_gaps)})",
        ":material/table: Allocations",
        ":material/groups: Resource pools",
        ":material/tune: Manual override",
    ]
)
with gaps:
    if allocation.skill_gaps:
        table(resource_views.skill_gaps_frame(allocation), hide_index=True, width="stretch")
    else:
        st.success("Every skill the applications need is covered by a pool.", icon=":material/verified:")
with by_wave:
    only_over = st.toggle("Only over-allocated", key="res_only_over")
    table(
        over if only_over else frame,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "utilisation_pct": st.column_config.ProgressColumn(
                "Utilisation", min_value=0, max_value=150, format="%.0f%%"
            ),
            "over_allocated": st.column_config.CheckboxColumn("Over"),
        },
    )
with pools:
    resources.pools_editor(plan)
with override:
    resources.override_form(plan)
for warning in allocation.warnings[:10]:
    st.warning(warning)
