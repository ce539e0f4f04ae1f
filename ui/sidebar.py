"""The sidebar: client account, engagement and plan selectors, and the six-phase progress strip."""

from __future__ import annotations

import streamlit as st

from planning_core import views
from planning_core.domain import TenantContext
from planning_core.errors import NotFound, PlanningError
from planning_core.plan import PlanDocument
from planning_core.service.workspace import Choice, list_client_accounts, list_engagements, workspace
from planning_core.views import compare as compare_views
from ui import state
from ui.components import flash, submit

NO_PLAN = "__none__"
PLAN_CHOSEN = "sb_plan_chosen"  # the analyst picked a plan (or 'no plan') in this session


def _default(key: str, param: str, options: list, fallback: object) -> None:
    """Seed a selector before it is drawn: the URL names what is shown (a link, a reload, the page a
    new plan opens on), else this session's choice while still valid, else the fallback."""
    wanted = st.query_params.get(param)
    match = next((o for o in options if str(o) == wanted), None)
    if match is not None:
        st.session_state[key] = match
    elif key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = fallback


def _to_url(key: str, param: str) -> None:
    """A selector's on_change: the URL follows the choice before the page runs."""
    value = st.session_state.get(key)
    if key == "sb_plan":
        st.session_state[PLAN_CHOSEN] = True
    if value is None or value == NO_PLAN:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)
    if param == "client":
        st.query_params.pop("engagement", None)
    if param in ("client", "engagement"):
        st.query_params.pop("plan", None)


def _choose(label: str, choices: list[Choice], *, key: str, param: str) -> Choice:
    """A selectbox of named ids, remembered in the URL."""
    ids = [c.id for c in choices]
    names = {c.id: c.name for c in choices}
    _default(key, param, ids, ids[0])
    chosen = st.selectbox(
        label,
        ids,
        key=key,
        format_func=lambda i: names.get(i, str(i)),
        on_change=_to_url,
        args=(key, param),
    )
    st.query_params[param] = str(chosen)
    return next(c for c in choices if c.id == chosen)


def _new_workspace(*, expanded: bool) -> None:
    """A small form to create a client account and engagement (with this analyst as admin)."""
    with st.expander("New client account or engagement", expanded=expanded, icon=":material/add_business:"):
        with st.form("new_workspace", border=False, clear_on_submit=True):
            client = st.text_input("Client account", max_chars=200, key="new_ws_client")
            engagement = st.text_input("Engagement", max_chars=200, key="new_ws_engagement")
            if submit("Create", icon=":material/add:", key="new_workspace_create"):
                if not client.strip() or not engagement.strip():
                    st.error("Give both a client account name and an engagement name.")
                    return
                try:
                    created = workspace(
                        state.get_database(),
                        client_account=client.strip(),
                        engagement=engagement.strip(),
                        user_id=state.user_id(),
                    )
                except PlanningError as error:
                    st.error(str(error))
                    return
                # The selectors are already drawn in this run: the URL selects the new workspace in the
                # next one (setting their keys now would raise StreamlitWidgetAlreadyInstantiatedError).
                state.show_workspace(created.client_account_id, created.engagement_id)
                flash("success", f"Created {client.strip()} · {engagement.strip()}; it is selected.")
                st.rerun()


def _load_plan(plans: list[PlanDocument], chosen: str) -> PlanDocument | None:
    """The full plan, reusing this session's copy when its version is still the stored one."""
    light = next((p for p in plans if p.planning_flow_id == chosen), None)
    if light is None:
        return None
    cached = state.plan()
    if cached is not None and cached.planning_flow_id == chosen and cached.version == light.version:
        return cached
    tenant = state.tenant()
    if tenant is None:
        return None
    try:
        return state.stored_plan(
            tenant.client_account_id, tenant.engagement_id, chosen, light.version, tenant.user_id
        )
    except NotFound:
        return None


def _plan_selector() -> PlanDocument | None:
    service = state.service()
    plans = service.list_plans() if service else []
    options = compare_views.family_options(plans)  # each main plan followed by its scenarios (↳)
    ids = [NO_PLAN] + [plan_id for plan_id, _ in options]
    names = dict(options)
    names[NO_PLAN] = "— no plan selected —" if plans else "— no plan yet —"
    pending = st.session_state.pop(state.NEXT_PLAN_KEY, None)
    if pending in ids:
        st.query_params["plan"] = pending
    if st.session_state.get("sb_plan") == NO_PLAN and len(ids) > 1 and not st.session_state.get(PLAN_CHOSEN):
        st.session_state.pop(
            "sb_plan"
        )  # 'no plan' was only the default while there was none: show the newest
    _default("sb_plan", "plan", ids, ids[1] if len(ids) > 1 else NO_PLAN)
    chosen = st.selectbox(
        "Plan",
        ids,
        key="sb_plan",
        format_func=lambda i: names.get(i, i),
        on_change=_to_url,
        args=("sb_plan", "plan"),
    )
    if chosen == NO_PLAN:
        st.query_params.pop("plan", None)
        return None
    st.query_params["plan"] = chosen
    return _load_plan(plans, chosen)


def phase_strip(plan: PlanDocument | None) -> None:
    """The six phases, each with its status; the current one in bold."""
    st.markdown("**Progress**")
    for step in views.phase_strip(plan):
        label = f"**{step.label}**" if step.current else step.label
        st.markdown(f"{step.icon} {label} &nbsp; :{step.color}-badge[{step.status.value}]")


def render_sidebar() -> PlanDocument | None:
    """Draw the sidebar; returns the selected plan (also kept in the session state)."""
    database = state.get_database()
    user = state.user_id()
    with st.sidebar:
        st.markdown("## :material/flight_takeoff: Planning Flow")
        clients = list_client_accounts(database, user_id=user)
        if not clients:
            st.info("No client account yet: create one to start.")
            _new_workspace(expanded=True)
            state.set_tenant(None)
            state.set_plan(None)
            return None
        client = _choose("Client account", clients, key="sb_client", param="client")
        engagements = list_engagements(database, client_account_id=client.id, user_id=user)
        if not engagements:
            st.info("This client account has no engagement you can see yet.")
            _new_workspace(expanded=True)
            state.set_tenant(None)
            state.set_plan(None)
            return None
        engagement = _choose("Engagement", engagements, key="sb_engagement", param="engagement")
        tenant = TenantContext(client_account_id=client.id, engagement_id=engagement.id, user_id=user)
        if state.tenant() != tenant:
            st.session_state.pop("sb_plan", None)
            st.session_state.pop(PLAN_CHOSEN, None)
            state.set_plan(None)
        state.set_tenant(tenant)
        plan = _plan_selector()
        state.set_plan(plan)
        phase_strip(plan)
        st.divider()
        _new_workspace(expanded=False)
    return plan
