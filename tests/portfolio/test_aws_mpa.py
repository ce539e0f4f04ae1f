"""MPA workbook: stray header spaces, formulas, server counts, databases, App2App/App2DB, traffic."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning_core.domain import Application, Dependency
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio.importers import ImportProblem, detect_format, preview_import

APPS = [
    " Application ID ",
    "Application  Name",
    " Environment Type",
    "Business Unit ",
    "Business Criticality",
    "Migration Strategy ",
    "Dependencies",
    "Owner",
]


def workbook(tmp_path: Path, workbook_writer, **sheets) -> Path:
    return workbook_writer(
        tmp_path / "mpa.xlsx", {name.replace("_", " "): rows for name, rows in sheets.items()}
    )


def test_full_workbook(tmp_path: Path, workbook_writer) -> None:
    path = workbook(
        tmp_path,
        workbook_writer,
        Applications=[
            ["MPA inventory export"],  # a title row above the header
            APPS,
            [
                "APP-1",
                "Shop",
                "Production",
                "Retail",
                "Mission Critical",
                "Lift & Shift",
                "APP-2; Billing",
                "Ann",
            ],
            ["APP-2", "Catalogue", "Dev", "Retail", "Tier 3", "", "", ""],
            ["APP-3", "Billing", "Production", "Finance", "low", "Re-Platform", "", ""],
        ],
        Infrastructure=[
            ["Asset ID ", " Hostname", "Application ID", "In Scope", "Migration Strategy", "IP Address"],
            ["S1", "shop01", "APP-1", "Yes", "", "10.1.0.1"],
            ["S2", "shop02", "APP-1", "No", "", "10.1.0.2"],
            ["S3", "cat01", "APP-2", "", "Repurchase", "10.1.0.3"],
            ["S4", "cat02", "APP-2, APP-3", "y", "Repurchase", "10.1.0.4"],
            ["S5", "x01", "APP-404", "y", "", ""],
        ],
        Databases=[
            ["Database ID", "Application ID", " Total DB size (GB) "],
            ["DB1", "APP-3", "1.5 TB"],
            ["DB2", "APP-3", 512],
            ["DB3", "", "=100+28"],
        ],
        App2DB=[["Application ID", "Database ID"], ["APP-2", "DB1"], ["APP-1", "DB3"]],
        Asset_Communication_Data=[
            ["Source Name", "Source IP Address", "Target Name", "Target IP Address", "Target Port", "Count"],
            ["", "10.1.0.3", "shop01", "", 443, 7],
            ["cat01", "", "shop01", "", 3389, 50],
            ["unknown-host", "", "shop01", "", 443, 1],
        ],
    )
    assert detect_format(path) == "aws_mpa"
    preview = preview_import(path)
    assert preview.portfolio.applications == [
        Application(
            application_id="APP-1",
            name="Shop",
            environment="Production",
            business_unit="Retail",
            business_criticality="critical",
            six_r_strategy="rehost",
            server_count=1,
            attributes={"Owner": "Ann", "servers": "shop01"},
        ),
        Application(
            application_id="APP-2",
            name="Catalogue",
            environment="Dev",
            business_unit="Retail",
            business_criticality="medium",
            six_r_strategy="repurchase",
            server_count=2,
            attributes={"servers": "cat01, cat02"},
        ),
        Application(
            application_id="APP-3",
            name="Billing",
            business_unit="Finance",
            environment="Production",
            business_criticality="low",
            six_r_strategy="replatform",
            server_count=1,
            data_size_gb=2048.0,
            attributes={"servers": "cat02"},
        ),
    ]
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="APP-2", target_application_id="APP-1"),
        Dependency(source_application_id="APP-3", target_application_id="APP-1"),
        Dependency(source_application_id="APP-3", target_application_id="APP-2"),
        Dependency(source_application_id="APP-1", target_application_id="APP-2", weight=7),
    ]
    assert preview.problems == [
        ImportProblem(
            row=4,
            column="Databases!C",
            message="sheet 'Databases': the formula =100+28 has no saved value "
            "(the file was written by a program that does not calculate formulas)",
            action="treated as blank; open and save the file in Excel to keep the value",
            severity="warning",
        ),
        ImportProblem(
            column="Infrastructure/Infra2App: Application ID",
            message="assets are linked to 1 unknown application id(s): app-404",
            action="those links are not counted",
        ),
        ImportProblem(
            column="Asset Communication Data",
            message="1 server(s) in the communication data belong to no application: unknown-host",
            action="their connections are not dependencies",
            severity="warning",
        ),
        ImportProblem(
            message="applications depend on each other in a cycle: Shop, Catalogue",
            action="kept; the wave planner places a cycle in one wave",
            severity="warning",
        ),
    ]
    assert preview.servers["10.1.0.3"] == "APP-2"
    assert (
        preview.stats["assets"],
        preview.stats["assets_out_of_scope"],
        preview.stats["admin_connections_dropped"],
    ) == (5, 1, 50)


def test_row_problems_in_applications(tmp_path: Path, workbook_writer) -> None:
    path = workbook(
        tmp_path,
        workbook_writer,
        Applications=[
            APPS,
            ["", "", "", "", "", "", "", "x"],
            ["", "Orphan Name", "", "", "", "", "", ""],
            ["A1", "One", "", "", "extreme", "Teleport", "Nope", ""],
            ["a1", "Dup", "", "", "", "TBC", "", ""],
            ["A2", "", "", "", "", "", "A2", ""],
        ],
    )
    preview = preview_import(path)
    assert [a.application_id for a in preview.portfolio.applications] == ["orphan-name", "A1", "A2"]
    assert preview.portfolio.applications[2].name == "A2"
    assert [(p.row, p.column, p.message, p.action) for p in preview.problems] == [
        (2, "Application ID", "Application ID and Application Name are blank", "row skipped"),
        (
            3,
            "Application ID",
            "Application ID is blank for 'Orphan Name'",
            "given the id 'orphan-name' (from the name)",
        ),
        (4, "Migration Strategy", "unknown migration strategy 'Teleport'", "defaulted to rehost"),
        (4, "Business Criticality", "unknown business criticality 'extreme'", "defaulted to medium"),
        (
            5,
            "Application ID",
            "duplicate or over-long Application ID 'a1'",
            "row skipped (the first row is kept)",
        ),
        (
            None,
            "Migration Strategy",
            "2 application(s) have no migration strategy (blank or TBC): Orphan Name, A2",
            "defaulted to rehost; set the strategy in the portfolio before planning",
        ),
        (4, "Dependencies", "dependency on unknown application 'Nope'", "dependency skipped"),
        (6, "Dependencies", "application 'A2' cannot depend on itself", "dependency skipped"),
    ]


def test_workbook_without_applications_sheet_is_refused(tmp_path: Path, workbook_writer) -> None:
    path = workbook(tmp_path, workbook_writer, Infrastructure=[["Asset ID", "Hostname"], ["S1", "h1"]])
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path)
    assert (
        str(caught.value)
        == "the MPA workbook needs an 'Applications' sheet with 'Application ID' and 'Application Name' columns"
    )


def test_mpa_as_csv_is_refused(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(tmp_path / "m.csv", [["Application ID", "Application Name"], ["A", "B"]])
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path, format="aws_mpa")
    assert str(caught.value) == "m.csv: an MPA inventory is an Excel workbook (.xlsx/.xlsm)"


def test_formulas_with_saved_values_give_those_values(
    tmp_path: Path, workbook_writer, formula_cacher
) -> None:
    path = workbook(
        tmp_path,
        workbook_writer,
        Applications=[["Application ID", "Application Name"], ["A", "Shop"]],
        Databases=[
            ["Database ID", "Application ID", "Total DB size (GB)"],
            ["D1", "A", 128],
            ["D2", "A", "=2*2"],
        ],
    )
    formula_cacher(path, {"C2": "100+28"})
    preview = preview_import(path)
    assert preview.portfolio.applications == [
        Application(application_id="A", name="Shop", data_size_gb=128.0)
    ]
    assert [(p.row, p.column) for p in preview.problems] == [(3, "Databases!C"), (None, "Migration Strategy")]
