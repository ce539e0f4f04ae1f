"""Run a plan's whole flow in this process and hang at a chosen point, so a test can kill -9 it there.

    python tests/security/flow_worker.py URL APP_ROLE TENANT_JSON PLAN_ID engine:<phase>
    python tests/security/flow_worker.py URL APP_ROLE TENANT_JSON PLAN_ID commit:<phase>

engine:<phase> hangs inside that phase's engine (the phase is marked running, nothing else written);
commit:<phase> hangs after the phase's document and relational rows were written but before commit.
Prints "HANG <point>" when it hangs. Test-only: production code has no hook.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from db import plans  # noqa: E402
from db.session import Database  # noqa: E402
from planning_core.domain import Phase, PhaseStatus, TenantContext  # noqa: E402
from planning_core.service import flow as service_module  # noqa: E402
from planning_core.service import store as store_module  # noqa: E402  (where the engines are called)

HANG_SECONDS = 120
NOTIFY_FD = 1  # where "HANG <point>" is written (a forked child sets its pipe here)


def _hang(point: str) -> None:
    os.write(NOTIFY_FD, f"HANG {point}\n".encode())
    time.sleep(HANG_SECONDS)


def install(point: str) -> None:
    """Patch this process only: hang in the engine of a phase, or just before a phase's commit."""
    mode, phase_name = point.split(":", 1)
    target = Phase(phase_name)
    if mode == "engine":
        real_engine = store_module.run_engine

        def hanging_engine(plan, portfolio, phase):  # type: ignore[no-untyped-def]
            if phase == target:
                _hang(point)
            return real_engine(plan, portfolio, phase)

        store_module.run_engine = hanging_engine
        return
    real_save = plans.PlanRepository.save_plan

    def hanging_save(self, plan, *, expected_version, documents=None):  # type: ignore[no-untyped-def]
        saved = real_save(self, plan, expected_version=expected_version, documents=documents)
        if plan.phase_statuses.get(target) == PhaseStatus.COMPLETED and documents != ():
            self.session.flush()
            _hang(point)
        return saved

    plans.PlanRepository.save_plan = hanging_save


def main(url: str, app_role: str, tenant_json: str, plan_id: str, point: str) -> None:
    install(point)
    database = Database(url, app_role=app_role or None)
    tenant = TenantContext.model_validate_json(tenant_json)
    service_module.PlanningService(database, tenant).run_all(plan_id)
    os.write(NOTIFY_FD, b"DONE\n")


if __name__ == "__main__":
    main(*sys.argv[1:6])
