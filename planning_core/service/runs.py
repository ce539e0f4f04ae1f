"""Background runs of a plan's phases, and tenant memory.

A run is queued by the service (`PlanningService.request_run`, through `planning_core.service.queue`):
a planning_jobs row, the tenant's record of the run (status, progress, heartbeat, error), and on
Postgres a procrastinate task deferred in the same transaction (`db.jobs.defer_run`).

Who runs it:
- Postgres: procrastinate workers, on this machine or others (`planning-flow worker`, which calls
  `run_task_worker`), or the app's in-process worker thread (`start_inprocess_worker` runs a
  procrastinate worker there). The task takes the planning job by id and runs the plan.
- SQLite (the embedded mode): one in-process worker thread claims queued planning_jobs rows.

A running job keeps a heartbeat on its job row and, like a CLI run, on its plan. A database fault
during a run puts the job back in the queue once and retries it (procrastinate's retry on Postgres,
the next poll on SQLite); a second fault fails it. A worker that dies leaves a running job whose
heartbeat goes stale: `reap_dead_jobs` (a periodic procrastinate task on Postgres, the app's start on
SQLite) marks it failed and the plan's running phase failed; the plan's last good documents are
untouched and it can be queued again (or resumed).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

import procrastinate
from procrastinate.worker import Worker

from db.jobs import RUN_TASK, TASK_QUEUE, JobInfo, JobQueue
from db.session import Database, DatabaseUnavailable
from db.types import utcnow
from planning_core.domain import Phase, PhaseStatus, TenantContext
from planning_core.service.flow import PlanningService
from planning_core.service.heartbeat import Heartbeat
from planning_core.service.memory import memory_context, record_learning, wizard_defaults
from planning_core.service.queue import enqueue_run, job_status, latest_job

HEARTBEAT_INTERVAL_S = 5.0
STALE_AFTER_S = 60.0
POLL_INTERVAL_S = 1.0
MAX_ATTEMPTS = 2  # a run that hits a database fault is tried once more
REAP_TASK = "planning.reap_dead_jobs"


__all__ = [
    "JobInfo",
    "enqueue_run",
    "job_status",
    "latest_job",
    "memory_context",
    "reap_dead_jobs",
    "record_learning",
    "run_task_worker",
    "run_worker_once",
    "start_inprocess_worker",
    "task_app",
    "wizard_defaults",
]


def worker_name() -> str:
    """host:pid:thread, so an operator can tell which worker holds a job."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _queue(database: Database) -> AbstractContextManager[JobQueue]:
    """One worker transaction over every tenant's jobs."""
    return database.job_queue()


def _progress(database: Database, job_id: str) -> Callable[[Phase, str], None]:
    def report(phase: Phase, message: str) -> None:
        with _queue(database) as queue:
            queue.set_progress(job_id, message)

    return report


def _beat(database: Database, job_id: str) -> bool:
    with _queue(database) as queue:
        return queue.heartbeat(job_id)


def _run_claimed(database: Database, job: JobInfo, heartbeat_s: float) -> None:
    """Run a claimed job's plan to the end and close the job as done or failed.

    DatabaseUnavailable is raised after putting the job back in the queue, when it has an attempt left
    (the caller retries it); on its last attempt the job is failed with the fault's one-line reason.
    """
    service = PlanningService(database, job.tenant)
    try:
        with Heartbeat(
            lambda: _beat(database, job.job_id), heartbeat_s, name=f"job-heartbeat-{job.job_id[:8]}"
        ):
            plan = service.run_all(job.planning_flow_id, progress=_progress(database, job.job_id))
    except DatabaseUnavailable as error:
        if job.attempts < MAX_ATTEMPTS:
            with _queue(database) as queue:
                queue.requeue(job.job_id, f"Retrying after a database fault: {error}")
            raise
        with _queue(database) as queue:
            queue.finish(
                job.job_id, status="failed", progress="Failed", error=f"DatabaseUnavailable: {error}"
            )
        return
    except Exception as error:  # the service already marked the phase failed; the job records why
        with _queue(database) as queue:
            queue.finish(
                job.job_id, status="failed", progress="Failed", error=f"{type(error).__name__}: {error}"
            )
        return
    done = (
        "Plan completed" if plan.current_phase == Phase.COMPLETED else "Plan computed; completion is blocked"
    )
    with _queue(database) as queue:
        queue.finish(job.job_id, status="done", progress=done)


def run_job(database: Database, job_id: str, *, heartbeat_s: float = HEARTBEAT_INTERVAL_S) -> bool:
    """Take one queued job by id and run it (the procrastinate task); False if it was not queued."""
    with _queue(database) as queue:
        job = queue.claim_job(job_id, worker_name())
    if job is None:
        return False
    _run_claimed(database, job, heartbeat_s)
    return True


# ----------------------------------------------------------------------------- Postgres: procrastinate
def _conninfo(database: Database) -> str:
    """The libpq connection string of the database's app login (procrastinate's psycopg pool)."""
    return database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def task_app(
    database: Database, *, heartbeat_s: float = HEARTBEAT_INTERVAL_S, ran: list[str] | None = None
) -> procrastinate.App:
    """The procrastinate app of a Postgres database: the run task (retried once after a database
    fault) and a reaper of dead runs every minute. `ran` collects the ids of the jobs it ran."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=_conninfo(database), min_size=1, max_size=4)
    )
    retry = procrastinate.RetryStrategy(
        max_attempts=MAX_ATTEMPTS - 1, wait=1, retry_exceptions={DatabaseUnavailable}
    )

    @app.task(name=RUN_TASK, queue=TASK_QUEUE, retry=retry)
    def run_plan(job_id: str) -> None:
        if run_job(database, job_id, heartbeat_s=heartbeat_s) and ran is not None:
            ran.append(job_id)

    @app.periodic(cron="* * * * *", periodic_id="reaper")
    @app.task(name=REAP_TASK, queue=TASK_QUEUE)
    def reap(timestamp: int) -> None:
        reap_dead_jobs(database)

    return app


def _worker(app: procrastinate.App, *, wait: bool, signals: bool = False, concurrency: int = 1) -> Worker:
    return Worker(
        app=app,
        queues=[TASK_QUEUE],
        name=f"planning-{socket.gethostname()}-{os.getpid()}",
        concurrency=concurrency,
        wait=wait,
        install_signal_handlers=signals,
        fetch_job_polling_interval=POLL_INTERVAL_S,
        delete_jobs="successful",
    )


async def _run_worker(app: procrastinate.App, worker: Worker) -> None:
    async with app.open_async():
        await worker.run()


def run_task_worker(database: Database, *, concurrency: int = 1) -> None:
    """Run a procrastinate worker in the foreground until SIGINT/SIGTERM (`planning-flow worker`)."""
    app = task_app(database)
    asyncio.run(_run_worker(app, _worker(app, wait=True, signals=True, concurrency=concurrency)))


# ----------------------------------------------------------------------------- both databases
def run_worker_once(database: Database, *, heartbeat_s: float = HEARTBEAT_INTERVAL_S) -> bool:
    """Run what is queued: on SQLite one job, on Postgres every job procrastinate has ready; False
    when there was nothing to run."""
    if database.dialect == "postgresql":
        ran: list[str] = []
        app = task_app(database, heartbeat_s=heartbeat_s, ran=ran)
        asyncio.run(_run_worker(app, _worker(app, wait=False)))
        return bool(ran)
    with _queue(database) as queue:
        job = queue.claim(worker_name())
    if job is None:
        return False
    try:
        _run_claimed(database, job, heartbeat_s)
    except DatabaseUnavailable:
        pass  # queued again: the next poll retries it
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
    """A daemon thread that runs queued jobs for the app: on SQLite it polls planning_jobs, on Postgres
    it is a procrastinate worker (other machines may run more: `planning-flow worker`)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                worked = run_worker_once(database, heartbeat_s=heartbeat_s)
            except Exception:  # a database hiccup must not kill the worker thread
                worked = False
            if not worked:
                stop.wait(poll_s)

    def procrastinate_loop() -> None:
        app = task_app(database, heartbeat_s=heartbeat_s)
        worker = _worker(app, wait=True)

        async def run() -> None:
            async with app.open_async():
                task = asyncio.create_task(worker.run())
                while not stop.is_set() and not task.done():
                    await asyncio.sleep(poll_s)
                worker.stop()
                await task

        while not stop.is_set():
            try:
                asyncio.run(run())
            except Exception:  # the database went away: start again after a pause
                stop.wait(poll_s)

    target = procrastinate_loop if database.dialect == "postgresql" else loop
    thread = threading.Thread(target=target, daemon=True, name="planning-worker")
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
