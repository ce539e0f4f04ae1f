"""Write every export of a plan to a folder (the CLI's `--out DIR`)."""

from __future__ import annotations

from pathlib import Path

from planning_core.export.data import render_csv_tables, render_json, render_xlsx
from planning_core.export.mspdi import render_mspdi
from planning_core.export.pdf.report import render_pdf
from planning_core.plan import PlanDocument


def write_all(plan: PlanDocument, out_dir: Path) -> dict[str, Path]:
    """Write report.pdf, plan.xlsx, plan.json, plan.mspdi.xml (when scheduled) and csv/*.csv; name -> path."""
    out_dir = Path(out_dir)
    (out_dir / "csv").mkdir(parents=True, exist_ok=True)
    contents: dict[str, bytes] = {
        "report.pdf": render_pdf(plan),
        "plan.xlsx": render_xlsx(plan),
        "plan.json": render_json(plan),
    }
    if plan.timeline is not None:
        contents["plan.mspdi.xml"] = render_mspdi(plan)
    for name, data in render_csv_tables(plan).items():
        contents[f"csv/{name}"] = data
    written: dict[str, Path] = {}
    for name, data in contents.items():
        path = out_dir / name
        path.write_bytes(data)
        written[name] = path
    return written
