"""The phase progress strip, failed phases and constraint violations (shown on every page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from planning_core.domain import PHASE_ORDER, Phase, PhaseStatus
from planning_core.engines.waves.models import Violation
from planning_core.plan import PlanDocument
from planning_core.views.format import PHASE_SHORT_LABELS, STATUS_COLORS, STATUS_ICONS


@dataclass(frozen=True)
class PhaseStep:
    """One phase of the progress strip."""

    phase: Phase
    label: str
    status: PhaseStatus
    icon: str
    color: str
    current: bool


def phase_strip(plan: PlanDocument | None) -> list[PhaseStep]:
    """The six phases with their status (all pending without a plan)."""
    steps = []
    for phase in PHASE_ORDER:
        status = plan.phase_statuses.get(phase, PhaseStatus.PENDING) if plan else PhaseStatus.PENDING
        steps.append(
            PhaseStep(
                phase=phase,
                label=PHASE_SHORT_LABELS[phase],
                status=status,
                icon=STATUS_ICONS[status],
                color=STATUS_COLORS[status],
                current=plan is not None and plan.current_phase == phase,
            )
        )
    return steps


def hard_violations(plan: PlanDocument | None) -> list[Violation]:
    """The unresolved hard violations stored with the plan's wave plan."""
    if plan is None or plan.wave_plan is None:
        return []
    return [v for v in plan.wave_plan.violations if v.hard]


def failed_phases(plan: PlanDocument | None) -> list[str]:
    """Labels of phases whose last run failed."""
    if plan is None:
        return []
    return [PHASE_SHORT_LABELS[p] for p, s in plan.phase_statuses.items() if s == PhaseStatus.FAILED]


def violations_frame(violations: Iterable[Violation]) -> pd.DataFrame:
    """Violations as a table: constraint, hard/soft, message, waves and applications involved."""
    rows = [
        {
            "constraint": v.constraint,
            "severity": "hard" if v.hard else "soft",
            "message": v.message,
            "waves": ", ".join(str(w) for w in v.wave_numbers),
            "applications": ", ".join(v.application_ids[:20]) + (" …" if len(v.application_ids) > 20 else ""),
        }
        for v in violations
    ]
    return pd.DataFrame(rows, columns=["constraint", "severity", "message", "waves", "applications"])
