"""The downloads offered on the summary page: which exports exist, their bytes and file names."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from planning_core.plan import PlanDocument


@dataclass(frozen=True)
class ExportOption:
    """One download: label, file name suffix, MIME type and the renderer's name in planning_core.export."""

    label: str
    suffix: str
    mime: str
    renderer: str


EXPORTS: tuple[ExportOption, ...] = (
    ExportOption("PDF report", ".pdf", "application/pdf", "render_pdf"),
    ExportOption(
        "Excel workbook",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "render_xlsx",
    ),
    ExportOption("plan.json", ".json", "application/json", "render_json"),
    ExportOption("CSV tables (zip)", ".zip", "application/zip", "render_csv_tables"),
    ExportOption("MS Project (MSPDI XML)", ".xml", "application/xml", "render_mspdi"),
)


def available_exports(module: Any) -> list[ExportOption]:
    """The exports whose renderer exists in the given export module."""
    return [option for option in EXPORTS if callable(getattr(module, option.renderer, None))]


def export_bytes(module: Any, option: ExportOption, plan: PlanDocument) -> bytes:
    """Render one export to bytes (str results are UTF-8 encoded; dicts of tables are zipped)."""
    result = getattr(module, option.renderer)(plan)
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return result.encode("utf-8")
    if isinstance(result, dict):
        return _zip(result)
    raise TypeError(f"{option.renderer} returned {type(result).__name__}")


def _zip(files: dict[str, Any]) -> bytes:
    """Zip a mapping of file name -> text or bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            data = content if isinstance(content, bytes) else str(content).encode("utf-8")
            archive.writestr(name if "." in name else f"{name}.csv", data)
    return buffer.getvalue()


def file_name(plan: PlanDocument, suffix: str) -> str:
    """A safe download name from the plan's name: 'migration-plan-300-applications.pdf'."""
    stem = "".join(c if c.isalnum() else "-" for c in (plan.name or plan.planning_flow_id).lower())
    stem = "-".join(part for part in stem.split("-") if part)[:80] or "plan"
    return f"{stem}{suffix}"
