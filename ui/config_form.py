"""The plan settings form, shared by the wizard (a new plan) and the settings panel (an existing plan).

One st.form: typed values are committed with the button that submits them (never on blur), so the value
checked and stored is exactly the value on screen. Every PlanningConfig setting is here; the rarely
changed ones are folded into "Advanced settings". A start date in the past needs an explicit tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st

from planning_core import views
from planning_core.domain import PlanningConfig
from planning_core.views.config import one_off_frame

# Scalar fields of the form, in the order the wizard's step 2 shows them.
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
# The advanced settings, folded away by default.
ADVANCED = (
    "pilot_wave",
    "pilot_max_apps",
    "max_effort_hours_per_wave",
    "solver_time_limit_seconds",
    "auto_progress",
    "effort_uncertainty_pct",
    "programme_team_cost_per_week",
    "environment_cost_per_week",
)
COST_FIELDS = (
    "data_transfer_cost_per_gb",
    "dual_running_cost_per_server_per_month",
    "dual_running_months",
    "effort_uncertainty_pct",
    "programme_team_cost_per_week",
    "environment_cost_per_week",
)
PAST_START = "past_start_confirmed"


def values_of(config: PlanningConfig) -> dict[str, Any]:
    """The form values of a configuration."""
    costs = config.cost_inputs
    return {
        "max_apps_per_wave": config.max_apps_per_wave,
        "wave_duration_limit_days": config.wave_duration_limit_days,
        "contingency_percentage": float(config.contingency_percentage),
        "migration_start_date": config.migration_start_date,
        "working_days_per_week": config.working_days_per_week,
        "hours_per_day": float(config.hours_per_day),
        "holidays": "\n".join(d.isoformat() for d in config.holidays),
        "data_transfer_cost_per_gb": float(costs.data_transfer_cost_per_gb),
        "dual_running_cost_per_server_per_month": float(costs.dual_running_cost_per_server_per_month),
        "dual_running_months": float(costs.dual_running_months),
        "pilot_wave": config.pilot_wave,
        "pilot_max_apps": config.pilot_max_apps,
        "max_effort_hours_per_wave": float(config.max_effort_hours_per_wave or 0.0),
        "solver_time_limit_seconds": float(config.solver_time_limit_seconds),
        "auto_progress": config.auto_progress,
        "effort_uncertainty_pct": float(costs.effort_uncertainty_pct),
        "programme_team_cost_per_week": float(costs.programme_team_cost_per_week),
        "environment_cost_per_week": float(costs.environment_cost_per_week),
        PAST_START: False,
        "pools": views.pools_frame(config.resource_pools),
        "blackouts": views.blackouts_frame(config),
        "one_off": one_off_frame(costs.one_off_costs),
    }


def config_from_values(
    values: dict[str, Any], base: PlanningConfig | None = None
) -> tuple[PlanningConfig | None, dict[str, str]]:
    """The PlanningConfig the form describes (settings the values leave out keep `base`'s), or messages
    keyed by field."""
    base = base or PlanningConfig()
    defaults = values_of(base)

    def get(name: str) -> Any:
        return values.get(name, defaults[name])

    holidays_text = values.get("holidays")
    holidays, holiday_error = views.parse_dates(holidays_text or "")
    cap = get("max_effort_hours_per_wave")
    costs = base.cost_inputs.model_dump()
    costs.update({name: get(name) for name in COST_FIELDS})
    if "one_off" in values:
        costs["one_off_costs"] = views.records(values["one_off"])
    raw = {
        **base.model_dump(),
        **{name: get(name) for name in SCALARS if name != "holidays" and name not in COST_FIELDS},
        **{name: get(name) for name in ADVANCED if name not in COST_FIELDS},
        "max_effort_hours_per_wave": float(cap) if cap else None,
        "holidays": holidays,
        "blackout_windows": views.records(values["blackouts"])
        if "blackouts" in values
        else base.blackout_windows,
        "resource_pools": views.pool_records(values["pools"]) if "pools" in values else base.resource_pools,
        "cost_inputs": costs,
    }
    config, errors = views.config_errors(raw)
    if holiday_error:
        errors["holidays"] = holiday_error
        config = None
    start = get("migration_start_date")
    if isinstance(start, date) and start < date.today() and not values.get(PAST_START):
        errors["migration_start_date"] = (
            f"{start:%d %b %Y} is in the past: tick 'Start in the past on purpose' to keep it."
        )
        config = None
    return config, errors


@dataclass
class FormResult:
    """What the analyst submitted: the button pressed, the values and the configuration (or errors)."""

    button: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    config: PlanningConfig | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _clicked(prefix: str, name: str) -> None:
    """A submit button's callback (more reliable than its return value under AppTest and in a browser)."""
    st.session_state[f"{prefix}__clicked"] = name


def _number(label: str, name: str, prefix: str, slots: dict[str, Any], **kwargs: Any) -> None:
    st.number_input(label, key=f"{prefix}_{name}", **kwargs)
    slots[name] = st.empty()


def form_keys(prefix: str) -> list[str]:
    """The session keys of a form's scalar widgets."""
    return [f"{prefix}_{name}" for name in (*SCALARS, *ADVANCED, PAST_START)]


def seed(values: dict[str, Any], prefix: str, *, force: bool = False) -> None:
    """Put the values into the form's widget keys (before the form is drawn)."""
    for name in (*SCALARS, *ADVANCED, PAST_START):
        if force or f"{prefix}_{name}" not in st.session_state:
            st.session_state[f"{prefix}_{name}"] = values[name]


def settings_form(
    values: dict[str, Any],
    *,
    prefix: str,
    buttons: list[tuple[str, str, dict[str, Any]]],
    base: PlanningConfig | None = None,
    generation: int = 0,
    source: str = "",
) -> FormResult:
    """Draw the form seeded with `values`; `buttons` are (name, label, kwargs) of its submit buttons.
    On a submit: the values committed with it, and the configuration or the errors (shown per field)."""
    seed(values, prefix)
    slots: dict[str, Any] = {}
    with st.form(f"{prefix}_form", border=False, enter_to_submit=False):
        if source:
            st.caption(source)
        left, middle, right = st.columns(3)
        with left:
            st.markdown("**Waves**")
            _number(
                "Max applications per wave",
                "max_apps_per_wave",
                prefix,
                slots,
                step=1,
                help="At least 1. The pilot wave is smaller.",
            )
            _number(
                "Wave duration limit (days)",
                "wave_duration_limit_days",
                prefix,
                slots,
                step=5,
                help="At least 30 days.",
            )
            _number("Contingency (%)", "contingency_percentage", prefix, slots, step=1.0, help="0 to 100.")
        with middle:
            st.markdown("**Working calendar**")
            st.date_input("Migration start date", key=f"{prefix}_migration_start_date")
            slots["migration_start_date"] = st.empty()
            st.checkbox("Start in the past on purpose", key=f"{prefix}_{PAST_START}")
            _number("Working days per week", "working_days_per_week", prefix, slots, step=1)
            _number("Hours per day", "hours_per_day", prefix, slots, step=0.5)
            st.text_area("Holidays (YYYY-MM-DD, one per line)", key=f"{prefix}_holidays", height=90)
            slots["holidays"] = st.empty()
        with right:
            st.markdown("**Costs beyond labour**")
            _number("Data transfer cost per GB", "data_transfer_cost_per_gb", prefix, slots, step=0.01)
            _number(
                "Dual running per server per month",
                "dual_running_cost_per_server_per_month",
                prefix,
                slots,
                step=10.0,
            )
            _number("Dual running months", "dual_running_months", prefix, slots, step=0.5)
        with st.expander("Advanced settings: pilot wave, effort cap, uncertainty, programme costs, search"):
            a, b, c = st.columns(3)
            with a:
                st.toggle("Start with a pilot wave", key=f"{prefix}_pilot_wave")
                _number("Pilot wave size (applications)", "pilot_max_apps", prefix, slots, step=1)
                _number(
                    "Max effort per wave (hours, 0 = team capacity)",
                    "max_effort_hours_per_wave",
                    prefix,
                    slots,
                    step=100.0,
                )
            with b:
                _number(
                    "Effort uncertainty (±%)",
                    "effort_uncertainty_pct",
                    prefix,
                    slots,
                    step=5.0,
                    help="How far actual effort may differ from the estimate; drives the P80 cost.",
                )
                _number("Programme team per week", "programme_team_cost_per_week", prefix, slots, step=500.0)
                _number("Environments per week", "environment_cost_per_week", prefix, slots, step=100.0)
            with c:
                _number(
                    "Time to search for fewer waves (seconds)",
                    "solver_time_limit_seconds",
                    prefix,
                    slots,
                    step=5.0,
                )
                st.toggle("Recompute later phases after each edit", key=f"{prefix}_auto_progress")
            st.markdown("**One-off costs** (tooling, licences, training…)")
            one_off = st.data_editor(
                values["one_off"],
                key=f"{prefix}_one_off_{generation}",
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                column_config={
                    "name": st.column_config.TextColumn("Item", required=True, max_chars=200),
                    "category": st.column_config.TextColumn("Category", max_chars=100),
                    "amount": st.column_config.NumberColumn("Amount", min_value=0, format="%.2f"),
                },
            )
            slots["one_off_costs"] = st.empty()
        st.markdown("**Blackout windows** (no migration work is scheduled inside them)")
        blackouts = st.data_editor(
            values["blackouts"],
            key=f"{prefix}_blackouts_{generation}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                "start": st.column_config.DateColumn("Start"),
                "end": st.column_config.DateColumn("End"),
                "reason": st.column_config.TextColumn("Reason", max_chars=200),
            },
        )
        slots["blackout_windows"] = st.empty()
        st.markdown("**Resource pools** (capacity is per person per week; skills comma-separated)")
        pools = st.data_editor(
            values["pools"],
            key=f"{prefix}_pools_{generation}",
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
        slots["resource_pools"] = st.empty()
        with st.container(horizontal=True):
            for name, label, kwargs in buttons:
                st.form_submit_button(
                    label, key=f"{prefix}_{name}", on_click=_clicked, args=(prefix, name), **kwargs
                )
    clicked = st.session_state.pop(f"{prefix}__clicked", None)
    if clicked is None:
        return FormResult()
    current = {name: st.session_state[f"{prefix}_{name}"] for name in (*SCALARS, *ADVANCED, PAST_START)}
    current.update(blackouts=blackouts, pools=pools, one_off=one_off)
    config, errors = config_from_values(current, base)
    for name, message in errors.items():
        if name in slots:
            slots[name].error(message, icon=":material/error:")
        else:
            label = views.FIELD_LABELS.get(name, "Settings")
            st.error(f"{label}: {message}", icon=":material/error:")
    return FormResult(button=clicked, values=current, config=config, errors=errors)
