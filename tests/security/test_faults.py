"""Fault injection on Postgres: kill -9 the process running the flow inside each phase, then restart.

After each kill the plan is readable, the relational rows match its documents (no torn rows), and the
flow re-runs to completion. Each kill hits a forked child process (running flow_worker.main, which
hangs at a chosen point); the six children run side by side to keep the suite fast.
"""

from __future__ import annotations

import os
import select
import signal
import time

import pytest

from db.session import Database
from planning_core.domain import Phase, PhaseStatus, TenantContext
from planning_core.service.flow import PlanningService
from tests.conftest import make_tenant
from tests.security import flow_worker
from tests.security.helpers import FAST_CONFIG, app_ids, relational_mismatches, tiny_portfolio

pytestmark = pytest.mark.postgres

STARTUP_TIMEOUT_S = 90
RUNNABLE = [
    Phase.WAVE_PLANNING,
    Phase.RESOURCE_ALLOCATION,
    Phase.TIMELINE_GENERATION,
    Phase.COST_ESTIMATION,
    Phase.SYNTHESIS,
]
POINTS = [f"engine:{p.value}" for p in RUNNABLE] + ["commit:timeline_generation"]


def _start(database: Database, tenant: TenantContext, plan_id: str, point: str) -> tuple[int, int]:
    """Fork a process that runs the plan's flow and hangs at `point`; returns (pid, read end of its pipe)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own engine, reports through the pipe; it never returns
        code = 1
        try:
            os.close(read_end)
            flow_worker.NOTIFY_FD = write_end
            flow_worker.main(
                database.owner_url, database.app_role or "", tenant.model_dump_json(), plan_id, point
            )
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _wait_for(read_end: int, deadline: float) -> str:
    """The first line the child reports (HANG ...), or '' at the deadline or when its pipe closes."""
    buffer = b""
    while time.monotonic() < deadline and not buffer.endswith(b"\n"):
        ready, _, _ = select.select([read_end], [], [], 0.5)
        if ready:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            buffer += chunk
    return buffer.decode().strip()


def _expected_statuses(point: str) -> dict[Phase, PhaseStatus]:
    """After a kill: earlier phases completed, the killed phase running, later ones pending."""
    phase = Phase(point.split(":", 1)[1])
    index = RUNNABLE.index(phase)
    statuses = {p: PhaseStatus.COMPLETED for p in RUNNABLE[:index]}
    statuses[phase] = PhaseStatus.RUNNING
    statuses.update({p: PhaseStatus.PENDING for p in RUNNABLE[index + 1 :]})
    statuses[Phase.COMPLETED] = PhaseStatus.PENDING
    return statuses


def test_kill_9_in_every_phase_leaves_a_readable_rerunnable_plan(app_role_database: Database, capsys) -> None:
    database = app_role_database
    tenant = make_tenant(database, "faults")
    service = PlanningService(database, tenant)
    service.import_portfolio(tiny_portfolio())
    plans = {
        point: service.initialize(
            selected_application_ids=app_ids(tiny_portfolio()), config=FAST_CONFIG, name=point, run=False
        ).planning_flow_id
        for point in POINTS
    }
    children = {point: _start(database, tenant, plans[point], point) for point in POINTS}
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    reached, statuses = {}, {}
    for point, (pid, read_end) in children.items():
        reached[point] = _wait_for(read_end, deadline)
        os.kill(pid, signal.SIGKILL)
        statuses[point] = os.waitpid(pid, 0)[1]
        os.close(read_end)
    assert reached == {point: f"HANG {point}" for point in POINTS}
    assert {p: os.WTERMSIG(status) for p, status in statuses.items()} == {p: signal.SIGKILL for p in POINTS}

    after_kill = {point: service.get_plan(plans[point]) for point in POINTS}
    assert {p: plan.phase_statuses for p, plan in after_kill.items()} == {
        p: _expected_statuses(p) for p in POINTS
    }
    killed_at_commit = after_kill["commit:timeline_generation"]
    assert (killed_at_commit.timeline, killed_at_commit.resource_allocation is not None) == (None, True)
    torn = {p: relational_mismatches(database, tenant, plans[p]) for p in POINTS}
    assert torn == {p: [] for p in POINTS}

    rerun = {point: service.run_all(plans[point]) for point in POINTS}
    assert {p: (plan.current_phase, plan.phase_status) for p, plan in rerun.items()} == {
        p: (Phase.COMPLETED, PhaseStatus.COMPLETED) for p in POINTS
    }
    assert {p: relational_mismatches(database, tenant, plans[p]) for p in POINTS} == {p: [] for p in POINTS}
    waves = {p: plan.wave_plan.wave_of() for p, plan in rerun.items()}
    assert all(w == waves[POINTS[0]] for w in waves.values())
    with capsys.disabled():
        print(
            f"\nFault injection: {len(POINTS)} kill -9 ({', '.join(POINTS)}); torn plans=0, re-run completed={len(rerun)}"
        )
