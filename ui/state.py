"""Session state of the dashboard: the cached database, the chosen tenant and plan, the edit history."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import streamlit as st

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
NEXT_PLAN_KEY = "select_plan_next"
PORTFOLIO_GENERATION_KEY = "portfolio_generation"


@st.cache_resource(show_spinner="Opening the planning database (a first start loads the demo portfolio)…")
def get_database() -> Any:
    """The process-wide database (connected, upgraded; the demo workspace created when empty). With a
    demo plan (PLANNING_DEMO_PLAN, on by default) the demo portfolio is loaded and its plan computed in
    the background: pages show the progress instead of a blank page."""
    database = open_database()
    settings = get_settings()
    apps = settings.demo_apps  # PLANNING_DEMO_APPS (0: no demo)
    if apps and not list_client_accounts(database, user_id=LOCAL_USER):
        tenant = workspace(database)
        ensure_demo_portfolio(database, tenant, apps=apps, seed=7)
        if settings.demo_plan:
            first_start().begin(database, tenant, apps)
    return database


@dataclass
class FirstStart:
    """The demo workspace's preparation at a fresh start: what it is doing, and the plan it made."""

    stage: str = ""
    step: int = 0
    steps: int = 7
    error: str = ""
    planning_flow_id: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def begin(self, database: Any, tenant: TenantContext, apps: int) -> None:
        self.stage = f"Creating the demo plan of {apps:,} applications…"
        self.thread = threading.Thread(
            target=self._prepare, args=(database, tenant, apps), name="demo-first-start", daemon=True
        )
        self.thread.start()

    def _prepare(self, database: Any, tenant: TenantContext, apps: int) -> None:
        try:
            self.step = 1
            service = PlanningService(database, tenant, start_worker=_background_worker)
            ids = [a.application_id for a in service.portfolio().applications]
            start = date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)
            plan = service.initialize(
                selected_application_ids=ids,
                config=service.suggested_config().model_copy(update={"migration_start_date": start}),
                name=f"Demo plan ({len(ids):,} applications)",
                run=False,
            )
            self.planning_flow_id = plan.planning_flow_id

            def progress(phase: Any, message: str) -> None:
                self.step, self.stage = min(self.step + 1, self.steps - 1), message

            handle = service.request_run(plan.planning_flow_id, progress=progress)
            self.step = self.steps
            self.stage = "The demo plan is computing in the background." if handle.queued else "Done."
        except Exception as error:  # shown on the page; the workspace stays usable
            self.error = f"The demo plan could not be prepared: {error}"


@st.cache_resource(show_spinner=False)
def first_start() -> FirstStart:
    """The process's first-start preparation (idle unless the database was empty)."""
    return FirstStart()


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


def show_workspace(client_account_id: int, engagement_id: int) -> None:
    """Make the sidebar select this client account and engagement on the next run (the URL names them)."""
    st.query_params["client"] = str(client_account_id)
    st.query_params["engagement"] = str(engagement_id)
    st.query_params.pop("plan", None)


def url_params(planning_flow_id: str | None = None) -> dict[str, str]:
    """The URL of what this session shows: its workspace and (optionally) a plan, for st.switch_page
    (which otherwise clears the URL and the next page could open another workspace)."""
    current = tenant()
    params: dict[str, str] = {}
    if current is not None:
        params = {"client": str(current.client_account_id), "engagement": str(current.engagement_id)}
    if planning_flow_id:
        params["plan"] = planning_flow_id
    return params


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


@st.cache_resource(show_spinner=False)
def _background_worker() -> WorkerHandle:
    """One in-process worker per app process (jobs of runs that died are marked failed first)."""
    database = get_database()
    reap_dead_jobs(database)
    return start_inprocess_worker(database)
