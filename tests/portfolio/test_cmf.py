"""Cloud Migration Factory intake: grouping, r_type mapping, wave numbering and optional pins."""

from __future__ import annotations

from pathlib import Path

from planning_core.domain import Application
from planning_core.portfolio.cmf import wave_numbers
from planning_core.portfolio.importers import ImportOptions, preview_import

HEADER = ["wave_name", "app_name", "server_name", "server_fqdn", "server_environment", "r_type", "aws_region"]


def test_servers_group_into_applications(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "c.csv",
        [
            HEADER,
            ["Wave 2", "Payroll", "pay01", "pay01.corp", "prod", "Refactor/Rearchitect", "eu-west-1"],
            ["Wave 2", "payroll", "pay02", "", "prod", "Refactor/Rearchitect", "eu-west-2"],
            ["Wave 1", "Intranet", "web01", "", "dev", "Rehost", ""],
            ["Wave 1", "Intranet", "web02", "", "prod", "Rehost", ""],
            ["Wave 1", "Intranet", "web03", "", "dev", "Replatform", ""],
            ["", "Legacy", "old01", "", "", "TBC", ""],
        ],
    )
    preview = preview_import(path)
    assert preview.portfolio.applications == [
        Application(
            application_id="payroll",
            name="Payroll",
            environment="prod",
            six_r_strategy="refactor",
            server_count=2,
            attributes={"aws_region": "eu-west-1, eu-west-2", "servers": "pay01, pay02"},
        ),
        Application(
            application_id="intranet",
            name="Intranet",
            environment="dev",
            six_r_strategy="rehost",
            server_count=3,
            attributes={"servers": "web01, web02, web03"},
        ),
        Application(application_id="legacy", name="Legacy", server_count=1, attributes={"servers": "old01"}),
    ]
    assert [(p.row, p.column, p.message, p.action) for p in preview.problems] == [
        (
            4,
            "r_type",
            "the servers of 'Intranet' have different strategies: rehost (2), replatform (1)",
            "rehost used (the most common)",
        ),
        (
            None,
            "r_type",
            "1 application(s) have no migration strategy (blank or TBC): Legacy",
            "defaulted to rehost; set the strategy in the portfolio before planning",
        ),
    ]
    assert preview.pins == {}
    assert preview.stats["waves_in_file"] == 2
    assert preview.servers == {
        "pay01": "payroll",
        "pay01.corp": "payroll",
        "pay02": "payroll",
        "web01": "intranet",
        "web02": "intranet",
        "web03": "intranet",
        "old01": "legacy",
    }


def test_wave_pins_when_asked(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "c.csv",
        [
            HEADER,
            ["Wave 7", "A", "a1", "", "", "Rehost", ""],
            ["Wave 3", "A", "a2", "", "", "Rehost", ""],
            ["Wave 3", "B", "b1", "", "", "Retire", ""],
        ],
    )
    preview = preview_import(path, options=ImportOptions(import_wave_pins=True))
    assert preview.pins == {"a": 3, "b": 3}
    assert [(a.application_id, a.pinned_wave) for a in preview.portfolio.applications] == [("a", 3), ("b", 3)]
    assert preview.problems[0].message == "the servers of 'A' are in waves 3, 7"
    assert preview.problems[0].action == "pinned to wave 3 (the earliest)"


def test_wave_numbers_from_trailing_digits_or_order() -> None:
    assert wave_numbers(["Wave 3", "Wave 10", "Pilot 1"]) == {"Wave 3": 3, "Wave 10": 10, "Pilot 1": 1}
    assert wave_numbers(["Pilot", "Wave 2", "Wave 3"]) == {"Pilot": 1, "Wave 2": 2, "Wave 3": 3}
    assert wave_numbers(["W1", "Wave 1"]) == {"W1": 1, "Wave 1": 2}
    assert wave_numbers(["Wave 0", "Wave 1"]) == {"Wave 0": 1, "Wave 1": 2}


def test_bad_rows(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "c.csv",
        [
            HEADER,
            ["", "", "x1", "", "", "", ""],
            ["", "A", "", "", "", "", ""],
            ["", "A", "a1", "", "", "Teleport", ""],
            ["", "A", "A1", "", "", "Rehost", ""],
        ],
    )
    preview = preview_import(path)
    assert preview.portfolio.applications == [
        Application(application_id="a", name="A", attributes={"servers": "a1"})
    ]
    assert [(p.row, p.column, p.message, p.action) for p in preview.problems] == [
        (2, "app_name", "app_name is blank", "row skipped"),
        (3, "server_name", "server_name and server_fqdn are blank", "row skipped"),
        (4, "r_type", "unknown migration strategy 'Teleport'", "ignored for this server"),
        (5, "server_name", "server 'A1' is listed twice for 'A'", "counted once"),
    ]
