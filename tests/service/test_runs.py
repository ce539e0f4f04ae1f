"""Background runs on the job queue (SQLite and Postgres): claim, progress, failure, a killed worker, memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from db.jobs import JobQueue
from db.session import Database
from planning_core.domain import Application, Dependency, Phase, PhaseStatus, Portfolio, TenantContext
from planning_core.errors import NotFound
from planning_core.service.flow import PlanningService
from planning_core.service.runs import (
    enqueue_run,
    job_status,
    latest_job,
    memory_context,
    reap_dead_jobs,
    run_worker_once,
    start_inprocess_worker,
    wizard_defaults,
)

REPO = Path(__file__).resolve().parents[2]
CONFIG = {
    "max_apps_per_wave": 2,
    "max_effort_hours_per_wave": 60,
    "pilot_wave": False,
    "solver_time_limit_seconds": 2,
}
WAVES = [["crm"], ["billing", "hr"], ["portal", "mail"]]


def new_plan(database: Database, tenant: TenantContext, **config: object) -> str:
    """Import the five-application portfolio and create a plan (not run)."""
    efforts = [("crm", 40), ("billing", 30), ("portal", 20), ("hr", 10), ("mail", 10)]
    service = PlanningService(database, tenant)
    service.import_portfolio(
        Portfolio(
            applications=[Application(application_id=i, name=f"App {i}", effort_hours=e) for i, e in efforts],
            dependencies=[Dependency(source_application_id="crm", target_application_id="billing")],
        )
    )
    plan = service.initialize(
        selected_application_ids=[i for i, _ in efforts], config={**CONFIG, **config}, run=False
    )
    return plan.planning_flow_id


def waves_of(plan) -> list[list[str]]:  # noqa: ANN001
    return [[a.application_id for a in w.applications] for w in plan.wave_plan.waves]


def drain(database: Database) -> None:
    """Run every queued job (other tests' leftovers must not be picked up by the next assertion)."""
    while run_worker_once(database, heartbeat_s=0.2):
        pass


def test_enqueue_is_idempotent_and_scoped_by_tenant(database, tenant, other_tenant) -> None:  # noqa: ANN001
    drain(database)
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    assert enqueue_run(database, tenant, flow) == job
    status = job_status(database, tenant, job)
    assert (status.status, status.progress, status.attempts, status.planning_flow_id) == (
        "queued",
        "Queued",
        0,
        flow,
    )
    with pytest.raises(NotFound, match=f"Background run {job} does not exist in this engagement."):
        job_status(database, other_tenant, job)
    with pytest.raises(NotFound):
        enqueue_run(database, other_tenant, flow)
    drain(database)


def test_worker_runs_the_plan_to_completion_and_learns(database, tenant) -> None:  # noqa: ANN001
    drain(database)
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    assert run_worker_once(database, heartbeat_s=0.2) is True
    assert run_worker_once(database, heartbeat_s=0.2) is False
    status = job_status(database, tenant, job)
    assert (status.status, status.progress, status.error, status.attempts) == (
        "done",
        "Plan completed",
        "",
        1,
    )
    plan = PlanningService(database, tenant).get_plan(flow)
    assert (plan.current_phase, plan.phase_status) == (Phase.COMPLETED, PhaseStatus.COMPLETED)
    assert waves_of(plan) == WAVES
    assert wizard_defaults(database, tenant) == {
        "max_apps_per_wave": 2,
        "wave_duration_limit_days": 90,
        "contingency_percentage": 15.0,
    }
    assert memory_context(database, tenant) == (
        "a plan used 3 waves of at most 2 applications (average 1.7); analysts moved 0 applications; "
        "0 proposals accepted, 0 rejected."
    )


def test_no_learning_means_no_defaults(database, tenant) -> None:  # noqa: ANN001
    assert (wizard_defaults(database, tenant), memory_context(database, tenant)) == ({}, "")


def test_failing_phase_fails_the_job_with_its_reason(database, tenant) -> None:  # noqa: ANN001
    drain(database)
    flow = new_plan(database, tenant, resource_pools=[])
    job = enqueue_run(database, tenant, flow)
    assert run_worker_once(database, heartbeat_s=0.2) is True
    status = job_status(database, tenant, job)
    assert (status.status, status.error) == (
        "failed",
        "InvalidInput: no resource pools are configured: add at least one role pool before allocating",
    )
    plan = PlanningService(database, tenant).get_plan(flow)
    assert plan.phase_statuses[Phase.RESOURCE_ALLOCATION] == PhaseStatus.FAILED
    assert waves_of(plan) == WAVES


def test_a_claimed_job_is_not_claimed_twice(database, tenant) -> None:  # noqa: ANN001
    drain(database)
    job = enqueue_run(database, tenant, new_plan(database, tenant))
    with Session(database.engine) as first, first.begin():
        claimed = JobQueue(first).claim("worker-a")
        assert claimed is not None and claimed.job_id == job
    with Session(database.engine) as again, again.begin():
        assert JobQueue(again).claim_job(job, "worker-b") is None  # procrastinate's way: by id
        assert JobQueue(again).claim("worker-c") is None
    assert job_status(database, tenant, job).worker == "worker-a"
    reap_dead_jobs(database, stale_after_s=0.0)


def test_inprocess_worker_runs_queued_jobs(database, tenant) -> None:  # noqa: ANN001
    drain(database)
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    worker = start_inprocess_worker(database, poll_s=0.05, heartbeat_s=0.2)
    try:
        deadline = time.monotonic() + 60
        while (
            job_status(database, tenant, job).status in ("queued", "running") and time.monotonic() < deadline
        ):
            time.sleep(0.1)
    finally:
        worker.stop()
    assert job_status(database, tenant, job).status == "done"
    assert latest_job(database, tenant, flow).job_id == job


STALLING_WORKER = textwrap.dedent(
    """
    import sys, time
    from planning_core.domain import Phase
    from planning_core.service import phases

    def stall(plan, portfolio):
        time.sleep(600)

    phases.RUNNERS[Phase.RESOURCE_ALLOCATION] = stall  # the worker hangs mid-run, then gets SIGKILL
    from db.session import Database
    from planning_core.service.runs import run_worker_once

    run_worker_once(Database(sys.argv[1]), heartbeat_s=0.2)
    """
)


def _wait_for(predicate, timeout: float = 60.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_killed_worker_is_detected_by_its_heartbeat_and_the_plan_reruns(database, tenant, tmp_path) -> None:  # noqa: ANN001
    drain(database)
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    script = tmp_path / "stalling_worker.py"
    script.write_text(STALLING_WORKER)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    url = database.engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen([sys.executable, str(script), url], cwd=REPO, env=env)
    service = PlanningService(database, tenant)
    try:
        stalled = _wait_for(
            lambda: service.get_plan(flow).phase_statuses[Phase.RESOURCE_ALLOCATION] == PhaseStatus.RUNNING
        )
        assert stalled, "the worker never reached resource allocation"
        assert job_status(database, tenant, job).progress == "Resource allocation…"
        assert reap_dead_jobs(database, stale_after_s=60) == []  # alive: its heartbeat is fresh
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    time.sleep(0.8)
    assert reap_dead_jobs(database, stale_after_s=0.5) == [job]
    message = (
        "the background run stopped responding (no heartbeat for 0.5 s); "
        "the last good plan is unchanged and it can be run again"
    )
    status = job_status(database, tenant, job)
    assert (status.status, status.error) == ("failed", message)
    plan = service.get_plan(flow)
    assert plan.phase_statuses[Phase.WAVE_PLANNING] == PhaseStatus.COMPLETED
    assert plan.phase_statuses[Phase.RESOURCE_ALLOCATION] == PhaseStatus.FAILED
    assert (plan.current_phase, plan.phase_status) == (Phase.RESOURCE_ALLOCATION, PhaseStatus.FAILED)
    assert f"Resource allocation failed: {message}" in plan.warnings
    assert waves_of(plan) == WAVES and plan.resource_allocation is None
    rerun = enqueue_run(database, tenant, flow)
    assert rerun != job
    assert run_worker_once(database, heartbeat_s=0.2) is True
    assert job_status(database, tenant, rerun).status == "done"
    assert service.get_plan(flow).current_phase == Phase.COMPLETED


@pytest.mark.postgres
def test_queue_works_under_row_level_security(app_role_database) -> None:  # noqa: ANN001
    """As the app role (RLS on): a tenant sees only its jobs; the worker policy lets workers claim any."""
    from tests.conftest import make_tenant as make

    database = app_role_database
    drain(database)
    tenant, other = make(database, "rls-a"), make(database, "rls-b")
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    with Session(database.engine) as plain, plain.begin():  # no tenant, no worker flag: RLS shows nothing
        assert JobQueue(plain).claim("intruder") is None
    with pytest.raises(NotFound):
        job_status(database, other, job)
    assert run_worker_once(database, heartbeat_s=0.2) is True
    assert job_status(database, tenant, job).status == "done"
    assert wizard_defaults(database, other) == {}
    assert wizard_defaults(database, tenant)["max_apps_per_wave"] == 2


def _task_jobs(database: Database, job: str) -> list[tuple[str, str]]:
    """procrastinate's jobs (task name, status) for a planning job."""
    from sqlalchemy import text

    with database.owner_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT task_name, status::text FROM procrastinate_jobs WHERE args->>'job_id' = :job"),
            {"job": job},
        )
        return [(name, status) for name, status in rows]


@pytest.mark.postgres
def test_on_postgres_a_queued_run_is_a_procrastinate_task(app_role_database) -> None:  # noqa: ANN001
    """Queuing a run defers one procrastinate task in the same transaction; its worker runs it."""
    from tests.conftest import make_tenant as make

    database = app_role_database
    drain(database)
    tenant = make(database, "queue")
    flow = new_plan(database, tenant)
    job = enqueue_run(database, tenant, flow)
    assert enqueue_run(database, tenant, flow) == job  # the active job: no second task
    assert _task_jobs(database, job) == [("planning.run_plan", "todo")]
    assert run_worker_once(database, heartbeat_s=0.2) is True
    assert run_worker_once(database, heartbeat_s=0.2) is False
    assert (job_status(database, tenant, job).status, _task_jobs(database, job)) == ("done", [])


@pytest.mark.postgres
def test_planning_flow_worker_runs_queued_runs_in_its_own_process(app_role_database, tmp_path) -> None:  # noqa: ANN001
    """`planning-flow worker` (what other machines run) takes the queue and stops cleanly on SIGTERM."""
    from tests.conftest import APP_ROLE
    from tests.conftest import make_tenant as make

    database = app_role_database
    drain(database)
    tenant = make(database, "worker")
    flow = new_plan(database, tenant)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PLANNING_APP_DB_ROLE": APP_ROLE,
        "PLANNING_DATA_DIR": str(tmp_path),
    }
    url = database.owner_engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-m", "planning_core.cli", "worker", "--database-url", url],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        job = enqueue_run(database, tenant, flow)
        assert _wait_for(lambda: job_status(database, tenant, job).status == "done", timeout=120)
    finally:
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.splitlines() == ["worker database=postgresql started", "worker stopped"]
    assert PlanningService(database, tenant).get_plan(flow).current_phase == Phase.COMPLETED
