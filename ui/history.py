"""The plan's history: every saved change (who, when, what), and a rollback that says what it discards."""

from __future__ import annotations

import streamlit as st

from planning_core.errors import PlanningError
from planning_core.plan import PlanDocument
from planning_core.service import collaboration
from ui import state
from ui.components import button, flash, md_escape


def history_panel(plan: PlanDocument) -> None:
    """The revisions newest first; rolling back to one lists the later changes it would discard."""
    service = state.service()
    if service is None:
        return
    revisions = list(reversed(service.revisions(plan.planning_flow_id)))
    st.dataframe(
        [
            {
                "Change": r.revision,
                "When": f"{r.created_at:%d %b %Y %H:%M}",
                "By": r.created_by,
                "What": r.summary,
            }
            for r in revisions
        ],
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(revisions), 1), 420),
    )
    earlier = [r.revision for r in revisions if r.revision < plan.revision]
    if not earlier:
        return
    with st.container(border=True):
        st.markdown(
            "**Roll back** (undo on the board undoes only your own last change; this goes back over everyone's)"
        )
        target = st.selectbox(
            "Back to change",
            earlier,
            key="history_target",
            format_func=lambda n: next(f"{r.revision} · {r.summary}" for r in revisions if r.revision == n),
        )
        discarded = collaboration.rollback_discards(service, plan.planning_flow_id, int(target))
        others = sorted({c.by for c in discarded if c.by != service.tenant.user_id})
        st.warning(
            f"Rolling back discards {len(discarded)} later change(s)"
            + (f", including work by {', '.join(others)}" if others else "")
            + ":\n"
            + "\n".join(f"- {md_escape(c.summary)} ({md_escape(c.by)})" for c in discarded[:15])
            + (f"\n- … and {len(discarded) - 15} more" if len(discarded) > 15 else ""),
            icon=":material/warning:",
        )
        if button("Roll back and discard these changes", key="history_rollback", icon=":material/history:"):
            try:
                restored = service.rollback(
                    planning_flow_id=plan.planning_flow_id,
                    revision=int(target),
                    expected_version=plan.version,
                )
            except PlanningError as error:
                flash("error", str(error))
                st.rerun()
            state.set_plan(restored)
            flash("success", f"Rolled back to change {target}; {len(discarded)} later change(s) discarded.")
            st.rerun()
