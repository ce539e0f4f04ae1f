"""Summary and export: executive summary, risks, recommendations, plan quality, warnings, downloads."""

import streamlit as st

from planning_core import export
from planning_core.views import board as board_views
from planning_core.views import exports as export_views
from planning_core.views import summary as summary_views
from ui import state
from ui.components import page_header, plain_label, require_plan, table

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

QUALITY_LABELS = {
    "lower_bound_waves": "Fewest waves possible (lower bound)",
    "lower_bound_kind": "Why no fewer",
    "wave_gap": "Waves above the minimum (gap)",
    "wave_gap_pct": "Gap (%)",
    "cut_weight": "Dependencies split across waves (weight)",
    "hard_violations": "Problems blocking completion",
    "peak_utilisation_pct": "Busiest role-week (% of capacity)",
    "mean_utilisation_pct": "Average utilisation (%)",
    "over_allocated_rows": "Role-waves over capacity",
    "skill_gaps": "Skills no pool has",
}
FINDING = {
    "severity": st.column_config.TextColumn("Severity", width="small"),
    "title": st.column_config.TextColumn("Finding", width="medium"),
    "detail": st.column_config.TextColumn("Detail", width="large"),
    "metric": None,
}
risks_col, recs_col = st.columns(2)
with risks_col:
    st.markdown(f"**Risks** ({len(synthesis.risks)})")
    table(
        summary_views.findings_frame(synthesis.risks), hide_index=True, width="stretch", column_config=FINDING
    )
with recs_col:
    st.markdown(f"**Recommendations** ({len(synthesis.recommendations)})")
    table(
        summary_views.findings_frame(synthesis.recommendations),
        hide_index=True,
        width="stretch",
        column_config=FINDING,
    )

quality_col, warnings_col = st.columns(2)
with quality_col:
    st.markdown("**Plan quality**")
    if plan.wave_plan is not None:
        st.write(board_views.plain_quality_line(plan.wave_plan))
    table(
        [
            {
                "measure": QUALITY_LABELS.get(k, plain_label(k)),
                "value": board_views.bound_reason(str(v)) if k == "lower_bound_kind" else str(v),
            }
            for k, v in synthesis.quality.items()
        ],
        hide_index=True,
        width="stretch",
    )
with warnings_col:
    st.markdown(f"**Warnings** ({len(plan.warnings)})")
    table([{"warning": w} for w in plan.warnings], hide_index=True, width="stretch", height=260)

if synthesis.narrative:
    with st.expander("Agent narrative (generated text, review before use)"):
        st.text(synthesis.narrative)

with st.expander("History: every change, who and when (roll back in the wave board's History view)"):
    service = state.service()
    table(
        summary_views.revisions_frame(service.revisions(plan.planning_flow_id)),
        hide_index=True,
        width="stretch",
        height=300,
    )
