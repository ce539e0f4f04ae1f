"""Background runs of a plan's phases on a job queue in the database, and tenant memory.

A job is queued by the service (`PlanningService.request_run`, through `planning_core.service.queue`),
claimed by a worker (`run_worker_once`: FOR UPDATE SKIP LOCKED on Postgres, so workers on several machines
share one queue; a conditional UPDATE on SQLite, where the app runs one in-process worker thread), kept alive by a heartbeat, and closed as done or failed. A worker
that dies leaves a running job whose heartbeat goes stale: `reap_dead_jobs` marks it failed and the
plan's running phase failed; the plan's last good documents are untouched and it can be queued again.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

from db.jobs import JobInfo, JobQueue
from db.session import Database
from db.types import utcnow
from planning_core.domain import Phase, PhaseStatus, TenantContext
from planning_core.service.flow import PlanningService
from planning_core.service.memory import memory_context, record_learning, wizard_defaults
from planning_core.service.queue import enqueue_run, job_status, latest_job

HEARTBEAT_INTERVAL_S = 5.0
STALE_AFTER_S = 60.0
POLL_INTERVAL_S = 1.0


__all__ = [
    "JobInfo",
    "enqueue_run",
    "job_status",
    "latest_job",
    "memory_context",
    "reap_dead_jobs",
    "record_learning",
    "run_worker_once",
    "start_inprocess_worker",
    "wizard_defaults",
]


def worker_name() -> str:
    """host:pid:thread, so an operator can tell which worker holds a job."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _queue(database: Database) -> AbstractContextManager[JobQueue]:
    """One worker transaction over every tenant's jobs."""
    return database.job_queue()


class _Heartbeat:
    """A daemon thread that refreshes a running job's heartbeat until stopped."""

    def __init__(self, database: Database, job_id: str, interval_s: float) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat,
            args=(database, job_id, interval_s),
            daemon=True,
            name=f"heartbeat-{job_id[:8]}",
        )

    def _beat(self, database: Database, job_id: str, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                with _queue(database) as queue:
                    if not queue.heartbeat(job_id):
                        return
            except Exception:  # a missed beat is retried; a dead database fails the run itself
                continue

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _progress(database: Database, job_id: str) -> Callable[[Phase, str], None]:
    def report(phase: Phase, message: str) -> None:
        with _queue(database) as queue:
            queue.set_progress(job_id, message)

    return report


def run_worker_once(database: Database, *, heartbeat_s: float = HEARTBEAT_INTERVAL_S) -> bool:
    """Claim one queued job and run it to the end; False when the queue was empty."""
    with _queue(database) as queue:
        job = queue.claim(worker_name())
    if job is None:
        return False
    service = PlanningService(database, job.tenant)
    try:
        with _Heartbeat(database, job.job_id, heartbeat_s):
            plan = service.run_all(job.planning_flow_id, progress=_progress(database, job.job_id))
    except Exception as error:  # the service already marked the phase failed; the job records why
        with _queue(database) as queue:
            queue.finish(
                job.job_id, status="failed", progress="Failed", error=f"{type(error).__name__}: {error}"
            )
        return True
    done = (
        "Plan completed" if plan.current_phase == Phase.COMPLETED else "Plan computed; completion is blocked"
    )
    with _queue(database) as queue:
        queue.finish(job.job_id, status="done", progress=done)
    return True


@dataclass
class WorkerHandle:
    """A running in-process worker: stop() ends it after the current job."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout=timeout)


def start_inprocess_worker(
    database: Database, *, poll_s: float = POLL_INTERVAL_S, heartbeat_s: float = HEARTBEAT_INTERVAL_S
) -> WorkerHandle:
    """A daemon thread that runs queued jobs (SQLite and the single-machine app)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                worked = run_worker_once(database, heartbeat_s=heartbeat_s)
            except Exception:  # a database hiccup must not kill the worker thread
                worked = False
            if not worked:
                stop.wait(poll_s)

    thread = threading.Thread(target=loop, daemon=True, name="planning-worker")
    thread.start()
    return WorkerHandle(thread=thread, stop_event=stop)


def reap_dead_jobs(database: Database, stale_after_s: float = STALE_AFTER_S) -> list[str]:
    """Fail running jobs whose heartbeat is older than stale_after_s, and their plans' running phases."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    with _queue(database) as queue:
        stale = queue.stale_jobs(cutoff)
    reaped = []
    for job in stale:
        message = (
            f"the background run stopped responding (no heartbeat for {stale_after_s:g} s); "
            "the last good plan is unchanged and it can be run again"
        )
        with _queue(database) as queue:
            if not queue.fail_if_stale(job.job_id, cutoff, message):
                continue
        _fail_running_phases(database, job.tenant, job.planning_flow_id, message)
        reaped.append(job.job_id)
    return reaped


def _fail_running_phases(
    database: Database, tenant: TenantContext, planning_flow_id: str, message: str
) -> None:
    service = PlanningService(database, tenant)
    plan = service.get_plan(planning_flow_id)
    for phase, status in plan.phase_statuses.items():
        if status == PhaseStatus.RUNNING:
            service._mark_failed(planning_flow_id, phase, message)
