"""Session state of the dashboard: the cached database, the chosen tenant and plan, the edit history."""

from __future__ import annotations

from typing import Any

import streamlit as st

from planning_core import views
from planning_core.domain import Portfolio, TenantContext
from planning_core.plan import PlanDocument
from planning_core.service.flow import PlanningService
from planning_core.service.runs import WorkerHandle, reap_dead_jobs, start_inprocess_worker
from planning_core.service.workspace import (
    LOCAL_USER,
    ensure_demo_portfolio,
    list_client_accounts,
    open_database,
    workspace,
)
from planning_core.settings import get_settings

PLAN_KEY = "plan_doc"
TENANT_KEY = "tenant"
HISTORY_KEY = "edit_history"
NEXT_PLAN_KEY = "select_plan_next"
PORTFOLIO_GENERATION_KEY = "portfolio_generation"


@st.cache_resource(show_spinner="Opening the planning database…")
def get_database() -> Any:
    """The process-wide database (connected, upgraded; the demo workspace created when empty)."""
    database = open_database()
    apps = get_settings().demo_apps  # PLANNING_DEMO_APPS (0: no demo)
    if apps and not list_client_accounts(database, user_id=LOCAL_USER):
        tenant = workspace(database)
        ensure_demo_portfolio(database, tenant, apps=apps, seed=7)
    return database


SIGNED_IN_KEY = "_signed_in_user"  # set by ui.auth.require_sign_in


def user_id() -> str:
    """The signed-in user (the single local analyst when sign-in is not configured)."""
    return st.session_state.get(SIGNED_IN_KEY, LOCAL_USER)


def set_tenant(tenant: TenantContext) -> None:
    st.session_state[TENANT_KEY] = tenant


def tenant() -> TenantContext | None:
    return st.session_state.get(TENANT_KEY)


def service() -> PlanningService | None:
    """The planning service of the chosen client account and engagement (runs it queues are taken by
    this process's background worker)."""
    current = tenant()
    return PlanningService(get_database(), current, start_worker=_background_worker) if current else None


def set_plan(plan: PlanDocument | None) -> None:
    """Remember the plan shown in this run (and in the URL, so a reload shows it again)."""
    st.session_state[PLAN_KEY] = plan
    if plan is not None:
        st.query_params["plan"] = plan.planning_flow_id


@st.cache_resource(max_entries=16, show_spinner="Loading the plan…")
def stored_plan(
    client_account_id: int, engagement_id: int, planning_flow_id: str, version: int, user: str = LOCAL_USER
) -> PlanDocument:
    """One version of a plan as this user may read it (a version never changes once stored)."""
    current = TenantContext(client_account_id=client_account_id, engagement_id=engagement_id, user_id=user)
    return PlanningService(get_database(), current).get_plan(planning_flow_id)


def plan() -> PlanDocument | None:
    """The plan loaded by the sidebar for this run."""
    return st.session_state.get(PLAN_KEY)


def select_plan_next(planning_flow_id: str) -> None:
    """Make the sidebar select this plan on the next run (after the wizard created it)."""
    st.session_state[NEXT_PLAN_KEY] = planning_flow_id
    st.query_params["plan"] = planning_flow_id


def portfolio_changed() -> None:
    """Forget the cached portfolio of this session's tenant (after an import)."""
    st.session_state[PORTFOLIO_GENERATION_KEY] = st.session_state.get(PORTFOLIO_GENERATION_KEY, 0) + 1
    _cached_portfolio.clear()


@st.cache_data(ttl=120, show_spinner="Loading the portfolio…", max_entries=8)
def _cached_portfolio(
    client_account_id: int, engagement_id: int, generation: int, user: str = LOCAL_USER
) -> Portfolio:
    current = TenantContext(client_account_id=client_account_id, engagement_id=engagement_id, user_id=user)
    return PlanningService(get_database(), current).portfolio()


def portfolio() -> Portfolio:
    """The engagement's whole portfolio (cached briefly; refreshed after an import)."""
    current = tenant()
    if current is None:
        return Portfolio()
    generation = st.session_state.get(PORTFOLIO_GENERATION_KEY, 0)
    return _cached_portfolio(current.client_account_id, current.engagement_id, generation, current.user_id)


def history() -> views.EditHistory:
    return st.session_state.get(HISTORY_KEY, views.EditHistory())


def set_history(value: views.EditHistory) -> None:
    st.session_state[HISTORY_KEY] = value


@st.cache_resource(show_spinner=False)
def _background_worker() -> WorkerHandle:
    """One in-process worker per app process (jobs of runs that died are marked failed first)."""
    database = get_database()
    reap_dead_jobs(database)
    return start_inprocess_worker(database)
