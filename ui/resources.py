"""Resources page widgets: the editable pools and the manual allocation override."""

from __future__ import annotations

import streamlit as st

from planning_core import views
from planning_core.plan import PlanDocument
from ui import state
from ui.components import button, flash, run_action

POOL_COLUMNS = {
    "role": st.column_config.TextColumn("Role", required=True, max_chars=100),
    "headcount": st.column_config.NumberColumn("Headcount", step=1),
    "capacity_hours_per_week": st.column_config.NumberColumn("Hours/week per person", step=1),
    "hourly_rate": st.column_config.NumberColumn("Rate/hour", step=1, format="%.2f"),
    "currency": st.column_config.TextColumn("Currency", max_chars=3),
    "skills": st.column_config.TextColumn("Skills (comma-separated)", width="large"),
}


def pools_editor(plan: PlanDocument) -> None:
    """Edit role, headcount, capacity, rate and skills; saving re-plans with the new pools."""
    key = f"pools_{plan.revision}_{st.session_state.get('pools_nonce', 0)}"
    edited = st.data_editor(
        views.pools_frame(plan.planning_config.resource_pools),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config=POOL_COLUMNS,
    )
    pools = views.pool_records(edited)
    values = {**plan.planning_config.model_dump(), "resource_pools": pools}
    config, errors = views.config_errors(values)
    for message in errors.values():
        st.error(f"Resource pools: {message}", icon=":material/error:")
    changed = bool(
        st.session_state.get(key, {}).get("edited_rows")
        or st.session_state.get(key, {}).get("added_rows")
        or st.session_state.get(key, {}).get("deleted_rows")
    )
    st.caption(
        "Saving changes the configuration: every phase is recomputed (locked waves and applications stay)."
    )
    if button(
        "Save the pools",
        type="primary",
        disabled=config is None or not changed,
        icon=":material/save:",
        key="pools_save",
    ):
        service = state.service()
        if service is None:
            return
        handle = run_action(
            lambda: service.change_config(
                plan.planning_flow_id, plan.version, config, reason="Resource pools edited"
            )
        )
        if handle is not None:
            state.set_plan(handle.plan)
            st.session_state["pools_nonce"] = st.session_state.get("pools_nonce", 0) + 1
            later = "is being recomputed in the background" if handle.queued else "was recomputed"
            flash("success", f"Resource pools saved; the plan {later}.")
            st.rerun()


def override_form(plan: PlanDocument) -> None:
    """Set one role's hours in one wave by hand, with a reason (recorded in the revision)."""
    allocation = plan.resource_allocation
    assert allocation is not None
    waves = sorted({a.wave_number for a in allocation.allocations})
    roles = sorted({a.role for a in allocation.allocations})
    if not waves:
        st.info("There are no allocations to override.")
        return
    wave_col, role_col, hours_col = st.columns(3)
    wave = wave_col.selectbox("Wave", waves, key="ovr_wave")
    role = role_col.selectbox("Role", roles, key="ovr_role")
    current = next((a for a in allocation.allocations if a.wave_number == wave and a.role == role), None)
    hours = hours_col.number_input(
        "Hours", value=float(current.hours) if current else 0.0, step=8.0, key=f"ovr_hours_{wave}_{role}"
    )
    if current is not None:
        st.caption(
            f"Now {current.hours:,.1f} h of {current.capacity_hours:,.1f} h capacity "
            f"({current.utilisation_pct:.0f}%), {current.source.value}"
            + (f": {current.reason}" if current.reason else "")
        )
    reason = st.text_input(
        "Reason (required)",
        max_chars=500,
        key="ovr_reason",
        placeholder="e.g. contractor team takes over the testing of this wave",
    )
    if not button("Apply the override", icon=":material/tune:", key="ovr_submit"):
        return
    service = state.service()
    if service is None:
        return
    handle = run_action(
        lambda: service.override_allocation(
            plan.planning_flow_id,
            plan.version,
            wave_number=int(wave),
            role=role,
            hours=float(hours),
            reason=reason,
        )
    )
    if handle is not None:
        state.set_plan(handle.plan)
        later = "are being recomputed in the background" if handle.queued else "recomputed"
        flash("success", f"{role} in wave {wave} set to {hours:g} h; timeline and costs {later}.")
        st.rerun()
