"""Tenant memory: what completed plans of an engagement taught, for the wizard's defaults and the agents.

Imports the database layer, not crewai and not the flow service (the service may import this module).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from statistics import mean
from typing import Any

from db.memory import MemoryRepository
from db.session import Database
from planning_core.agents.sanitize import clean_text
from planning_core.domain import TenantContext
from planning_core.engines.resources.models import AllocationSource
from planning_core.engines.waves.models import Source
from planning_core.plan import PlanDocument

MEMORY_MAX_CHARS = 1000
WIZARD_KEYS = ("max_apps_per_wave", "wave_duration_limit_days", "contingency_percentage")


@contextmanager
def _jobs(database: Database, tenant: TenantContext) -> Iterator[MemoryRepository]:
    with database.unit_of_work(tenant) as repo:
        yield repo.memory


def learning_of(plan: PlanDocument) -> dict[str, Any]:
    """What a completed plan teaches: settings used, wave sizes, analyst edits, advice accepted/rejected."""
    config = plan.planning_config
    sizes = [len(w.applications) for w in plan.wave_plan.waves] if plan.wave_plan else []
    assignments = [a for w in plan.wave_plan.waves for a in w.applications] if plan.wave_plan else []
    rows = plan.resource_allocation.allocations if plan.resource_allocation else []
    rejected = [r for run in plan.agent_execution_log for r in run.rejected]
    return {
        "planning_flow_id": plan.planning_flow_id,
        "max_apps_per_wave": config.max_apps_per_wave,
        "wave_duration_limit_days": config.wave_duration_limit_days,
        "contingency_percentage": config.contingency_percentage,
        "waves": len(sizes),
        "average_wave_size": round(mean(sizes), 1) if sizes else 0.0,
        "largest_wave": max(sizes, default=0),
        "analyst_moves": sum(a.source == Source.ANALYST for a in assignments),
        "agent_moves": sum(a.source == Source.AGENT for a in assignments),
        "manual_allocations": sum(r.source == AllocationSource.MANUAL for r in rows),
        "advice_accepted": sum(len(run.accepted) for run in plan.agent_execution_log),
        "advice_rejected": len(rejected),
        "rejected_reasons": [clean_text(r.get("reason", ""), 200) for r in rejected[:5]],
    }


def record_learning(database: Database, tenant: TenantContext, plan: PlanDocument) -> dict[str, Any]:
    """Store what a completed plan taught about its engagement; returns the stored record."""
    data = learning_of(plan)
    with _jobs(database, tenant) as jobs:
        jobs.add_learning(planning_flow_id=plan.planning_flow_id, revision=plan.revision, data=data)
    return data


def wizard_defaults(database: Database, tenant: TenantContext) -> dict[str, Any]:
    """Planning settings the engagement's last completed plan used ({} when there is none)."""
    with _jobs(database, tenant) as jobs:
        latest = jobs.learnings(limit=1)
    if not latest:
        return {}
    last = latest[0]
    return {
        key: last[key] for key in ("max_apps_per_wave", "wave_duration_limit_days", "contingency_percentage")
    }


def memory_context(database: Database, tenant: TenantContext) -> str:
    """A short, plain-text account of earlier plans of this engagement, for the specialists."""
    with _jobs(database, tenant) as jobs:
        recent = jobs.learnings(limit=3)
    if not recent:
        return ""
    parts = []
    for item in recent:
        parts.append(
            f"a plan used {item['waves']} waves of at most {item['max_apps_per_wave']} applications "
            f"(average {item['average_wave_size']}); analysts moved {item['analyst_moves']} applications; "
            f"{item['advice_accepted']} proposals accepted, {item['advice_rejected']} rejected"
            + (f" (for example: {item['rejected_reasons'][0]})" if item["rejected_reasons"] else "")
        )
    return clean_text("; ".join(parts) + ".", MEMORY_MAX_CHARS)
