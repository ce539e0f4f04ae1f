"""Timeline: Gantt of waves and activities with the critical path, milestones, blackouts and today."""

from datetime import date

import streamlit as st

from planning_core.views import risk as risk_views
from planning_core.views import timeline as timeline_views
from ui import state, suggestions
from ui.components import metric_row, page_header, require_plan, table

plan = state.plan()
page_header("Timeline", plan)
plan = require_plan(plan, document="timeline", what="timeline")
suggestions.page_panel(plan, "timeline")  # the specialist's pending suggestions
timeline = plan.timeline
over = timeline_views.roles_over_capacity(timeline)
metric_row(
    [
        ("Start", f"{timeline.start_date:%d %b %y}", f"{timeline.start_date:%A %d %B %Y}"),
        ("End", f"{timeline.end_date:%d %b %y}", f"{timeline.end_date:%A %d %B %Y}"),
        (
            "Duration",
            f"{timeline.total_duration_days:,} days",
            f"{timeline.total_working_days:,} working days",
        ),
        ("Critical activities", f"{len(timeline.critical_path)}", "no slack: a day late here delays the end"),
        ("Milestones", f"{len(timeline.milestones)}", "gate reviews, cut-overs, go-lives"),
        ("Role-weeks over", f"{sum(over.values())}", "role-weeks whose load exceeds capacity"),
    ]
)
numbers = sorted({w.wave_number for w in timeline.waves} or {a.wave_number for a in timeline.activities})
chosen = None
if len(numbers) > 30:
    low, high = st.select_slider(
        "Waves shown", options=numbers, value=(numbers[0], numbers[29]), key="tl_range"
    )
    chosen = [n for n in numbers if low <= n <= high]
blackouts = [(w.start, w.end, w.reason) for w in plan.planning_config.blackout_windows]
st.plotly_chart(
    timeline_views.gantt_figure(timeline, today=date.today(), blackouts=blackouts, waves=chosen),
    key="tl_gantt",
)
st.caption(
    "Red outline: critical path · ◆ milestones · grey bands: blackout windows · dotted red line: today"
)
activities, load, milestones = st.tabs(
    [":material/list: Activities", ":material/monitoring: Resource load", ":material/flag: Milestones"]
)
with activities:
    only_critical = st.toggle("Only the critical path", key="tl_critical")
    frame = timeline_views.activities_frame(timeline)
    table(frame[frame["critical"]] if only_critical else frame, hide_index=True, width="stretch", height=420)
with load:
    roles = sorted({r.role for r in timeline.resource_load})
    if roles:
        role = st.selectbox(
            "Role", roles, format_func=lambda r: f"{r} ({over.get(r, 0)} weeks over)", key="tl_role"
        )
        st.plotly_chart(timeline_views.resource_load_figure(timeline, role=role), key="tl_load")
    else:
        st.info("The timeline has no weekly resource load.")
with milestones:
    table(
        [m.model_dump(include={"date", "name", "kind", "wave_number"}) for m in timeline.milestones],
        hide_index=True,
        width="stretch",
        height=360,
    )
if plan.risk is not None:
    with st.expander(":material/casino: Risk: when will the programme really end?", expanded=False):
        metric_row(risk_views.risk_cards(plan))
        st.plotly_chart(risk_views.end_date_histogram_figure(plan.risk), key="tl_risk_dates")
        st.caption(risk_views.risk_caption(plan.risk))
for warning in timeline.warnings[:10]:
    st.warning(warning)
