"""View models for the dashboard: tables, figures, badges and form checks, computed from plan documents.

Pure functions over the domain models (no streamlit here): the pages draw what these return. One module
per page (portfolio, config, board, resources, timeline, costs, summary), plus the phase strip (phases),
the downloads (exports) and the shared formatting (format). This package re-exports the names that the
shared ui/ components use as `views.<name>`; pages import the module of their page.
"""

from __future__ import annotations

from planning_core.views.board import (
    BoardEdit,
    EditHistory,
    WaveCard,
    board_edits,
    board_frame,
    filter_board,
    flagged_applications,
    quality_line,
    record_edit,
    redo_target,
    undo_target,
    wave_cards,
)
from planning_core.views.config import (
    FIELD_LABELS,
    blackouts_frame,
    config_errors,
    parse_dates,
    pool_records,
    pools_frame,
    records,
)
from planning_core.views.costs import (
    ContingencyEffect,
    contingency_effect,
    contingency_figure,
    cost_waterfall_figure,
)
from planning_core.views.exports import (
    available_exports,
    export_bytes,
    file_name,
)
from planning_core.views.format import (
    compact_money,
    money,
)
from planning_core.views.phases import (
    constraint_label,
    failed_phases,
    hard_violations,
    phase_strip,
    plain_issues,
    plain_violations_frame,
    violations_frame,
)
from planning_core.views.portfolio import (
    PortfolioFilter,
    SelectionSummary,
    dependencies_frame,
    filter_applications,
    page_count,
    page_slice,
    portfolio_frame,
    selection_summary,
)
from planning_core.views.timeline import (
    activities_frame,
    gantt_figure,
)

__all__ = [
    "BoardEdit",
    "ContingencyEffect",
    "EditHistory",
    "FIELD_LABELS",
    "PortfolioFilter",
    "SelectionSummary",
    "WaveCard",
    "activities_frame",
    "available_exports",
    "blackouts_frame",
    "board_edits",
    "board_frame",
    "compact_money",
    "config_errors",
    "constraint_label",
    "contingency_effect",
    "contingency_figure",
    "cost_waterfall_figure",
    "dependencies_frame",
    "export_bytes",
    "failed_phases",
    "file_name",
    "filter_applications",
    "filter_board",
    "flagged_applications",
    "gantt_figure",
    "hard_violations",
    "money",
    "page_count",
    "page_slice",
    "parse_dates",
    "phase_strip",
    "plain_issues",
    "plain_violations_frame",
    "pool_records",
    "pools_frame",
    "portfolio_frame",
    "quality_line",
    "record_edit",
    "records",
    "redo_target",
    "selection_summary",
    "undo_target",
    "violations_frame",
    "wave_cards",
]
