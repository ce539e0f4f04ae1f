"""CSV, XLSX and plan.json: read back and compared with plan.json itself."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planning_core.errors import InvalidInput
from planning_core.export import (
    load_plan_json,
    render_csv_tables,
    render_json,
    render_mspdi,
    render_xlsx,
    write_all,
)
from planning_core.plan import PlanDocument

CSV_FILES = {
    "waves.csv",
    "allocations.csv",
    "activities.csv",
    "milestones.csv",
    "costs_by_wave.csv",
    "costs_by_role.csv",
    "costs_by_category.csv",
    "not_migrated.csv",
    "skill_gaps.csv",
}


@pytest.fixture(scope="module")
def plan_json(small_plan: PlanDocument) -> dict:
    return json.loads(render_json(small_plan))


@pytest.fixture(scope="module")
def workbook(small_plan: PlanDocument):
    return load_workbook(io.BytesIO(render_xlsx(small_plan)))


def _records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _csv(tables: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(tables[name].decode("utf-8-sig"))))


# ---------------------------------------------------------------- JSON


def test_json_round_trips_exactly(small_plan: PlanDocument) -> None:
    data = render_json(small_plan)
    restored = load_plan_json(data)
    assert restored == small_plan
    assert render_json(restored) == data


def test_json_is_the_whole_plan(plan_json: dict, small_plan: PlanDocument) -> None:
    assert plan_json == json.loads(small_plan.model_dump_json())
    assert plan_json["cost_estimation"]["total"] == 66944.19


def test_load_refuses_text_that_is_not_json() -> None:
    with pytest.raises(InvalidInput, match=r"^the plan file is not valid JSON \(line 1, column 1\)$"):
        load_plan_json(b"not json")


def test_load_refuses_bytes_that_are_not_utf8() -> None:
    with pytest.raises(InvalidInput, match="^the plan file is not UTF-8 text; export plan.json again$"):
        load_plan_json(b"\xff\xfe\x00{")


def test_load_names_the_bad_field(small_plan: PlanDocument) -> None:
    data = json.loads(render_json(small_plan))
    data["planning_config"]["max_apps_per_wave"] = 0
    del data["current_phase"]
    with pytest.raises(InvalidInput) as error:
        load_plan_json(json.dumps(data).encode())
    assert str(error.value) == (
        "the plan file is not a valid plan: current_phase: Field required; planning_config.max_apps_per_wave: "
        "Value error, max apps per wave must be at least 1"
    )


def test_load_accepts_a_byte_order_mark(small_plan: PlanDocument) -> None:
    assert load_plan_json(b"\xef\xbb\xbf" + render_json(small_plan)) == small_plan


# ---------------------------------------------------------------- XLSX


def test_xlsx_has_the_expected_sheets(workbook) -> None:
    assert workbook.sheetnames == [
        "Summary",
        "Waves",
        "Not migrated",
        "Resources",
        "Skill gaps",
        "Timeline",
        "Milestones",
        "Costs by wave",
        "Costs by role",
        "Costs by category",
    ]


def test_xlsx_waves_sheet_has_one_row_per_application_of_plan_json(workbook, plan_json: dict) -> None:
    got = [
        (
            r["wave_number"],
            r["application_id"],
            r["application_name"],
            r["six_r_strategy"],
            r["effort_hours"],
            r["rationale"],
        )
        for r in _records(workbook["Waves"])
    ]
    expected = [
        (
            w["wave_number"],
            a["application_id"],
            a["name"],
            a["six_r_strategy"],
            a["effort_hours"],
            a["rationale"],
        )
        for w in plan_json["wave_plan"]["waves"]
        for a in w["applications"]
    ]
    assert got == expected


def test_xlsx_waves_carry_their_dates(workbook) -> None:
    rows = _records(workbook["Waves"])
    assert [(r["wave_start"], r["wave_end"]) for r in rows] == [
        (datetime(2027, 1, 4), datetime(2027, 1, 25)),
        (datetime(2027, 1, 4), datetime(2027, 1, 25)),
        (datetime(2027, 1, 25), datetime(2027, 2, 15)),
        (datetime(2027, 1, 25), datetime(2027, 2, 15)),
    ]


def test_xlsx_timeline_matches_plan_json(workbook, plan_json: dict) -> None:
    got = [
        (
            r["activity_id"],
            r["start"].date().isoformat(),
            r["end"].date().isoformat(),
            r["duration_days"],
            r["slack_days"],
            r["critical"],
            r["predecessors"],
        )
        for r in _records(workbook["Timeline"])
    ]
    expected = [
        (
            a["id"],
            a["start"],
            a["end"],
            a["duration_days"],
            a["slack_days"],
            a["critical"],
            "; ".join(a["predecessors"]) or None,
        )
        for a in plan_json["timeline"]["activities"]
    ]
    assert got == expected


def test_xlsx_costs_match_plan_json_to_the_cent(workbook, plan_json: dict) -> None:
    by_role = [
        (r["role"], r["hours"], r["hourly_rate"], r["amount"]) for r in _records(workbook["Costs by role"])
    ]
    assert by_role == [
        (r["role"], r["hours"], r["hourly_rate"], r["amount"])
        for r in plan_json["cost_estimation"]["by_role"]
    ]
    by_wave = [(r["wave_number"], r["total"]) for r in _records(workbook["Costs by wave"])]
    assert by_wave == [(1, 20206.17), (2, 38006.17)]
    category = [(r["category"], r["amount"]) for r in _records(workbook["Costs by category"])]
    assert category == [
        ("labour", 52600.0),
        ("one_off:tooling", 5000.0),
        ("data_transfer", 12.34),
        ("dual_running", 600.0),
        ("subtotal", 58212.34),
        ("contingency (15%)", 8731.85),
        ("total", 66944.19),
    ]
    assert workbook["Costs by wave"]["F2"].number_format == "#,##0.00"


def test_xlsx_resources_match_plan_json(workbook, plan_json: dict) -> None:
    got = [
        (r["wave_number"], r["role"], r["hours"], r["utilisation_pct"], r["over_allocated"])
        for r in _records(workbook["Resources"])
    ]
    assert got == [
        (a["wave_number"], a["role"], a["hours"], a["utilisation_pct"], a["over_allocated"])
        for a in plan_json["resource_allocation"]["allocations"]
    ]


def test_xlsx_keeps_formula_like_names_as_text(workbook, hostile: dict[str, str]) -> None:
    cell = workbook["Not migrated"]["B2"]
    assert cell.value == hostile["formula"]
    assert cell.data_type == "s"


def test_xlsx_summary_figures(workbook) -> None:
    summary = {r["metric"]: r["value"] for r in _records(workbook["Summary"])}
    assert summary["total_cost"] == 66944.19
    assert summary["waves"] == 2
    assert summary["applications"] == 5
    assert summary["start_date"] == datetime(2027, 1, 4)
    assert summary["critical_path"] == "W1-plan > W1-migrate > W2-plan > W2-migrate > W2-cutover"


# ---------------------------------------------------------------- CSV


def test_csv_files_are_the_listed_tables(small_plan: PlanDocument) -> None:
    assert set(render_csv_tables(small_plan)) == CSV_FILES


def test_csv_waves_match_plan_json(small_plan: PlanDocument, plan_json: dict) -> None:
    rows = _csv(render_csv_tables(small_plan), "waves.csv")
    assert [
        (r["wave_number"], r["application_id"], r["application_name"], r["wave_start"], r["effort_hours"])
        for r in rows
    ] == [
        ("1", "APP-1", plan_json["wave_plan"]["waves"][0]["applications"][0]["name"], "2027-01-04", "60.0"),
        ("1", "APP-2", plan_json["wave_plan"]["waves"][0]["applications"][1]["name"], "2027-01-04", "100.0"),
        ("2", "APP-3", "客户关系管理系统 CRM", "2027-01-25", "200.0"),
        ("2", "APP-4", "نظام الفوترة Billing 🚀", "2027-01-25", "100.0"),
    ]


def test_csv_money_has_two_decimals(small_plan: PlanDocument) -> None:
    rows = _csv(render_csv_tables(small_plan), "costs_by_role.csv")
    assert rows == [
        {
            "role": "migration_engineer",
            "hours": "120.0",
            "hourly_rate": "110.00",
            "amount": "13200.00",
            "currency": "USD",
        },
        {
            "role": "developer",
            "hours": "300.0",
            "hourly_rate": "120.00",
            "amount": "36000.00",
            "currency": "USD",
        },
        {"role": "tester", "hours": "40.0", "hourly_rate": "85.00", "amount": "3400.00", "currency": "USD"},
    ]


def test_csv_defuses_formula_like_text(small_plan: PlanDocument, hostile: dict[str, str]) -> None:
    rows = _csv(render_csv_tables(small_plan), "not_migrated.csv")
    assert rows == [
        {
            "application_id": "APP-5",
            "application_name": "'" + hostile["formula"],
            "six_r_strategy": "retire",
            "reason": "retire: decommissioned",
        }
    ]


def test_csv_starts_with_a_byte_order_mark(small_plan: PlanDocument) -> None:
    data = render_csv_tables(small_plan)["milestones.csv"]
    assert data.startswith(b"\xef\xbb\xbfmilestone_id,name,date,wave_number,kind,description\r\n")


def test_csv_of_a_plan_without_phases_has_headers_only(small_plan: PlanDocument) -> None:
    bare = small_plan.model_copy(
        update={
            "wave_plan": None,
            "resource_allocation": None,
            "timeline": None,
            "cost_estimation": None,
            "synthesis": None,
        }
    )
    tables = render_csv_tables(bare)
    assert {name: len(_csv(tables, name)) for name in tables} == {name: 0 for name in CSV_FILES}


# ---------------------------------------------------------------- files


def test_write_all_writes_every_file(small_plan: PlanDocument, tmp_path: Path) -> None:
    written = write_all(small_plan, tmp_path / "out")
    assert set(written) == {"report.pdf", "plan.xlsx", "plan.json", "plan.mspdi.xml"} | {
        f"csv/{name}" for name in CSV_FILES
    }
    assert written["plan.json"].read_bytes() == render_json(small_plan)
    assert written["plan.mspdi.xml"].read_bytes() == render_mspdi(small_plan)
    assert written["report.pdf"].read_bytes()[:5] == b"%PDF-"
    assert load_plan_json(written["plan.json"].read_bytes()) == small_plan


def test_write_all_skips_ms_project_without_a_timeline(small_plan: PlanDocument, tmp_path: Path) -> None:
    written = write_all(small_plan.model_copy(update={"timeline": None}), tmp_path)
    assert "plan.mspdi.xml" not in written
    assert not (tmp_path / "plan.mspdi.xml").exists()


def test_dates_in_csv_are_iso(small_plan: PlanDocument) -> None:
    rows = _csv(render_csv_tables(small_plan), "milestones.csv")
    assert [r["date"] for r in rows] == [date(2027, 1, 25).isoformat(), "2027-02-15", "2027-02-15"]
