"""The risk simulation in the PDF's executive summary and in plan.json (issue 17), on a plan the real
engines computed and stored (SQLite and Postgres)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from planning_core.domain import Application, Portfolio, SixR
from planning_core.export import render_json, render_pdf
from planning_core.service.flow import PlanningService


def _plan(database, tenant, iterations: int):  # noqa: ANN001, ANN202
    service = PlanningService(database, tenant)
    service.import_portfolio(
        Portfolio(
            applications=[
                Application(application_id=f"A{i}", name=f"App {i}", six_r_strategy=SixR.REPLATFORM)
                for i in range(6)
            ]
        )
    )
    config = {"max_apps_per_wave": 3, "pilot_wave": False, "risk_iterations": iterations}
    created = service.initialize(selected_application_ids=[f"A{i}" for i in range(6)], config=config)
    return service.get_plan(created.planning_flow_id)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", "-l", "4", str(path), "-"], check=True, capture_output=True)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def test_the_executive_summary_and_plan_json_carry_the_risk(database, tenant, tmp_path: Path) -> None:
    plan = _plan(database, tenant, iterations=200)
    risk = plan.risk
    assert (risk.iterations, risk.end_date_p50 <= risk.end_date_p80 <= risk.end_date_p95) == (200, True)
    text = _text(render_pdf(plan), tmp_path)
    covers = "yes" if risk.contingency_covers_p80 else "no"
    # the summary's cards: value above label, three to a row
    assert f"{risk.end_date_p50.isoformat()}/{risk.end_date_p80.isoformat()}EnddateP50/P80" in text
    assert f"{covers}ContingencycoversP80" in text
    stored = json.loads(render_json(plan))["risk"]
    assert (stored["iterations"], stored["end_date_p80"], stored["total_cost_p80"]) == (
        200,
        risk.end_date_p80.isoformat(),
        stored["total_cost_p80"],
    )
    assert float(stored["total_cost_p80"]) == float(risk.total_cost_p80)


def test_without_a_simulation_the_summary_has_no_risk_figures(database, tenant, tmp_path: Path) -> None:
    plan = _plan(database, tenant, iterations=0)
    assert plan.risk is None
    assert "ContingencycoversP80" not in _text(render_pdf(plan), tmp_path)
