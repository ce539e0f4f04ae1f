"""Wave board: the waves with their applications, edited in place, every edit validated at once."""

import streamlit as st

from planning_core import views
from ui import board, state
from ui.components import metric_row, page_header, require_plan

plan = state.plan()
page_header("Wave board", plan)
plan = require_plan(plan, document="wave_plan", what="wave plan")
wave_plan = plan.wave_plan
if st.session_state.get(board.PENDING) is not None:
    board.confirm_dialog(plan)

hard = views.hard_violations(plan)
cost = plan.cost_estimation
metric_row(
    [
        ("Waves", f"{len(wave_plan.waves)}", "waves holding the migrated applications"),
        ("Lower bound", f"{wave_plan.lower_bound}", f"no valid plan can use fewer waves ({wave_plan.lower_bound_kind})"),
        ("Gap", f"{wave_plan.gap}", "waves above the lower bound"),
        ("Migrated", f"{wave_plan.summary.migrated_applications:,}", "applications in a wave"),
        ("Not migrated", f"{wave_plan.summary.not_migrated_applications:,}", "retire and retain"),
        ("Hard violations", f"{len(hard)}", "they block completing the plan"),
        ("Total cost", views.compact_money(cost.total, cost.currency) if cost else "—", "recomputed after every edit"),
    ]
)
board.toolbar(plan)
frame = views.board_frame(wave_plan)
cards = views.wave_cards(plan)
st.plotly_chart(
    views.wave_overview_figure(cards, capacity_hours=wave_plan.summary.effort_capacity_hours),
    config={"displayModeBar": False}, key="board_overview",
)
board_tab, table_tab, issues_tab, other_tab = st.tabs(
    [
        ":material/view_kanban: Board",
        ":material/edit_note: Edit assignments",
        f":material/warning: Violations ({len(wave_plan.violations)})",
        f":material/block: Not migrated ({len(wave_plan.not_migrated)})",
    ]
)
with board_tab:
    board.cards(plan, frame)
with table_tab:
    edit_col, side_col = st.columns([3, 1.1])
    with edit_col:
        board.table(plan, frame)
    with side_col:
        with st.container(border=True):
            st.markdown("**Application**")
            board.application_actions(plan, frame)
        with st.container(border=True):
            st.markdown("**Waves**")
            board.wave_actions(plan)
with issues_tab:
    if wave_plan.violations:
        st.dataframe(views.violations_frame(wave_plan.violations), hide_index=True, width="stretch")
    else:
        st.success("Every constraint holds: precedence, move-together groups, capacity and max apps per wave.",
                   icon=":material/verified:")
    for warning in wave_plan.warnings:
        st.warning(warning)
with other_tab:
    st.dataframe(views.not_migrated_frame(wave_plan), hide_index=True, width="stretch")
