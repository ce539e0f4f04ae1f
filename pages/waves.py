"""Wave board: the waves with their applications, edited in place, every edit validated at once."""

import streamlit as st

from planning_core.views import board as board_views
from planning_core.views import format as fmt
from planning_core.views import phases as phase_views
from ui import board, state
from ui.components import page_header, require_plan
from ui.first_start import start_here
from ui.history import history_panel

plan = state.plan()
page_header("Wave board", plan)
plan = require_plan(plan, document="wave_plan", what="wave plan")
wave_plan = plan.wave_plan
start_here()
board.apply_grid_edit(plan)  # a table edit of the previous run, on the version that table showed
if st.session_state.get(board.PENDING) is not None:
    board.confirm_dialog(plan)
elif st.session_state.get(board.CONFLICT) is not None:
    board.conflict_dialog(plan)
elif st.session_state.get(board.REOPT) is not None:
    board.reoptimise_dialog(plan)

hard = phase_views.hard_violations(plan)
cost = plan.cost_estimation
lower, waves_col, apps_col, hard_col, cost_col = st.columns([1, 1, 1.2, 1, 1.4])
waves_col.metric(
    "Waves",
    len(wave_plan.waves),
    delta=f"{wave_plan.gap} above the minimum" if wave_plan.gap else "as few as possible",
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="Waves holding the migrated applications. **Gap**: how many waves this plan uses above the "
    "lower bound; 0 means no valid plan can use fewer.",
)
lower.metric(
    "Lower bound",
    wave_plan.lower_bound,
    delta=board_views.bound_reason(wave_plan.lower_bound_kind) or None,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help="**Lower bound**: the fewest waves any valid plan can have, proved from the team's capacity, "
    "the dependencies, the locks and the pilot wave. A plan at the bound cannot be beaten.",
)
apps_col.metric(
    "Applications",
    f"{wave_plan.summary.migrated_applications:,}",
    border=True,
    delta=f"+{wave_plan.summary.not_migrated_applications:,} not migrated",
    delta_color="off",
    delta_arrow="off",
    help="in a wave; retire and retain are not migrated",
)
hard_col.metric(
    "Hard violations",
    len(hard),
    border=True,
    help="they block completing the plan",
    delta="fix on this board" if hard else "all constraints hold",
    delta_arrow="off",
    delta_color="inverse" if hard else "normal",
)
cost_col.metric(
    "Total cost",
    fmt.compact_money(cost.total, cost.currency) if cost else "—",
    border=True,
    help=fmt.money(cost.total, cost.currency) if cost else "not computed yet",
    delta=f"with {cost.contingency_percentage:g}% contingency" if cost else None,
    delta_color="off",
    delta_arrow="off",
)
board.toolbar(plan)
frame = board_views.board_frame(wave_plan)
frame["issues"] = frame["issues"].map(phase_views.plain_issues)
cards = board_views.wave_cards(plan)
st.plotly_chart(
    board_views.wave_overview_figure(cards, capacity_hours=wave_plan.summary.effort_capacity_hours),
    config={"displayModeBar": False},
    key="board_overview",
)
VIEWS = {
    "board": ":material/view_kanban: Board",
    "edit": ":material/edit_note: Edit assignments",
    "violations": f":material/warning: Violations ({len(wave_plan.violations)})",
    "not_migrated": f":material/block: Not migrated ({len(wave_plan.not_migrated)})",
    "history": ":material/history: History",
}
view = st.segmented_control(
    "View",
    list(VIEWS),
    format_func=VIEWS.get,
    default="board",
    key="board_view",
    label_visibility="collapsed",
)
if view == "edit":
    edit_col, side_col = st.columns([3, 1.1])
    with edit_col:
        board.table(plan, frame)
    with side_col:
        with st.container(border=True):
            st.markdown("**Application**")
            board.application_actions(plan, frame)
        with st.container(border=True):
            st.markdown("**Move several applications**")
            board.move_several(plan, frame)
        with st.container(border=True):
            st.markdown("**Waves**")
            board.wave_actions(plan)
elif view == "violations":
    if wave_plan.violations:
        st.dataframe(
            phase_views.plain_violations_frame(wave_plan.violations), hide_index=True, width="stretch"
        )
    else:
        st.success(
            "Every constraint holds: precedence, move-together groups, capacity and max apps per wave.",
            icon=":material/verified:",
        )
    for warning in wave_plan.warnings[:20]:
        st.warning(warning)
elif view == "not_migrated":
    st.dataframe(
        board_views.not_migrated_frame(wave_plan),
        hide_index=True,
        width="stretch",
        column_config={
            "application_id": "ID",
            "name": "Application",
            "six_r_strategy": "Strategy (6R)",
            "reason": "Why not migrated",
        },
    )
elif view == "history":
    history_panel(plan)
else:
    board.cards(plan, frame)
board.remember_drawn(plan)
