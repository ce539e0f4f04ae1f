"""Exports of a plan: the PDF report, XLSX, CSV tables, plan.json and MS Project XML (all pure: bytes)."""

from __future__ import annotations

from planning_core.export.data import load_plan_json, render_csv_tables, render_json, render_xlsx
from planning_core.export.files import write_all
from planning_core.export.mspdi import render_mspdi
from planning_core.export.pdf.report import render_pdf

__all__ = [
    "load_plan_json",
    "render_csv_tables",
    "render_json",
    "render_mspdi",
    "render_pdf",
    "render_xlsx",
    "write_all",
]
