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


# The wave constraints in plain words (the engine's names stay in exports and the history).
CONSTRAINT_LABELS = {
    "capacity": "over the wave's effort capacity",
    "duplicate": "in two waves",
    "max_apps": "too many applications in a wave",
    "missing": "in no wave",
    "move_together": "group split across waves",
    "not_migrated": "retired or retained but in a wave",
    "pinned": "not in the wave it is pinned to",
    "precedence": "migrates before an application it depends on",
    "unknown": "not in the portfolio",
    "wave_number": "wave numbers out of order",
    "fixed_cutover": "fixed cut-over date cannot be met",
    "balance": "waves of uneven size",
}


def constraint_label(constraint: str) -> str:
    """A wave constraint's name in plain words."""
    return CONSTRAINT_LABELS.get(constraint, constraint.replace("_", " "))


def plain_issues(issues: str) -> str:
    """'precedence, max_apps' (a board row's issues) in plain words."""
    return "; ".join(constraint_label(i.strip()) for i in issues.split(",") if i.strip())


def plain_violations_frame(violations: Iterable[Violation]) -> pd.DataFrame:
    """The violations table with plain column names and rule names, as pages show it."""
    frame = violations_frame(violations)
    frame["constraint"] = frame["constraint"].map(constraint_label)
    return frame.rename(
        columns={
            "constraint": "Rule broken",
            "severity": "Blocks completion",
            "message": "Details",
            "waves": "Waves",
            "applications": "Applications",
        }
    ).assign(**{"Blocks completion": lambda f: f["Blocks completion"].map({"hard": "yes", "soft": "no"})})
