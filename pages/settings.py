"""Plan settings: every setting of an existing plan, changed in place; manual moves and locks are kept
where they still hold, and the phases the settings feed are recomputed."""

from datetime import date

import streamlit as st

from planning_core import views
from planning_core.domain import PHASE_LABELS
from planning_core.errors import PlanningError, StaleWriteError
from ui import state
from ui.components import flash, md_escape, page_header, require_plan
from ui.config_form import PAST_START, form_keys, settings_form, values_of

PREFIX = "set"
SEEDED = "set_seeded"

plan = state.plan()
page_header("Plan settings", plan)
plan = require_plan(plan)
service = state.service()
assert service is not None
config = plan.planning_config
values = values_of(config)
values[PAST_START] = config.migration_start_date < date.today()
if st.session_state.get(SEEDED) != (plan.planning_flow_id, plan.revision):
    for key in form_keys(PREFIX):  # the form shows the stored settings again (another plan or change)
        st.session_state.pop(key, None)
    st.session_state[SEEDED] = (plan.planning_flow_id, plan.revision)
st.markdown(
    "Change any setting of this plan. Locks, locked waves and moves made by hand are kept where they "
    "still hold; you are told which no longer do. Only the phases a setting feeds are recomputed."
)
result = settings_form(
    values,
    prefix=PREFIX,
    base=config,
    generation=plan.revision,
    buttons=[
        ("check", "Check what would change", {"icon": ":material/preview:"}),
        ("save", "Save the settings", {"type": "primary", "icon": ":material/save:"}),
    ],
)


def _changed(new_config) -> list[str]:  # noqa: ANN001 - a PlanningConfig
    old, new = config.model_dump(mode="json"), new_config.model_dump(mode="json")
    names = [views.FIELD_LABELS.get(k, k.replace("_", " ")) for k in new if old.get(k) != new[k]]
    if old.get("cost_inputs") != new.get("cost_inputs"):
        names = [n for n in names if n != views.FIELD_LABELS["cost_inputs"]]
        names += [
            views.FIELD_LABELS.get(k, k.replace("_", " "))
            for k in new["cost_inputs"]
            if old["cost_inputs"].get(k) != new["cost_inputs"][k]
        ]
    return names


if result.button and result.config is not None:
    changed = _changed(result.config)
    if not changed:
        st.info("These are the plan's settings already: nothing to change.", icon=":material/info:")
    elif result.button == "check":
        try:
            earliest, dropped = service.preview_config_change(
                plan.planning_flow_id, plan.version, result.config
            )
        except PlanningError as error:
            st.error(str(error))
        else:
            recomputed = PHASE_LABELS[earliest].lower() if earliest else "nothing"
            st.info(
                f"Changes: {', '.join(changed)}. Recomputed from: {recomputed} onwards.",
                icon=":material/info:",
            )
            if dropped:
                st.warning(
                    "These manual changes would no longer hold and would be dropped:\n"
                    + "\n".join(f"- {md_escape(d)}" for d in dropped),
                    icon=":material/warning:",
                )
            else:
                st.success("Every lock and manual move still holds.", icon=":material/verified:")
    else:
        reason = ("Settings changed: " + ", ".join(changed))[:400]
        version = plan.version
        try:
            try:
                handle = service.change_config(plan.planning_flow_id, version, result.config, reason=reason)
            except StaleWriteError:
                latest = service.get_plan(plan.planning_flow_id)
                if latest.planning_config != config:  # someone changed the settings too: both shown
                    theirs = _changed(latest.planning_config)
                    st.error(
                        f"Someone changed this plan's settings since you opened them ({', '.join(theirs)}); "
                        "nothing was saved. Reload to see their values, then make your change again.",
                        icon=":material/sync_problem:",
                    )
                    st.stop()
                handle = service.change_config(
                    plan.planning_flow_id, latest.version, result.config, reason=reason
                )
        except PlanningError as error:
            st.error(str(error), icon=":material/error:")
            st.stop()
        last = service.revisions(plan.planning_flow_id)
        dropped = next(
            (r.changes.get("manual_work_dropped") or [] for r in reversed(last) if r.action == "update"), []
        )
        message = f"Saved: {', '.join(changed)}."
        if dropped:
            message += " No longer held and dropped: " + "; ".join(dropped[:10]) + "."
        flash("warning" if dropped else "success", message)
        state.set_plan(handle.plan)
        st.rerun()
