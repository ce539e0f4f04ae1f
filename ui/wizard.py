"""The planning wizard's three steps: select applications, configure, review and create."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from planning_core import views
from planning_core.domain import PlanningConfig, Portfolio
from ui import state
from ui.components import PAGES, flash, run_action
from ui.config_form import SCALARS, config_from_values, seed, settings_form, values_of
from ui.filters import APPLICATION_COLUMNS, portfolio_filters
from ui.importing import sources_caption

__all__ = ["SCALARS", "config_from_values", "render", "reset", "review_text"]

STEP = "wiz_step"
SELECTED = "wiz_selected"
VALUES = "wiz_values"
VISIT = "wiz_visit"
NONCE = "wiz_nonce"
CREATE = "wiz_create_requested"
STEPS = ("1 · Select applications", "2 · Configure", "3 · Review and create")
SOURCE = "wiz_source"
PREFIX = "wiz"


def _initial_values() -> dict[str, Any]:
    """Form values of a new plan: the defaults, with what this engagement's last completed plan used; the
    start date at least next Monday. Remembers where the values came from."""
    service = state.service()
    defaults = PlanningConfig()
    config = service.suggested_config() if service is not None else defaults
    learned = [
        views.FIELD_LABELS[name].lower()
        for name in ("max_apps_per_wave", "wave_duration_limit_days", "contingency_percentage")
        if getattr(config, name) != getattr(defaults, name)
    ]
    next_monday = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)
    if config.migration_start_date < next_monday:
        config = config.model_copy(update={"migration_start_date": next_monday})
    st.session_state[SOURCE] = (
        f"Pre-filled from this engagement's last completed plan ({', '.join(learned)}); "
        "everything else is the default. The start date is next Monday."
        if learned
        else "Pre-filled with the default settings; the start date is next Monday."
    )
    return values_of(config)


def _values() -> dict[str, Any]:
    if VALUES not in st.session_state:
        st.session_state[VALUES] = _initial_values()
    return st.session_state[VALUES]


def go(step: int) -> None:
    """Switch step (a button callback); entering step 2 restores the form from the saved values."""
    st.session_state[STEP] = step
    if step == 2:
        st.session_state[VISIT] = st.session_state.get(VISIT, 0) + 1
        seed(_values(), PREFIX, force=True)


def reset() -> None:
    """Forget the wizard's selection and form."""
    for key in (STEP, SELECTED, VALUES, SOURCE):
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
def step_configure() -> None:
    """The settings form; the values typed are committed by 'Next' itself, checked, and each problem
    shown under its field ('Next' goes on only when there is none)."""
    values = _values()
    result = settings_form(
        values,
        prefix=PREFIX,
        generation=st.session_state.get(VISIT, 0),
        source=st.session_state.get(SOURCE, ""),
        buttons=[
            ("back_2", "Back", {"icon": ":material/arrow_back:"}),
            ("next_2", "Next: review", {"type": "primary", "icon": ":material/arrow_forward:"}),
        ],
    )
    if result.button is None:
        return
    st.session_state[VALUES] = {**values, **result.values}
    if result.button == "back_2":
        st.session_state[STEP] = 1
        st.rerun()
    if result.config is not None:
        st.session_state["wiz_config"] = result.config
        st.session_state[STEP] = 3
        st.rerun()


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
    st.markdown(review_text(config))
    st.caption(sources_caption(chosen))  # the sources the plan includes (issue 12)
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


def review_text(config: PlanningConfig) -> str:
    """Every setting that will be stored, in one paragraph."""
    pilot = (
        f"a pilot wave of at most **{config.pilot_max_apps}** applications"
        if config.pilot_wave
        else "**no pilot wave**"
    )
    cap = (
        f"at most **{config.max_effort_hours_per_wave:,.0f} h** of effort per wave"
        if config.max_effort_hours_per_wave
        else "effort per wave limited by the team's capacity"
    )
    costs = config.cost_inputs
    one_off = sum(float(c.amount) for c in costs.one_off_costs)
    return (
        f"Waves of at most **{config.max_apps_per_wave}** applications and **{config.wave_duration_limit_days}** "
        f"days, {pilot}, {cap}; starting **{config.migration_start_date:%d %b %Y}**, "
        f"{config.working_days_per_week} working days of {config.hours_per_day:g} h, "
        f"**{len(config.holidays)}** holiday(s), **{len(config.blackout_windows)}** blackout window(s); "
        f"**{len(config.resource_pools)}** resource pools; contingency **{config.contingency_percentage:g}%**, "
        f"effort uncertainty ±{costs.effort_uncertainty_pct:g}%, "
        f"**{len(costs.one_off_costs)}** one-off cost(s) ({one_off:,.2f}); "
        f"search for fewer waves up to {config.solver_time_limit_seconds:g} s; later phases "
        f"{'recomputed after each edit' if config.auto_progress else 'recomputed on request'}."
    )


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
            lambda: service.initialize(
                selected_application_ids=selected,
                config=config.model_copy(update={"suggestion_mode": "review"}),  # the analyst reviews them
                name=name,
                run=False,
            )
        )
        handle = (
            None
            if plan is None
            else run_action(lambda: service.request_run(plan.planning_flow_id, progress=progress))
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
    # The URL names this workspace and the new plan (switch_page would otherwise clear it).
    st.switch_page(PAGES["waves"], query_params=state.url_params(plan.planning_flow_id))


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
