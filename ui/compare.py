"""The compare page's parts: the scenario form, the plan picker, the comparison and its actions."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from planning_core.errors import InvalidInput
from planning_core.export.compare import render_comparison_pdf, render_comparison_xlsx
from planning_core.export.comparison import MAX_PLANS, MIN_PLANS, Comparison
from planning_core.plan import PlanDocument
from planning_core.service.scenarios import ScenarioService
from planning_core.views import compare as compare_views
from ui import state
from ui.components import button, flash, md_escape, run_action, submit


def scenario_service() -> ScenarioService | None:
    """The scenario service of the chosen client account and engagement."""
    current = state.tenant()
    return ScenarioService(state.get_database(), current) if current else None


def _extra_settings(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"Other settings: not valid JSON ({error.msg}, line {error.lineno}).") from error
    if not isinstance(value, dict):
        raise InvalidInput('Other settings: give a JSON object of settings, e.g. {"pilot_wave": false}.')
    return value


def scenario_form(service: ScenarioService, source: PlanDocument) -> None:
    """'Create a scenario' of the sidebar's plan: a name and the settings to change; planned at once."""
    config = source.planning_config
    with st.expander(f"Create a scenario of {md_escape(source.name)}", icon=":material/call_split:"):
        with st.form("scenario_form", border=False):
            name = st.text_input("Scenario name", max_chars=200, placeholder=f"{source.name} — scenario")
            left, middle, right = st.columns(3)
            max_apps = left.number_input("Max applications per wave", 1, 10_000, config.max_apps_per_wave)
            start = middle.date_input("Migration start", config.migration_start_date)
            duration = right.number_input(
                "Wave duration limit (days)", 30, 3650, config.wave_duration_limit_days
            )
            contingency = left.number_input(
                "Contingency (%)", 0.0, 100.0, float(config.contingency_percentage), 1.0
            )
            uncertainty = middle.number_input(
                "Effort uncertainty (±%)", 0.0, 200.0, float(config.cost_inputs.effort_uncertainty_pct), 5.0
            )
            st.markdown("**Headcount per role**")
            columns = st.columns(max(len(config.resource_pools), 1))
            headcounts = {
                pool.role: int(
                    column.number_input(
                        pool.role, 0, 10_000, pool.headcount, key=f"scenario_head_{pool.role}"
                    )
                )
                for column, pool in zip(columns, config.resource_pools, strict=False)
            }
            extra = st.text_area(
                "Other settings (JSON, optional)",
                placeholder='{"pilot_wave": false, "cost_inputs": {"dual_running_months": 2}}',
                help="Any setting of the plan's configuration; what is not given keeps the plan's value.",
            )
            if not submit(
                "Create and plan the scenario", icon=":material/play_arrow:", key="scenario_create"
            ):
                return

    def create() -> PlanDocument:
        changes = compare_views.scenario_changes(
            config,
            max_apps_per_wave=int(max_apps),
            migration_start_date=start,
            wave_duration_limit_days=int(duration),
            contingency_percentage=float(contingency),
            effort_uncertainty_pct=float(uncertainty),
            headcounts=headcounts,
            extra=_extra_settings(extra),
        )
        with st.spinner("Planning the scenario…"):
            return service.create_scenario(source.planning_flow_id, changes, name=name)

    created = run_action(create)
    if created is None:
        return
    assert created.scenario is not None
    dropped = len(created.scenario.dropped)
    flash(
        "warning" if dropped else "success",
        f"Scenario {created.name} planned: {len(created.scenario.kept)} manual change(s) kept"
        + (f", {dropped} dropped (see below)" if dropped else "")
        + ".",
    )
    st.session_state["compare_plans"] = [
        *[i for i in st.session_state.get("compare_plans", []) if i != created.planning_flow_id][
            : MAX_PLANS - 1
        ],
        created.planning_flow_id,
    ]
    st.rerun()


def plan_picker(plans: list[PlanDocument], chosen: PlanDocument | None) -> list[str]:
    """A multiselect of two to four plans (families together); returns the ids picked."""
    options = compare_views.family_options(plans)
    labels = dict(options)
    ids = [i for i, _ in options]
    current = [i for i in st.session_state.get("compare_plans", []) if i in labels]
    if not current:
        current = [i for i in compare_views.default_selection(plans, chosen) if i in labels]
    st.session_state["compare_plans"] = current
    return st.multiselect(
        f"Plans to compare ({MIN_PLANS} to {MAX_PLANS})",
        ids,
        key="compare_plans",
        format_func=lambda i: labels.get(i, i),
        max_selections=MAX_PLANS,
    )


def comparison_view(comparison: Comparison) -> None:
    """The figures side by side, the migration chart, moved applications and baseline variance."""
    for warning in comparison.warnings:
        st.warning(warning, icon=":material/warning:")
    differing = set(compare_views.differing_figures(comparison))
    frame = compare_views.figures_frame(comparison)
    st.dataframe(
        frame.style.apply(
            lambda row: ["font-weight: bold" if row["figure"] in differing else "" for _ in row], axis=1
        ),
        hide_index=True,
        width="stretch",
        height=min(36 + 35 * len(frame), 900),
        key="compare_figures",
    )
    st.caption("Bold: figures that differ between the plans. P50/P80: risk simulation of each plan.")
    st.plotly_chart(compare_views.migrated_figure(comparison), key="compare_migrated")
    moved = compare_views.moved_frame(comparison)
    st.markdown(f"**Applications whose wave differs** ({len(moved):,})")
    if moved.empty:
        st.info("Every application is in the same wave in every plan.", icon=":material/check:")
    else:
        st.dataframe(moved, hide_index=True, width="stretch", height=360, key="compare_moved")
    if comparison.baselines:
        st.markdown("**Variance against the latest baseline**")
        st.dataframe(compare_views.baseline_frame(comparison), hide_index=True, width="stretch")
        for variance in comparison.baselines:
            with st.expander(f"Waves of {md_escape(variance.baseline_name)} against now"):
                st.dataframe(compare_views.baseline_waves_frame(variance), hide_index=True, width="stretch")


def downloads(comparison: Comparison) -> None:
    """The comparison as PDF and XLSX."""
    left, right = st.columns(2)
    left.download_button(
        "Comparison (PDF)",
        data=lambda: render_comparison_pdf(comparison),
        file_name="comparison.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/download:",
        key="compare_pdf",
        width="stretch",
        type="primary",
    )
    right.download_button(
        "Comparison (XLSX)",
        data=lambda: render_comparison_xlsx(comparison),
        file_name="comparison.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
        key="compare_xlsx",
        width="stretch",
    )


def scenario_actions(service: ScenarioService, plans: list[PlanDocument]) -> None:
    """For each scenario compared: what it kept and dropped, and 'Make this the chosen plan'."""
    for plan in plans:
        origin = plan.scenario
        if origin is None:
            continue
        with st.container(border=True):
            st.markdown(
                f"**{md_escape(plan.name)}** — scenario of {md_escape(origin.source_name)} "
                f"(revision {origin.source_revision}); settings changed: "
                f"{md_escape(', '.join(origin.changed_settings) or 'none')}"
            )
            if origin.dropped:
                st.warning(
                    "Not kept from the source plan: "
                    + "; ".join(md_escape(line) for line in origin.dropped[:10]),
                    icon=":material/undo:",
                )
            if origin.kept:
                st.caption("Kept: " + "; ".join(md_escape(line) for line in origin.kept[:10]))
            if button(
                "Make this the chosen plan",
                key=f"adopt_{plan.planning_flow_id}",
                icon=":material/verified:",
                help="Its settings and results become a new revision of the family's main plan.",
            ):
                adopted = run_action(lambda p=plan: service.adopt_scenario(p.planning_flow_id))
                if adopted is not None:
                    flash(
                        "success",
                        f"{plan.name} is now the chosen plan: revision {adopted.revision} of {adopted.name}.",
                    )
                    state.select_plan_next(adopted.planning_flow_id)
                    st.rerun()


def baseline_action(service: ScenarioService, plan: PlanDocument) -> None:
    """Save the sidebar's plan as a baseline (its dates, waves and cost now)."""
    baselines = service.baselines(plan.planning_flow_id)
    latest = f" Latest: {md_escape(baselines[-1].name)}." if baselines else ""
    st.caption(f"{md_escape(plan.name)} has {len(baselines)} baseline(s).{latest}")
    if button("Save as baseline", key="save_baseline", icon=":material/bookmark_add:"):
        saved = run_action(lambda: service.save_baseline(plan.planning_flow_id))
        if saved is not None:
            flash(
                "success", f"Saved {saved.name}: the comparison and the Gantt show the variance against it."
            )
            st.rerun()
