"""Importing a portfolio file: preview first (with its problems), then write in one transaction."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from planning_core import limits, views
from planning_core.errors import PlanningError
from ui import state
from ui.components import button, flash, run_action

PREVIEW_KEY = "import_preview"


FORMAT_LABELS = {
    None: "Detect automatically",
    "template": "Project template (CSV/XLSX)",
    "konveyor": "Konveyor application CSV",
    "azure_migrate": "Azure Migrate dependency export",
    "aws_mpa": "AWS MigOps / MPA inventory workbook",
    "cmf": "Cloud Migration Factory intake CSV",
}


def _preview(path: Path, fmt: str | None = None) -> Any:
    """The importer's preview when the import module exists, else the project template reader."""
    try:
        from planning_core.portfolio.importers import preview_import
    except ImportError:
        from planning_core.portfolio.models import ImportPreview
        from planning_core.portfolio.template import read_template

        return ImportPreview(format="template", portfolio=read_template(path))
    return preview_import(path, format=fmt)


def import_panel() -> None:
    """Upload → preview (counts, problems) → import. Nothing is written before the analyst confirms."""
    st.caption(
        "The project template: an .xlsx with sheets `applications` and `dependencies`, or the two CSV files "
        "zipped. Other formats (Konveyor, Azure Migrate, AWS MPA, CMF) are recognised when the importer knows them."
    )
    fmt = st.selectbox(
        "Format", list(FORMAT_LABELS), format_func=lambda f: FORMAT_LABELS[f], key="import_format"
    )
    upload = st.file_uploader("Portfolio file", type=["xlsx", "xlsm", "csv", "zip"], key="import_file")
    if upload is None:
        st.session_state.pop(PREVIEW_KEY, None)
        return
    if button("Preview the import", icon=":material/preview:", key="import_preview_button"):
        suffix = Path(upload.name).suffix or ".xlsx"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            try:
                limits.check_upload_size(upload.size, upload.name)
                path.write_bytes(upload.getvalue())
                st.session_state[PREVIEW_KEY] = _preview(path, fmt)
            except PlanningError as error:
                st.session_state.pop(PREVIEW_KEY, None)
                st.error(f"{upload.name}: {error}", icon=":material/error:")
            except ValueError as error:
                st.session_state.pop(PREVIEW_KEY, None)
                st.error(f"{upload.name} cannot be read: {error}", icon=":material/error:")
    preview = st.session_state.get(PREVIEW_KEY)
    if preview is None:
        return
    portfolio = preview.portfolio
    st.success(
        f"{upload.name} ({preview.format}): {len(portfolio.applications):,} applications and "
        f"{len(portfolio.dependencies):,} dependencies ready to import."
    )
    if preview.problems:
        st.warning(f"{len(preview.problems)} problem(s) found; rows with errors are skipped as described.")
        rows = [p.model_dump() for p in preview.problems]
        st.dataframe(rows, hide_index=True, width="stretch", height=220)
    st.dataframe(views.portfolio_frame(portfolio).head(200), hide_index=True, width="stretch", height=260)
    service = state.service()
    if service and button(
        "Import into this engagement", type="primary", icon=":material/upload:", key="import_go"
    ):
        counts = run_action(lambda: service.import_portfolio(portfolio))
        if counts is not None:
            st.session_state.pop(PREVIEW_KEY, None)
            state.portfolio_changed()
            flash("success", f"Imported {counts[0]:,} applications and {counts[1]:,} dependencies.")
            st.rerun()
