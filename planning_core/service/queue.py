"""Runs as a tenant sees them: queue a background run of a plan, read its jobs, the handle a page shows
progress for, and each plan's run status (running only while a live process owns the run; interrupted
when that process died). The workers that take the jobs are in `planning_core.service.runs`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from db.jobs import JobInfo
from db.session import Database
from db.tenancy import TenancyRepository
from planning_core.access import Action, require
from planning_core.domain import RUNNABLE_PHASES, Phase, PhaseStatus, TenantContext
from planning_core.plan import PlanDocument

ACTIVE_STATUSES = ("queued", "running")
# The warning a plan carries while hard violations refuse its completion (planning_core.service.store).
COMPLETION_BLOCKED = "The plan cannot be completed"
# A plan's run status, as `planning-flow status`, the sidebar and the status page show it.
RUN_STATUSES = ("running", "interrupted", "failed", "blocked", "completed", "pending", "stale")


@dataclass(frozen=True)
class PlanStatus:
    """Where a plan stands: `phase` is the current phase (for a blocked plan, synthesis: the last phase
    it completed), `status` one of RUN_STATUSES. `running` only while a live process owns the run
    (its heartbeat is fresh); a run whose process died is `interrupted` and can be resumed."""

    planning_flow_id: str
    name: str
    phase: Phase
    status: str
    revision: int
    updated_at: datetime | None
    heartbeat_at: datetime | None

    @property
    def resumable(self) -> bool:
        """True when `resume` has something to do (and no live process owns the run)."""
        return self.status in ("interrupted", "failed", "pending", "stale")


def plan_status(
    plan: PlanDocument, heartbeat_at: datetime | None, *, now: datetime, stale_after_s: float
) -> PlanStatus:
    """The plan's status from its phases and its run's heartbeat."""
    phase, status = plan.current_phase, plan.phase_status.value
    if plan.phase_status == PhaseStatus.RUNNING:
        alive = heartbeat_at is not None and now - heartbeat_at <= timedelta(seconds=stale_after_s)
        status = "running" if alive else "interrupted"
    elif plan.current_phase == Phase.COMPLETED and plan.phase_status != PhaseStatus.COMPLETED:
        if any(w.startswith(COMPLETION_BLOCKED) for w in plan.warnings):
            phase, status = RUNNABLE_PHASES[-1], "blocked"
    return PlanStatus(
        planning_flow_id=plan.planning_flow_id,
        name=plan.name,
        phase=phase,
        status=status,
        revision=plan.revision,
        updated_at=plan.updated_at,
        heartbeat_at=heartbeat_at,
    )


@dataclass(frozen=True)
class RunHandle:
    """What a page shows after asking for a plan's phases to run (or after an edit that recomputes them).

    `job_id` is set when the run went to the background worker: poll `job_status` / `active_run` for its
    progress, then reload the plan. `plan` is the plan as stored when the call returned: the computed
    plan when the run happened inline, the edited plan (later phases not yet recomputed) after an edit
    whose run was queued, and None when only a run was queued.
    """

    planning_flow_id: str
    plan: PlanDocument | None = None
    job_id: str | None = None

    @property
    def queued(self) -> bool:
        """True when the phases run in the background (the page shows the job's progress)."""
        return self.job_id is not None


def enqueue_run(database: Database, tenant: TenantContext, planning_flow_id: str) -> str:
    """Queue a background run of the plan's remaining phases; returns the job id (the active one if any)."""
    with database.unit_of_work(tenant) as repo:
        role = TenancyRepository(repo.session).role_of(
            tenant.user_id, tenant.client_account_id, tenant.engagement_id
        )
        require(role, Action.EDIT_PLAN, user_id=tenant.user_id)
        repo.plans.get_plan(planning_flow_id)  # NotFound for another tenant's plan
        return repo.jobs.enqueue(planning_flow_id=planning_flow_id).job_id


def job_status(database: Database, tenant: TenantContext, job_id: str) -> JobInfo:
    """A job of this tenant: status, progress text, heartbeat and error."""
    with database.unit_of_work(tenant) as repo:
        return repo.jobs.get(job_id)


def latest_job(database: Database, tenant: TenantContext, planning_flow_id: str) -> JobInfo | None:
    """The plan's newest job, if it ever had one."""
    with database.unit_of_work(tenant) as repo:
        found = repo.jobs.jobs_of_flow(planning_flow_id)
    return found[0] if found else None


def active_job(database: Database, tenant: TenantContext, planning_flow_id: str) -> JobInfo | None:
    """The plan's newest job while it is queued or running."""
    job = latest_job(database, tenant, planning_flow_id)
    return job if job is not None and job.status in ACTIVE_STATUSES else None
