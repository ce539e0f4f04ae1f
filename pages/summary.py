"""Summary and export: executive summary, risks, recommendations, plan quality, warnings, downloads."""

import streamlit as st

from planning_core import export
from planning_core.views import board as board_views
from planning_core.views import exports as export_views
from planning_core.views import summary as summary_views
from ui import state
from ui.components import page_header, require_plan

plan = state.plan()
page_header("Summary & export", plan)
plan = require_plan(plan)

st.subheader("Download", divider="gray")
options = export_views.available_exports(export)
for column, option in zip(st.columns(max(len(options), 1)), options, strict=False):
    column.download_button(
        option.label,
        data=lambda o=option: export_views.export_bytes(export, o, plan),
        file_name=export_views.file_name(plan, option.suffix),
        mime=option.mime,
        on_click="ignore",
        icon=":material/download:",
        key=f"export_{option.renderer}",
        width="stretch",
        type="primary" if option.suffix == ".pdf" else "secondary",
    )

if plan.synthesis is None:
    st.info(
        "The synthesis has not run yet for this plan; the exports hold what exists so far.",
        icon=":material/hourglass_empty:",
    )
    st.stop()
synthesis = plan.synthesis
st.subheader("Executive summary", divider="gray")
cards = summary_views.summary_cards(synthesis)
for column, card in zip(st.columns(len(cards)), cards, strict=True):
    column.metric(card.label, card.value, help=card.help or None, border=True)

FINDING = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "title": st.column_config.TextColumn("Finding", width="medium"),
    "detail": st.column_config.TextColumn("Detail", width="large"),
    "metric": None,
}
risks_col, recs_col = st.columns(2)
with risks_col:
    st.markdown(f"**Risks** ({len(synthesis.risks)})")
    st.dataframe(
        summary_views.findings_frame(synthesis.risks), hide_index=True, width="stretch", column_config=FINDING
    )
with recs_col:
    st.markdown(f"**Recommendations** ({len(synthesis.recommendations)})")
    st.dataframe(
        summary_views.findings_frame(synthesis.recommendations),
        hide_index=True,
        width="stretch",
        column_config=FINDING,
    )

quality_col, warnings_col = st.columns(2)
with quality_col:
    st.markdown("**Plan quality**")
    if plan.wave_plan is not None:
        st.write(board_views.quality_line(plan.wave_plan))
    st.dataframe(
        [{"measure": k, "value": str(v)} for k, v in synthesis.quality.items()],
        hide_index=True,
        width="stretch",
    )
with warnings_col:
    st.markdown(f"**Warnings** ({len(plan.warnings)})")
    st.dataframe([{"warning": w} for w in plan.warnings], hide_index=True, width="stretch", height=260)

if synthesis.narrative:
    with st.expander("Agent narrative (generated text, review before use)"):
        st.text(synthesis.narrative)

with st.expander("Revision history: every change, who and when (roll back from the wave board's undo)"):
    service = state.service()
    st.dataframe(
        summary_views.revisions_frame(service.revisions(plan.planning_flow_id)),
        hide_index=True,
        width="stretch",
        height=300,
    )
