"""The job queue as a tenant sees it: queue a background run of a plan, read its jobs, and the handle a
page shows progress for. The workers that take the jobs are in `planning_core.service.runs`."""

from __future__ import annotations

from dataclasses import dataclass

from db.jobs import JobInfo
from db.session import Database
from db.tenancy import TenancyRepository
from planning_core.access import Action, require
from planning_core.domain import TenantContext
from planning_core.plan import PlanDocument

ACTIVE_STATUSES = ("queued", "running")


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
