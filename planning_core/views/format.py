"""Shared formatting of the dashboard: money, compact amounts, inert text, phase labels and colours.

Pure (no pandas, no plotly): every page module formats through these.
"""

from __future__ import annotations

import html
from decimal import Decimal

from planning_core.domain import PHASE_LABELS, Phase, PhaseStatus, money

__all__ = [
    "ACTIVITY_COLORS",
    "COST_CATEGORY_COLORS",
    "CRITICALITY_COLORS",
    "CRITICAL_COLOR",
    "PHASE_SHORT_LABELS",
    "STATUS_COLORS",
    "STATUS_ICONS",
    "compact_money",
    "money",
    "plain",
]

# The progress strip is narrow: the phase names of domain.PHASE_LABELS, with the long
# "Timeline generation" shortened to the page's own name, "Timeline".
PHASE_SHORT_LABELS: dict[Phase, str] = {**PHASE_LABELS, Phase.TIMELINE_GENERATION: "Timeline"}

STATUS_ICONS: dict[PhaseStatus, str] = {
    PhaseStatus.PENDING: ":material/radio_button_unchecked:",
    PhaseStatus.RUNNING: ":material/progress_activity:",
    PhaseStatus.COMPLETED: ":material/check_circle:",
    PhaseStatus.FAILED: ":material/error:",
    PhaseStatus.STALE: ":material/update:",
}

STATUS_COLORS: dict[PhaseStatus, str] = {
    PhaseStatus.PENDING: "gray",
    PhaseStatus.RUNNING: "blue",
    PhaseStatus.COMPLETED: "green",
    PhaseStatus.FAILED: "red",
    PhaseStatus.STALE: "orange",
}

CRITICALITY_COLORS = {"low": "gray", "medium": "blue", "high": "orange", "critical": "red"}
ACTIVITY_COLORS = {
    "plan": "#8DA0CB",
    "migrate": "#1F77B4",
    "test": "#66C2A5",
    "cutover": "#FC8D62",
    "cut_over": "#FC8D62",
    "hypercare": "#B3B3B3",
}
CRITICAL_COLOR = "#D62728"
COST_CATEGORY_COLORS = {
    "labour": "#1F77B4",
    "one_off": "#9467BD",
    "dual_running": "#FF7F0E",
    "data_transfer": "#17BECF",
}


def compact_money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """A short amount for cards: 'USD 1.23M', 'USD 45.6K', 'USD 950' (no currency: '1.23M')."""
    value = float(amount)
    for limit, suffix, digits in ((1e9, "B", 2), (1e6, "M", 2), (1e3, "K", 1)):
        if abs(value) >= limit:
            return f"{currency} {value / limit:,.{digits}f}{suffix}".strip()
    return f"{currency} {value:,.0f}".strip()


def plain(text: object) -> str:
    """User text made inert for plotly labels (which understand a little HTML)."""
    return html.escape(str(text), quote=True)
