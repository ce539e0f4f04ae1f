"""The jobs aggregate: a tenant's background runs, and the cross-tenant queue operations of workers.

On Postgres, queuing a run also defers a procrastinate task (`RUN_TASK` on `TASK_QUEUE`, the planning
job's id as its argument) in the same transaction: procrastinate hands it to one of its workers
(`planning_core.service.runs`). On SQLite the in-process worker claims queued rows itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.sync_psycopg_connector import SyncPsycopgConnector
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.base import TenantScoped, rowcount
from db.jobs_models import PlanningJobRow
from db.types import utcnow
from planning_core.domain import TenantContext
from planning_core.errors import NotFound

ACTIVE_STATUSES = ("queued", "running")
RUN_TASK = "planning.run_plan"  # the procrastinate task that runs a queued planning job
TASK_QUEUE = "planning"
ERROR_MAX_CHARS = 2000
PROGRESS_MAX_CHARS = 500


class JobInfo(BaseModel):
    """A job as the pages and the workers see it."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    planning_flow_id: str
    client_account_id: int
    engagement_id: int
    kind: str
    status: str
    progress: str
    error: str
    requested_by: str
    worker: str
    attempts: int
    heartbeat_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime

    @property
    def tenant(self) -> TenantContext:
        return TenantContext(
            client_account_id=self.client_account_id,
            engagement_id=self.engagement_id,
            user_id=self.requested_by or "background-worker",
        )


def _info(row: PlanningJobRow) -> JobInfo:
    return JobInfo(
        job_id=row.id,
        planning_flow_id=row.planning_flow_id,
        client_account_id=row.client_account_id,
        engagement_id=row.engagement_id,
        kind=row.kind,
        status=row.status,
        progress=row.progress,
        error=row.error,
        requested_by=row.requested_by,
        worker=row.worker,
        attempts=row.attempts,
        heartbeat_at=row.heartbeat_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        created_at=row.created_at,
    )


class _OneConnection:
    """A stand-in for a connection pool that always lends the same connection."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @contextmanager
    def connection(self) -> Iterator[Any]:
        yield self._connection


class _SessionConnector(SyncPsycopgConnector):
    """procrastinate's psycopg connector on a session's own connection: what it defers is part of the
    session's transaction (committed or rolled back with the planning job row)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._one = _OneConnection(session.connection().connection.driver_connection)

    @property
    def pool(self) -> Any:  # type: ignore[override]
        return self._one


def defer_run(session: Session, job_id: str) -> None:
    """Defer the procrastinate task that runs a planning job, in the session's transaction (Postgres)."""
    app = procrastinate.App(connector=_SessionConnector(session))
    app.configure_task(RUN_TASK, queue=TASK_QUEUE).defer(job_id=job_id)


class JobsRepository(TenantScoped):
    """One client account and engagement's jobs and learnings (every query scoped by tenant)."""

    def active_job(self, planning_flow_id: str) -> JobInfo | None:
        """The queued or running job of a plan, if any."""
        row = self.session.scalar(
            select(PlanningJobRow)
            .where(
                self._scoped(PlanningJobRow),
                PlanningJobRow.planning_flow_id == planning_flow_id,
                PlanningJobRow.status.in_(ACTIVE_STATUSES),
            )
            .order_by(PlanningJobRow.created_at)
            .limit(1)
        )
        return None if row is None else _info(row)

    def enqueue(self, *, planning_flow_id: str, kind: str = "run_all") -> JobInfo:
        """Queue a job for a plan (the plan's active job instead, when it already has one)."""
        active = self.active_job(planning_flow_id)
        if active is not None:
            return active
        now = utcnow()
        row = PlanningJobRow(
            id=str(uuid.uuid4()),
            client_account_id=self.tenant.client_account_id,
            engagement_id=self.tenant.engagement_id,
            planning_flow_id=planning_flow_id,
            kind=kind,
            status="queued",
            progress="Queued",
            error="",
            requested_by=self.tenant.user_id,
            worker="",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        if self.session.get_bind().dialect.name == "postgresql":
            defer_run(self.session, row.id)
        return _info(row)

    def get(self, job_id: str) -> JobInfo:
        """A job of this tenant; NotFound otherwise."""
        row = self.session.scalar(
            select(PlanningJobRow).where(self._scoped(PlanningJobRow), PlanningJobRow.id == job_id)
        )
        if row is None:
            raise NotFound(f"Background run {job_id} does not exist in this engagement.")
        return _info(row)

    def jobs_of_flow(self, planning_flow_id: str) -> list[JobInfo]:
        """A plan's jobs, newest first."""
        rows = self.session.scalars(
            select(PlanningJobRow)
            .where(self._scoped(PlanningJobRow), PlanningJobRow.planning_flow_id == planning_flow_id)
            .order_by(PlanningJobRow.created_at.desc())
        )
        return [_info(r) for r in rows]


class JobQueue:
    """The workers' side: claim, heartbeat, progress and finish jobs of every tenant."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, worker: str) -> JobInfo | None:
        """Take the oldest queued job (the embedded SQLite mode's in-process worker; on Postgres
        procrastinate hands jobs to workers, which take them by id with `claim_job`)."""
        job_id = self.session.scalar(
            select(PlanningJobRow.id)
            .where(PlanningJobRow.status == "queued")
            .order_by(PlanningJobRow.created_at, PlanningJobRow.id)
            .limit(1)
        )
        return None if job_id is None else self.claim_job(job_id, worker)

    def claim_job(self, job_id: str, worker: str) -> JobInfo | None:
        """Mark a queued job running for this worker; None if it is not queued (already taken or done)."""
        now = utcnow()
        claimed = self.session.execute(
            update(PlanningJobRow)
            .where(PlanningJobRow.id == job_id, PlanningJobRow.status == "queued")
            .values(
                status="running",
                worker=worker[:200],
                attempts=PlanningJobRow.attempts + 1,
                heartbeat_at=now,
                started_at=now,
                updated_at=now,
                progress="Started",
            )
        )
        if rowcount(claimed) != 1:  # another worker won the race
            return None
        row = self.session.get(PlanningJobRow, job_id, populate_existing=True)
        assert row is not None
        return _info(row)

    def requeue(self, job_id: str, progress: str) -> bool:
        """Put a running job back in the queue (its run hit a database fault and will be retried)."""
        return self._update_running(job_id, status="queued", progress=progress[:PROGRESS_MAX_CHARS])

    def _update_running(self, job_id: str, **values: Any) -> bool:
        result = self.session.execute(
            update(PlanningJobRow)
            .where(PlanningJobRow.id == job_id, PlanningJobRow.status == "running")
            .values(updated_at=utcnow(), **values)
        )
        return rowcount(result) == 1

    def heartbeat(self, job_id: str) -> bool:
        """Record that the worker running this job is alive (False if the job is no longer running)."""
        return self._update_running(job_id, heartbeat_at=utcnow())

    def set_progress(self, job_id: str, progress: str) -> bool:
        """Record the job's progress text (and count it as a heartbeat)."""
        return self._update_running(job_id, progress=progress[:PROGRESS_MAX_CHARS], heartbeat_at=utcnow())

    def finish(self, job_id: str, *, status: str, progress: str, error: str = "") -> bool:
        """Close a running job as done or failed."""
        return self._update_running(
            job_id,
            status=status,
            progress=progress[:PROGRESS_MAX_CHARS],
            error=error[:ERROR_MAX_CHARS],
            finished_at=utcnow(),
        )

    def stale_jobs(self, cutoff: datetime) -> list[JobInfo]:
        """Running jobs whose last heartbeat is older than the cutoff (their worker died)."""
        rows = self.session.scalars(
            select(PlanningJobRow)
            .where(PlanningJobRow.status == "running", PlanningJobRow.heartbeat_at < cutoff)
            .order_by(PlanningJobRow.created_at)
        )
        return [_info(r) for r in rows]

    def fail_if_stale(self, job_id: str, cutoff: datetime, error: str) -> bool:
        """Mark a running job failed if its heartbeat is still older than the cutoff."""
        result = self.session.execute(
            update(PlanningJobRow)
            .where(
                PlanningJobRow.id == job_id,
                PlanningJobRow.status == "running",
                PlanningJobRow.heartbeat_at < cutoff,
            )
            .values(status="failed", error=error[:ERROR_MAX_CHARS], finished_at=utcnow(), updated_at=utcnow())
        )
        return rowcount(result) == 1
