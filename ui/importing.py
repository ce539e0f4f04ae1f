"""Importing a portfolio file as a named source: the source name (default: the file's name), the preview
of the sync row by row (added, changed before → after, removed) with every default the importer
applied, and the write (one transaction) only when the analyst confirms."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from planning_core import limits
from planning_core.errors import PlanningError
from planning_core.portfolio.models import ImportPreview
from planning_core.service.portfolio import PortfolioService, SyncPreview
from planning_core.views import portfolio as portfolio_views
from ui import state
from ui.components import button, flash, md_escape, run_action

PREVIEW_KEY = "import_preview"
SOURCE_KEY = "import_source"
FILE_KEY = "import_file"
LAST_FILE_KEY = "import_last_file"

FORMAT_LABELS = {
    None: "Detect automatically",
    "template": "Project template (CSV/XLSX)",
    "konveyor": "Konveyor application CSV",
    "azure_migrate": "Azure Migrate dependency export",
    "aws_mpa": "AWS MigOps / MPA inventory workbook",
    "cmf": "Cloud Migration Factory intake CSV",
}


@dataclass(frozen=True)
class PendingImport:
    """A file read and its sync previewed, waiting for the analyst's confirmation."""

    file_name: str
    source: str
    read: ImportPreview
    sync: SyncPreview


def portfolio_service() -> PortfolioService | None:
    """The portfolio service of the chosen client account and engagement."""
    service = state.service()
    if service is None:
        return None
    return PortfolioService(service.database, service.tenant, start_worker=service.start_worker)


def _read(upload: Any, fmt: str | None) -> ImportPreview:
    """The importer's preview of the uploaded file (read from a temporary copy; its name is never used)."""
    from planning_core.portfolio.importers import preview_import

    limits.check_upload_size(upload.size, upload.name)
    name = Path(upload.name).name or "upload.xlsx"
    if not Path(name).suffix:
        name += ".xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(upload.getvalue())
        read = preview_import(path, format=fmt)
    prefix = f"{Path(folder)}/"
    if any(prefix in p.message for p in read.problems):  # name the files as the analyst knows them
        problems = [p.model_copy(update={"message": p.message.replace(prefix, "")}) for p in read.problems]
        read = read.model_copy(update={"problems": problems})
    return read


def _default_source_name(upload: Any) -> None:
    """A new file proposes its own name as the source name (the analyst may change it)."""
    if st.session_state.get(LAST_FILE_KEY) != upload.name:
        st.session_state[LAST_FILE_KEY] = upload.name
        st.session_state[SOURCE_KEY] = upload.name[-limits.MAX_SOURCE_NAME_LENGTH :]
        st.session_state.pop(PREVIEW_KEY, None)


def import_panel() -> None:
    """Upload → source name → preview (the sync row by row, problems, defaults) → confirm → sync."""
    st.caption(
        "The project template: an .xlsx with sheets `applications` and `dependencies`, or the two CSV files "
        "zipped; Konveyor, Azure Migrate, AWS MPA and CMF exports are recognised too. A file is imported as "
        "a named source: importing the same source again replaces what it said (rows it no longer has are "
        "removed unless another source gives them)."
    )
    fmt = st.selectbox(
        "Format", list(FORMAT_LABELS), format_func=lambda f: FORMAT_LABELS[f], key="import_format"
    )
    upload = st.file_uploader("Portfolio file", type=["xlsx", "xlsm", "csv", "zip"], key=FILE_KEY)
    if upload is None:
        st.session_state.pop(PREVIEW_KEY, None)
        st.session_state.pop(LAST_FILE_KEY, None)
        return
    _default_source_name(upload)
    source = st.text_input(
        "Source name",
        key=SOURCE_KEY,
        max_chars=limits.MAX_SOURCE_NAME_LENGTH,
        help="Importing a file under the name of an existing source syncs that source.",
    )
    service = portfolio_service()
    if service is None:
        return
    if button("Preview the import", icon=":material/preview:", key="import_preview_button"):
        st.session_state.pop(PREVIEW_KEY, None)
        try:
            read = _read(upload, fmt)
            sync = service.preview_sync(source, read.portfolio, defaults=read.default_lines())
            st.session_state[PREVIEW_KEY] = PendingImport(upload.name, source.strip(), read, sync)
        except PlanningError as error:
            st.error(f"{upload.name}: {error}", icon=":material/error:")
        except ValueError as error:
            st.error(f"{upload.name} cannot be read: {error}", icon=":material/error:")
    pending: PendingImport | None = st.session_state.get(PREVIEW_KEY)
    if pending is None:
        return
    if (pending.file_name, pending.source) != (upload.name, source.strip()):
        st.info("The file or the source name changed: preview the import again.", icon=":material/info:")
        return
    _show_preview(pending)
    if button(f"Import as {pending.source}", type="primary", icon=":material/upload:", key="import_go"):
        done = run_action(
            lambda: service.sync(
                pending.source,
                pending.read.portfolio,
                format=pending.read.format,
                defaults=pending.read.default_lines(),
            )
        )
        if done is not None:
            st.session_state.pop(PREVIEW_KEY, None)
            state.portfolio_changed()
            flash("success", f"Imported {pending.source}: " + "; ".join(done.lines()) + ".")
            st.rerun()


def _show_preview(pending: PendingImport) -> None:
    read, sync = pending.read, pending.sync
    portfolio = read.portfolio
    st.success(
        f"{md_escape(pending.file_name)} ({read.format}): {len(portfolio.applications):,} applications and "
        f"{len(portfolio.dependencies):,} dependencies, to import as source **{md_escape(pending.source)}**. "
        "Nothing is written before you confirm."
    )
    st.markdown("  \n".join(md_escape(line) for line in sync.lines()))
    if sync.edited:
        st.warning(
            f"This import replaces the analyst's edits of {len(sync.edited)} application(s): "
            f"{', '.join(sync.edited[:20])}{' …' if len(sync.edited) > 20 else ''} (listed as changed below).",
            icon=":material/edit_off:",
        )
    if sync.skipped:
        st.warning(
            f"{len(sync.skipped)} application(s) not imported (their name matches several applications): "
            f"{', '.join(sync.skipped[:20])}",
            icon=":material/warning:",
        )
    if read.defaults:
        st.markdown("**Defaults the importer applied**")
        st.dataframe(
            [d.model_dump() for d in read.defaults],
            hide_index=True,
            width="stretch",
            key="import_defaults_table",
        )
    if read.problems:
        st.warning(f"{len(read.problems)} problem(s) found; rows with errors are skipped as described.")
        st.dataframe(
            [p.model_dump() for p in read.problems],
            hide_index=True,
            width="stretch",
            height=220,
            key="import_problems_table",
        )
    rows = portfolio_views.sync_preview_frame(sync)
    st.markdown(f"**What the import does, row by row** ({len(rows):,} row(s))")
    if rows.empty:
        st.caption("Nothing changes: the workspace already holds exactly what this file says.")
    else:
        st.dataframe(rows, hide_index=True, width="stretch", height=320, key="import_sync_table")


def sources_caption(application_ids: Iterable[str]) -> str:
    """Which sources a plan of these applications includes, in one line (for the wizard)."""
    service = portfolio_service()
    names = run_action(lambda: service.sources_of_applications(list(application_ids))) if service else None
    if not names:
        return "Sources included: none named (applications of the demo or of earlier unnamed imports)."
    return "Sources included: " + ", ".join(names) + "."
