"""Concurrency on Postgres: 8 editors x 100 edits on one plan; every edit stored or refused, none lost."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from db.session import Database
from planning_core.errors import StaleWriteError
from planning_core.plan import PlanDocument
from planning_core.service.flow import PlanningService
from tests.conftest import make_tenant
from tests.security.helpers import FAST_CONFIG, app_ids, tiny_portfolio

pytestmark = pytest.mark.postgres

EDITORS = 8
EDITS_PER_EDITOR = 100


def _editor(
    service: PlanningService, plan_id: str, editor: int, outcomes: Counter[str], lock: threading.Lock
) -> None:
    """Rename the plan EDITS_PER_EDITOR times from the version last seen; reload after a conflict."""
    version = service.get_plan(plan_id).version
    for edit in range(EDITS_PER_EDITOR):
        try:
            plan = service.update(
                planning_flow_id=plan_id,
                expected_version=version,
                name=f"editor {editor} edit {edit}",
                recompute=False,
            )
            version, outcome = plan.version, "stored"
        except StaleWriteError:
            outcome = "conflict"  # reload the version cheaply (list_plans reads no documents)
            version = next(p.version for p in service.list_plans() if p.planning_flow_id == plan_id)
        with lock:
            outcomes[outcome] += 1


def test_eight_editors_lose_no_edit(app_role_database: Database, capsys) -> None:
    database = app_role_database
    tenant = make_tenant(database, "concurrency")
    service = PlanningService(database, tenant)
    service.import_portfolio(tiny_portfolio())
    # a small plan (one resource pool, phases not run) keeps each edit cheap: the race is what is tested
    config = {**FAST_CONFIG, "resource_pools": [{"role": "migration_engineer", "headcount": 2}]}
    start = service.initialize(selected_application_ids=app_ids(tiny_portfolio()), config=config, run=False)
    revisions_before = len(service.revisions(start.planning_flow_id))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    editors = [
        threading.Thread(
            target=_editor,
            args=(PlanningService(database, tenant), start.planning_flow_id, e, outcomes, lock),
        )
        for e in range(EDITORS)
    ]
    began = time.perf_counter()
    for thread in editors:
        thread.start()
    for thread in editors:
        thread.join()
    seconds = time.perf_counter() - began
    final = service.get_plan(start.planning_flow_id)
    history = service.revisions(start.planning_flow_id)
    renames = [r for r in history if r.action == "update"]
    with capsys.disabled():
        print(
            f"\nConcurrency: {EDITORS} editors x {EDITS_PER_EDITOR} edits in {seconds:.1f} s: "
            f"stored={outcomes['stored']}, conflicts={outcomes['conflict']}, lost=0 "
            f"(final version {final.version}, {len(renames)} rename revisions)"
        )
    assert outcomes["stored"] + outcomes["conflict"] == EDITORS * EDITS_PER_EDITOR
    assert outcomes["stored"] >= EDITORS  # every editor got through at least once in practice
    # none lost: each stored edit is one version increment and one revision, chained on its predecessor
    assert (final.version - start.version, len(history) - revisions_before, len(renames)) == (
        outcomes["stored"],
        outcomes["stored"],
        outcomes["stored"],
    )
    names = [start.name] + [r.changes["name"]["new"] for r in renames]
    assert [r.changes["name"]["previous"] for r in renames] == names[:-1]
    assert [r.revision for r in history] == list(
        range(history[0].revision, history[0].revision + len(history))
    )
    assert final.name == names[-1]
    assert PlanDocument.model_validate(final.model_dump()) == final
