"""The `planning-flow` command line: demo, plan on both databases, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from planning_core.cli import main
from planning_core.demo import generate_portfolio
from planning_core.portfolio.template import read_template
from planning_core.service.workspace import open_database, workspace


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_writes_the_template_as_xlsx_and_csv(tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, "demo", "--apps", "40", "--seed", "3", "--out", str(tmp_path / "p.xlsx"))
    assert code == 0
    expected = generate_portfolio(apps=40, seed=3)
    assert out.strip() == (
        f"demo apps=40 dependencies={len(expected.dependencies)} out={tmp_path / 'p.xlsx'}"
    )
    assert read_template(tmp_path / "p.xlsx") == expected
    code, _, _ = run_cli(capsys, "demo", "--apps", "40", "--seed", "3", "--out", str(tmp_path / "folder"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["applications.csv", "dependencies.csv"]
    assert read_template(tmp_path / "folder") == expected


def _plan_json(path: Path) -> dict:
    return json.loads((path / "plan.json").read_text(encoding="utf-8"))


def _comparable(doc: dict) -> dict:
    """The parts of plan.json that must not depend on the database: waves, dates and costs."""
    return {
        "waves": [
            (w["wave_number"], [a["application_id"] for a in w["applications"]])
            for w in doc["wave_plan"]["waves"]
        ],
        "not_migrated": [a["application_id"] for a in doc["wave_plan"]["not_migrated"]],
        "activities": [(a["id"], a["start"], a["end"]) for a in doc["timeline"]["activities"]],
        "critical_path": doc["timeline"]["critical_path"],
        "dates": (doc["timeline"]["start_date"], doc["timeline"]["end_date"]),
        "costs": {
            k: doc["cost_estimation"][k] for k in ("subtotal", "contingency", "total", "by_wave", "by_role")
        },
        "summary": doc["synthesis"]["executive_summary"],
    }


@pytest.mark.postgres
def test_plan_gives_the_same_plan_on_sqlite_and_postgres(tmp_path: Path, capsys, postgres_server) -> None:
    portfolio = tmp_path / "p.xlsx"
    assert run_cli(capsys, "demo", "--apps", "300", "--seed", "7", "--out", str(portfolio))[0] == 0
    sqlite_url = f"sqlite:///{tmp_path / 'cli.db'}"
    pg_url = postgres_server.create("planning_cli")
    results = {}
    for label, url in (("sqlite", sqlite_url), ("postgres", pg_url)):
        out_dir = tmp_path / f"out-{label}"
        code, out, err = run_cli(
            capsys, "plan", "--portfolio", str(portfolio), "--out", str(out_dir), "--database-url", url
        )
        assert code == 0, err
        doc = _plan_json(out_dir)
        assert out.startswith(f"plan {doc['planning_flow_id']} phase=completed status=completed apps=300 ")
        assert doc["current_phase"] == "completed" and doc["phase_status"] == "completed"
        results[label] = _comparable(doc)
    assert results["sqlite"] == results["postgres"]
    summary = results["sqlite"]["summary"]
    assert summary["total_applications"] == 300
    assert summary["total_waves"] == len(results["sqlite"]["waves"])


def test_plan_json_has_the_documented_keys(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "p"
    run_cli(capsys, "demo", "--apps", "25", "--seed", "1", "--out", str(folder))
    out_dir = tmp_path / "out"
    code, _, err = run_cli(
        capsys,
        "plan",
        "--portfolio",
        str(folder),
        "--out",
        str(out_dir),
        "--database-url",
        f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert code == 0, err
    doc = _plan_json(out_dir)
    for key in (
        "planning_flow_id",
        "current_phase",
        "phase_status",
        "planning_config",
        "wave_plan",
        "resource_allocation",
        "timeline",
        "cost_estimation",
        "synthesis",
        "warnings",
    ):
        assert key in doc, key
    assert set(doc["wave_plan"]["summary"]) >= {"total_waves"}
    assert set(doc["resource_allocation"]["allocations"][0]) >= {"wave_number", "role", "hours"}
    assert set(doc["timeline"]["activities"][0]) >= {"id", "wave_number", "start", "end"}
    activity_ids = {a["id"] for a in doc["timeline"]["activities"]}
    assert set(doc["timeline"]["critical_path"]) <= activity_ids and doc["timeline"]["critical_path"]
    assert set(doc["cost_estimation"]) >= {"subtotal", "contingency", "total", "by_wave", "by_role"}
    assert set(doc["synthesis"]["executive_summary"]) >= {
        "total_applications",
        "total_waves",
        "total_duration_days",
        "total_cost",
    }
    placed = {a["application_id"] for w in doc["wave_plan"]["waves"] for a in w["applications"]}
    skipped = {a["application_id"] for a in doc["wave_plan"]["not_migrated"]}
    assert placed | skipped == set(doc["selected_applications"]) and not placed & skipped


def _write_csvs(folder: Path, apps: list[dict], deps: list[dict]) -> Path:
    folder.mkdir()
    app_cols = [
        "application_id",
        "name",
        "business_unit",
        "environment",
        "six_r_strategy",
        "complexity",
        "business_criticality",
        "effort_hours",
        "server_count",
        "data_size_gb",
        "required_skills",
        "pinned_wave",
    ]
    with (folder / "applications.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(apps[0]) if apps else app_cols)
        writer.writeheader()
        writer.writerows(apps)
    with (folder / "dependencies.csv").open("w", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["source_application_id", "target_application_id", "dependency_type", "weight"]
        )
        writer.writeheader()
        writer.writerows(deps)
    return folder


def _app(app_id: str) -> dict:
    return {
        "application_id": app_id,
        "name": f"App {app_id}",
        "business_unit": "BU",
        "environment": "prod",
        "six_r_strategy": "rehost",
        "complexity": "3",
        "business_criticality": "low",
        "effort_hours": "",
        "server_count": "1",
        "data_size_gb": "10",
        "required_skills": "",
        "pinned_wave": "",
    }


BAD_PORTFOLIOS = {
    "duplicate ids": ([_app("a"), _app("a")], []),
    "unknown dependency": (
        [_app("a"), _app("b")],
        [
            {
                "source_application_id": "a",
                "target_application_id": "zzz",
                "dependency_type": "precedes",
                "weight": "1",
            }
        ],
    ),
    "self dependency": (
        [_app("a"), _app("b")],
        [
            {
                "source_application_id": "a",
                "target_application_id": "a",
                "dependency_type": "precedes",
                "weight": "1",
            }
        ],
    ),
    "missing columns": ([{"application_id": "a", "six_r_strategy": "rehost"}], []),
}


@pytest.mark.parametrize("case", sorted(BAD_PORTFOLIOS))
def test_bad_portfolio_exits_non_zero_with_one_line_and_writes_nothing(tmp_path: Path, capsys, case) -> None:
    apps, deps = BAD_PORTFOLIOS[case]
    folder = _write_csvs(tmp_path / "bad", apps, deps)
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    code, out, err = run_cli(
        capsys, "plan", "--portfolio", str(folder), "--out", str(tmp_path / "o"), "--database-url", url
    )
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ")
    expected_words = {
        "duplicate ids": "duplicate",
        "unknown dependency": "zzz",
        "self dependency": "itself",
        "missing columns": "missing",
    }[case]
    assert expected_words in last.lower()
    assert not (tmp_path / "o").exists()
    database = open_database(url)
    try:
        tenant = workspace(database)
        with database.unit_of_work(tenant) as repo:
            assert repo.portfolio.count_applications() == 0
            assert repo.plans.list_plans() == []
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"max_apps_per_wave": 0}, "max apps per wave must be at least 1"),
        ({"wave_duration_limit_days": 7}, "wave duration limit must be at least 30 days"),
        ({"contingency_percentage": -1}, "contingency percentage must be between 0 and 100"),
        ({"no_such_key": 1}, "no_such_key"),
        ([1, 2], "must hold a JSON object"),
    ],
)
def test_bad_config_exits_non_zero(tmp_path: Path, capsys, config, message) -> None:
    folder = _write_csvs(tmp_path / "ok", [_app("a"), _app("b")], [])
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    code, out, err = run_cli(
        capsys,
        "plan",
        "--portfolio",
        str(folder),
        "--config",
        str(config_file),
        "--database-url",
        f"sqlite:///{tmp_path / 'c.db'}",
    )
    assert code == 2 and out == ""
    assert message in err.strip().splitlines()[-1]


def test_missing_portfolio_file(tmp_path: Path, capsys) -> None:
    code, out, err = run_cli(
        capsys,
        "plan",
        "--portfolio",
        str(tmp_path / "nope.xlsx"),
        "--database-url",
        f"sqlite:///{tmp_path / 'm.db'}",
    )
    assert (code, out, err.strip()) == (2, "", f"error: Portfolio file not found: {tmp_path / 'nope.xlsx'}")
