"""The sidebar: client account, engagement and plan selectors, and the six-phase progress strip."""

from __future__ import annotations

import streamlit as st

from planning_core import views
from planning_core.domain import TenantContext
from planning_core.errors import NotFound, PlanningError
from planning_core.plan import PlanDocument
from planning_core.service.workspace import Choice, list_client_accounts, list_engagements, workspace
from ui import state
from ui.components import md_escape, submit

NO_PLAN = "__none__"


def _default(key: str, param: str, options: list, fallback: object) -> None:
    """Seed a selector from the URL (reloads keep the selection), else keep it valid."""
    if key not in st.session_state or st.session_state[key] not in options:
        wanted = st.query_params.get(param)
        match = next((o for o in options if str(o) == wanted), None)
        st.session_state[key] = match if match is not None else fallback


def _choose(label: str, choices: list[Choice], *, key: str, param: str) -> Choice:
    """A selectbox of named ids, remembered in the URL."""
    ids = [c.id for c in choices]
    names = {c.id: c.name for c in choices}
    _default(key, param, ids, ids[0])
    chosen = st.selectbox(label, ids, key=key, format_func=lambda i: names.get(i, str(i)))
    st.query_params[param] = str(chosen)
    return next(c for c in choices if c.id == chosen)


def _new_workspace(*, expanded: bool) -> None:
    """A small form to create a client account and engagement (with this analyst as admin)."""
    with st.expander("New client account or engagement", expanded=expanded, icon=":material/add_business:"):
        with st.form("new_workspace", border=False):
            client = st.text_input("Client account", max_chars=200)
            engagement = st.text_input("Engagement", max_chars=200)
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
                st.session_state["sb_client"] = created.client_account_id
                st.session_state["sb_engagement"] = created.engagement_id
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
    ids = [NO_PLAN] + [p.planning_flow_id for p in plans]
    names = {p.planning_flow_id: f"{p.name} (v{p.version})" for p in plans}
    names[NO_PLAN] = "— no plan selected —" if plans else "— no plan yet —"
    pending = st.session_state.pop(state.NEXT_PLAN_KEY, None)
    if pending in ids:
        st.session_state["sb_plan"] = pending
    _default("sb_plan", "plan", ids, ids[1] if len(ids) > 1 else NO_PLAN)
    chosen = st.selectbox("Plan", ids, key="sb_plan", format_func=lambda i: names.get(i, i))
    if chosen == NO_PLAN:
        st.query_params.pop("plan", None)
        return None
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
            state.set_plan(None)
        state.set_tenant(tenant)
        plan = _plan_selector()
        state.set_plan(plan)
        if plan is not None:
            st.caption(f"{md_escape(plan.name)} · v{plan.version} · rev {plan.revision}")
        phase_strip(plan)
        st.divider()
        _new_workspace(expanded=False)
    return plan
