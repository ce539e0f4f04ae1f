"""Data exports of a plan: CSV tables, the XLSX workbook and plan.json (export and restore)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from planning_core.errors import InvalidInput
from planning_core.export.tables import Cell, FlatTable, plan_tables
from planning_core.export.text import strip_controls
from planning_core.plan import PlanDocument

CSV_TABLES = (
    "waves",
    "allocations",
    "activities",
    "milestones",
    "costs_by_wave",
    "costs_by_role",
    "costs_by_category",
    "not_migrated",
    "skill_gaps",
)
XLSX_SHEETS = {
    "summary": "Summary",
    "waves": "Waves",
    "not_migrated": "Not migrated",
    "allocations": "Resources",
    "skill_gaps": "Skill gaps",
    "activities": "Timeline",
    "milestones": "Milestones",
    "costs_by_wave": "Costs by wave",
    "costs_by_role": "Costs by role",
    "costs_by_category": "Costs by category",
}
# A text cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_MONEY_COLUMNS = frozenset(
    {"labour", "one_off", "dual_running", "data_transfer", "total", "hourly_rate", "amount"}
)


def _csv_cell(value: Cell) -> str:
    """A cell as CSV text; text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = strip_controls(value)
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    return str(value)


def table_csv(table: FlatTable) -> bytes:
    """One table as UTF-8 CSV with a byte-order mark (so that spreadsheet programs read Unicode)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows([_csv_cell(cell) for cell in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def render_csv_tables(plan: PlanDocument) -> dict[str, bytes]:
    """Every table of the plan as CSV, keyed by file name (waves.csv, allocations.csv...)."""
    tables = plan_tables(plan)
    return {f"{name}.csv": table_csv(tables[name]) for name in CSV_TABLES}


_XLSX_CELL_LIMIT = 32_767  # characters in one Excel cell


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        value = strip_controls(value)
        return value[: _XLSX_CELL_LIMIT - 1] + "\u2026" if len(value) > _XLSX_CELL_LIMIT else value
    return value


def _write_sheet(workbook: Workbook, title: str, table: FlatTable) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        cell.alignment = Alignment(vertical="center")
    for row in table.rows:
        sheet.append([_xlsx_value(value) for value in row])
    for index, name in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # user text, never a formula
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif name in _MONEY_COLUMNS and isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
        width = max(
            [len(name)]
            + [
                min(len(str(c.value or "")), 60)
                for (c,) in sheet.iter_rows(
                    min_row=2, max_row=min(sheet.max_row, 200), min_col=index, max_col=index
                )
            ]
        )
        sheet.column_dimensions[letter].width = min(width + 2, 62)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions


def render_xlsx(plan: PlanDocument) -> bytes:
    """The plan as a workbook: summary, waves (one row per application), resources, timeline, costs."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = plan_tables(plan)
    for name, title in XLSX_SHEETS.items():
        _write_sheet(workbook, title, tables[name])
    workbook.properties.title = (plan.name or plan.planning_flow_id)[:200]
    workbook.properties.creator = "Planning Flow"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_json(plan: PlanDocument) -> bytes:
    """The whole plan as plan.json (UTF-8, indented); load_plan_json restores it."""
    return plan.model_dump_json(indent=2).encode("utf-8")


def _validation_message(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "document"
        problems.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(problems)
    suffix = f" (and {more} more)" if more > 0 else ""
    return "; ".join(problems) + suffix


def load_plan_json(data: bytes) -> PlanDocument:
    """Restore a plan from plan.json bytes; InvalidInput says what is wrong with a bad file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the plan file is not UTF-8 text; export plan.json again") from exc
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the plan file is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from exc
    try:
        return PlanDocument.model_validate_json(text)
    except ValidationError as exc:
        raise InvalidInput(f"the plan file is not a valid plan: {_validation_message(exc)}") from exc
