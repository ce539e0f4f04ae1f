"""The summary page: executive-summary cards, findings and the revision history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planning_core.engines.synthesis.models import Synthesis
from planning_core.views.format import compact_money, money


@dataclass(frozen=True)
class SummaryCard:
    """One executive-summary figure."""

    label: str
    value: str
    help: str = ""


def summary_cards(synthesis: Synthesis) -> list[SummaryCard]:
    """The executive summary as cards: applications, waves, duration, cost, effort, skill gaps."""
    s = synthesis.executive_summary
    return [
        SummaryCard(
            "Applications",
            f"{s.total_applications:,}",
            f"{s.migrated_applications:,} migrate, {s.not_migrated_applications:,} retire or retain",
        ),
        SummaryCard("Waves", f"{s.total_waves}", f"lower bound {s.lower_bound_waves}, gap {s.wave_gap}"),
        SummaryCard("Duration", f"{s.total_duration_days:,} days", f"{s.start_date} → {s.end_date}"),
        SummaryCard(
            f"Total cost ({s.currency})", compact_money(s.total_cost, ""), money(s.total_cost, s.currency)
        ),
        SummaryCard("Effort", f"{s.total_effort_hours:,.0f} h", "migration effort of migrated applications"),
        SummaryCard("Skill gaps", f"{s.skill_gaps_identified}", "skills no resource pool has"),
    ]


def findings_frame(findings: Iterable[Any]) -> pd.DataFrame:
    """Risks or recommendations as a table, most severe first."""
    order = {"high": 0, "medium": 1, "low": 2}
    rows = sorted(
        (
            {"severity": f.severity, "title": f.title, "detail": f.detail, "metric": f.metric}
            for f in findings
        ),
        key=lambda r: order.get(r["severity"], 3),
    )
    return pd.DataFrame(rows, columns=["severity", "title", "detail", "metric"])


def revisions_frame(revisions: Iterable[Any]) -> pd.DataFrame:
    """Plan revisions (newest first): number, action, summary, who and when."""
    rows = []
    for rev in revisions:
        get = rev.get if isinstance(rev, dict) else lambda k, r=rev: getattr(r, k, None)
        rows.append(
            {
                "revision": get("revision"),
                "action": get("action"),
                "summary": get("summary"),
                "by": get("created_by"),
                "at": get("created_at"),
            }
        )
    frame = pd.DataFrame(rows, columns=["revision", "action", "summary", "by", "at"])
    return frame.sort_values("revision", ascending=False, ignore_index=True) if not frame.empty else frame
