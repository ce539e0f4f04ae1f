"""The planning wizard's three steps: select applications, configure, review and create."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from planning_core import views
from planning_core.domain import PlanningConfig, Portfolio
from ui import state
from ui.components import PAGES, flash, run_action
from ui.filters import APPLICATION_COLUMNS, portfolio_filters

STEP = "wiz_step"
SELECTED = "wiz_selected"
VALUES = "wiz_values"
VISIT = "wiz_visit"
NONCE = "wiz_nonce"
CREATE = "wiz_create_requested"
STEPS = ("1 · Select applications", "2 · Configure", "3 · Review and create")
SCALARS = (
    "max_apps_per_wave",
    "wave_duration_limit_days",
    "contingency_percentage",
    "migration_start_date",
    "working_days_per_week",
    "hours_per_day",
    "holidays",
    "data_transfer_cost_per_gb",
    "dual_running_cost_per_server_per_month",
    "dual_running_months",
)


def _initial_values() -> dict[str, Any]:
    """Form values of a default configuration."""
    service = state.service()
    config = service.suggested_config() if service is not None else PlanningConfig()
    next_monday = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)
    if config.migration_start_date < next_monday:
        config = config.model_copy(update={"migration_start_date": next_monday})
    costs = config.cost_inputs
    return {
        "max_apps_per_wave": config.max_apps_per_wave,
        "wave_duration_limit_days": config.wave_duration_limit_days,
        "contingency_percentage": config.contingency_percentage,
        "migration_start_date": config.migration_start_date,
        "working_days_per_week": config.working_days_per_week,
        "hours_per_day": config.hours_per_day,
        "holidays": "",
        "data_transfer_cost_per_gb": float(costs.data_transfer_cost_per_gb),
        "dual_running_cost_per_server_per_month": float(costs.dual_running_cost_per_server_per_month),
        "dual_running_months": costs.dual_running_months,
        "pools": views.pools_frame(config.resource_pools),
        "blackouts": views.blackouts_frame(config),
    }


def _values() -> dict[str, Any]:
    if VALUES not in st.session_state:
        st.session_state[VALUES] = _initial_values()
    return st.session_state[VALUES]


def go(step: int) -> None:
    """Switch step (a button callback); entering step 2 restores the form from the saved values."""
    st.session_state[STEP] = step
    if step == 2:
        st.session_state[VISIT] = st.session_state.get(VISIT, 0) + 1
        for name in SCALARS:
            st.session_state[f"wiz_{name}"] = _values()[name]


def reset() -> None:
    """Forget the wizard's selection and form."""
    for key in (STEP, SELECTED, VALUES):
        st.session_state.pop(key, None)


def progress_header() -> int:
    """The step indicator; returns the current step (1-3)."""
    step = st.session_state.get(STEP, 1)
    for column, (number, label) in zip(st.columns(3), enumerate(STEPS, start=1), strict=True):
        if number == step:
            column.markdown(f":blue-background[**{label}**]")
        elif number < step:
            column.markdown(f":material/check: {label}")
        else:
            column.markdown(f":gray[{label}]")
    return step


# --------------------------------------------------------------------------- step 1
def _bump() -> None:
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _select(ids: list[str], selected: bool) -> None:
    chosen: set[str] = st.session_state.setdefault(SELECTED, set())
    if selected:
        chosen.update(ids)
    else:
        chosen.difference_update(ids)
    _bump()


def step_select(portfolio: Portfolio) -> None:
    """Filter, select all matching or pick rows; shows the count and effort of the selection."""
    chosen: set[str] = st.session_state.setdefault(SELECTED, set())
    frame = views.portfolio_frame(portfolio)
    flt = portfolio_filters(frame, key="wiz")
    shown = views.filter_applications(frame, flt)
    ids = list(shown["application_id"])
    a, b, c = st.columns([1, 1, 2])
    a.button(
        f"Select all {len(ids):,} matching",
        on_click=_select,
        args=(ids, True),
        icon=":material/done_all:",
        key="wiz_select_all",
    )
    b.button(
        "Clear matching", on_click=_select, args=(ids, False), icon=":material/remove_done:", key="wiz_clear"
    )
    table = shown.assign(selected=shown["application_id"].isin(chosen))
    table = table[["selected", *[col for col in table.columns if col != "selected"]]].reset_index(drop=True)
    key = f"wiz_table_{st.session_state.get(NONCE, 0)}_{hash(flt)}"
    st.data_editor(
        table,
        key=key,
        hide_index=True,
        width="stretch",
        height=420,
        disabled=[col for col in table.columns if col != "selected"],
        column_config={
            "selected": st.column_config.CheckboxColumn("✓", width="small"),
            **APPLICATION_COLUMNS,
        },
    )
    for position, change in st.session_state.get(key, {}).get("edited_rows", {}).items():
        app_id = table.iloc[int(position)]["application_id"]
        if change.get("selected"):
            chosen.add(app_id)
        else:
            chosen.discard(app_id)
    summary = views.selection_summary(portfolio, chosen)
    c.markdown(
        f"**{summary.selected:,} selected** · {summary.migrated:,} to migrate · "
        f"{summary.not_migrated:,} retire/retain · **{summary.effort_hours:,.0f} h** effort"
    )
    st.button(
        "Next: configure",
        type="primary",
        on_click=go,
        args=(2,),
        disabled=not chosen,
        icon=":material/arrow_forward:",
        key="wiz_next_1",
    )


# --------------------------------------------------------------------------- step 2
def _form_values() -> tuple[dict[str, Any], dict[str, Any]]:
    """Draw the configuration fields; returns their values and a message slot under each field."""
    values = _values()
    slots: dict[str, Any] = {}
    for name in SCALARS:
        st.session_state.setdefault(f"wiz_{name}", values[name])
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Waves**")
        st.number_input(
            "Max applications per wave",
            step=1,
            key="wiz_max_apps_per_wave",
            help="At least 1. The pilot wave is smaller.",
        )
        slots["max_apps_per_wave"] = st.empty()
        st.number_input(
            "Wave duration limit (days)", step=5, key="wiz_wave_duration_limit_days", help="At least 30 days."
        )
        slots["wave_duration_limit_days"] = st.empty()
        st.number_input("Contingency (%)", step=1.0, key="wiz_contingency_percentage", help="0 to 100.")
        slots["contingency_percentage"] = st.empty()
    with middle:
        st.markdown("**Working calendar**")
        st.date_input("Migration start date", key="wiz_migration_start_date")
        slots["migration_start_date"] = st.empty()
        st.number_input("Working days per week", step=1, key="wiz_working_days_per_week")
        slots["working_days_per_week"] = st.empty()
        st.number_input("Hours per day", step=0.5, key="wiz_hours_per_day")
        slots["hours_per_day"] = st.empty()
        st.text_area("Holidays (YYYY-MM-DD, one per line)", key="wiz_holidays", height=90)
        slots["holidays"] = st.empty()
    with right:
        st.markdown("**Costs beyond labour**")
        st.number_input("Data transfer cost per GB", step=0.01, key="wiz_data_transfer_cost_per_gb")
        slots["data_transfer_cost_per_gb"] = st.empty()
        st.number_input(
            "Dual running per server per month", step=10.0, key="wiz_dual_running_cost_per_server_per_month"
        )
        slots["dual_running_cost_per_server_per_month"] = st.empty()
        st.number_input("Dual running months", step=0.5, key="wiz_dual_running_months")
        slots["dual_running_months"] = st.empty()
    current = {name: st.session_state[f"wiz_{name}"] for name in SCALARS}
    visit = st.session_state.get(VISIT, 0)
    st.markdown("**Blackout windows** (no migration work is scheduled inside them)")
    blackouts = st.data_editor(
        values["blackouts"],
        key=f"wiz_blackouts_{visit}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "start": st.column_config.DateColumn("Start"),
            "end": st.column_config.DateColumn("End"),
            "reason": st.column_config.TextColumn("Reason", max_chars=200),
        },
    )
    current["blackouts"] = blackouts
    slots["blackout_windows"] = st.empty()
    st.markdown("**Resource pools** (capacity is per person per week; skills comma-separated)")
    pools = st.data_editor(
        values["pools"],
        key=f"wiz_pools_{visit}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "role": st.column_config.TextColumn("Role", required=True, max_chars=100),
            "headcount": st.column_config.NumberColumn("Headcount", step=1),
            "capacity_hours_per_week": st.column_config.NumberColumn("Hours/week", step=1),
            "hourly_rate": st.column_config.NumberColumn("Rate/hour", step=1, format="%.2f"),
            "currency": st.column_config.TextColumn("Currency", max_chars=3),
            "skills": st.column_config.TextColumn("Skills", width="large"),
        },
    )
    current["pools"] = pools
    slots["resource_pools"] = st.empty()
    return current, slots


def config_from_values(values: dict[str, Any]) -> tuple[PlanningConfig | None, dict[str, str]]:
    """The PlanningConfig the form describes, or messages keyed by field."""
    holidays, holiday_error = views.parse_dates(values.get("holidays") or "")
    raw = {
        "max_apps_per_wave": values["max_apps_per_wave"],
        "wave_duration_limit_days": values["wave_duration_limit_days"],
        "contingency_percentage": values["contingency_percentage"],
        "migration_start_date": values["migration_start_date"],
        "working_days_per_week": values["working_days_per_week"],
        "hours_per_day": values["hours_per_day"],
        "holidays": holidays,
        "blackout_windows": views.records(values["blackouts"]),
        "resource_pools": views.pool_records(values["pools"]),
        "cost_inputs": {
            "data_transfer_cost_per_gb": values["data_transfer_cost_per_gb"],
            "dual_running_cost_per_server_per_month": values["dual_running_cost_per_server_per_month"],
            "dual_running_months": values["dual_running_months"],
        },
    }
    config, errors = views.config_errors(raw)
    if holiday_error:
        errors["holidays"] = holiday_error
        config = None
    return config, errors


def step_configure() -> None:
    """The configuration form; each problem is shown under its field, and 'Next' waits until none."""
    current, slots = _form_values()
    st.session_state[VALUES] = current
    config, errors = config_from_values(current)
    for name, message in errors.items():
        if name in slots:
            slots[name].error(message, icon=":material/error:")
        else:
            st.error(f"{views.FIELD_LABELS.get(name, 'Configuration')}: {message}", icon=":material/error:")
    st.session_state["wiz_config"] = config
    back, forward = st.columns([1, 6])
    back.button("Back", on_click=go, args=(1,), icon=":material/arrow_back:", key="wiz_back_2")
    forward.button(
        "Next: review",
        type="primary",
        on_click=go,
        args=(3,),
        disabled=config is None,
        icon=":material/arrow_forward:",
        key="wiz_next_2",
    )


# --------------------------------------------------------------------------- step 3
def step_review(portfolio: Portfolio) -> None:
    """What will be planned, a name, and the Create button with live phase progress."""
    config: PlanningConfig | None = st.session_state.get("wiz_config")
    chosen: set[str] = st.session_state.get(SELECTED, set())
    if config is None or not chosen:
        st.warning("Finish the first two steps first.")
        st.button("Back to the start", on_click=go, args=(1,), key="wiz_restart")
        return
    summary = views.selection_summary(portfolio, chosen)
    cols = st.columns(4)
    cols[0].metric("Applications", f"{summary.selected:,}", border=True)
    cols[1].metric("To migrate", f"{summary.migrated:,}", border=True)
    cols[2].metric("Effort", f"{summary.effort_hours:,.0f} h", border=True)
    cols[3].metric("Team per week", f"{config.weekly_team_capacity_hours:,.0f} h", border=True)
    st.markdown(
        f"Waves of at most **{config.max_apps_per_wave}** applications and **{config.wave_duration_limit_days}** "
        f"days, starting **{config.migration_start_date}**, {config.working_days_per_week} working days of "
        f"{config.hours_per_day:g} h; **{len(config.blackout_windows)}** blackout window(s); "
        f"**{len(config.resource_pools)}** resource pools; contingency **{config.contingency_percentage:g}%**."
    )
    name = st.text_input(
        "Plan name", value=f"Migration plan ({summary.selected} applications)", max_chars=200, key="wiz_name"
    )
    if not name.strip():
        st.error("Give the plan a name.", icon=":material/error:")
    back, create = st.columns([1, 6])
    back.button("Back", on_click=go, args=(2,), icon=":material/arrow_back:", key="wiz_back_3")
    create.button(
        "Create the plan",
        type="primary",
        icon=":material/rocket_launch:",
        disabled=not name.strip(),
        key="wiz_create",
        on_click=_request_create,
    )
    if st.session_state.pop(CREATE, False) and name.strip():
        _create(sorted(chosen), config, name)


def _request_create() -> None:
    st.session_state[CREATE] = True


def _create(selected: list[str], config: PlanningConfig, name: str) -> None:
    """Create the plan, then have its phases run (inline with live progress, or in the background: the
    service decides) and open the wave board."""
    service = state.service()
    if service is None:
        return
    with st.status("Creating the plan…", expanded=True) as status:

        def progress(phase: Any, message: str) -> None:
            status.update(label=message)
            status.write(message)

        plan = run_action(
            lambda: service.initialize(selected_application_ids=selected, config=config, name=name, run=False)
        )
        handle = None if plan is None else run_action(
            lambda: service.request_run(plan.planning_flow_id, progress=progress)
        )
        if plan is None or handle is None:
            status.update(label="The plan could not be created", state="error")
            return
        status.update(label="Plan created", state="complete")
    state.select_plan_next(plan.planning_flow_id)
    if handle.queued:
        flash("info", "The plan was created; its phases run in the background. You can keep working.")
    state.set_plan(handle.plan)
    reset()
    st.switch_page(PAGES["waves"])


def render(portfolio: Portfolio) -> None:
    """The whole wizard."""
    step = progress_header()
    st.divider()
    if step == 1:
        step_select(portfolio)
    elif step == 2:
        step_configure()
    else:
        step_review(portfolio)
