"""The project template: exact files written, round trips, strict reading with row-numbered messages."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planning_core.domain import Application, Dependency, Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio.template import (
    APPLICATION_COLUMNS,
    DEPENDENCY_COLUMNS,
    read_template,
    write_template,
)


def small_portfolio() -> Portfolio:
    return Portfolio(
        applications=[
            Application(
                application_id="crm",
                name="CRM",
                business_unit="Sales",
                six_r_strategy="replatform",
                complexity=7,
                business_criticality="high",
                effort_hours=120.5,
                server_count=3,
                data_size_gb=250.0,
                required_skills=["java", "oracle"],
                pinned_wave=2,
            ),
            Application(application_id="db", name="Shared DB é", six_r_strategy="retain"),
        ],
        dependencies=[
            Dependency(source_application_id="db", target_application_id="crm", weight=4.0),
            Dependency(
                source_application_id="crm", target_application_id="db", dependency_type="move_together"
            ),
        ],
    )


def test_folder_files_hold_exactly_the_template_columns(tmp_path: Path) -> None:
    write_template(small_portfolio(), tmp_path / "out")
    assert (tmp_path / "out" / "applications.csv").read_bytes().decode("utf-8") == (
        ",".join(APPLICATION_COLUMNS) + "\r\n"
        "crm,CRM,Sales,production,replatform,7,high,120.5,3,250,java;oracle,2\r\n"
        "db,Shared DB é,,production,retain,5,medium,,1,0,,\r\n"
    )
    assert (tmp_path / "out" / "dependencies.csv").read_bytes().decode("utf-8") == (
        ",".join(DEPENDENCY_COLUMNS) + "\r\ndb,crm,precedes,4\r\ncrm,db,move_together,1\r\n"
    )


def test_workbook_has_two_sheets_with_native_values(tmp_path: Path) -> None:
    write_template(small_portfolio(), tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert book.sheetnames == ["applications", "dependencies"]
    assert [list(r) for r in book["applications"].iter_rows(values_only=True)] == [
        APPLICATION_COLUMNS,
        ["crm", "CRM", "Sales", "production", "replatform", 7, "high", 120.5, 3, 250, "java;oracle", 2],
        ["db", "Shared DB é", None, "production", "retain", 5, "medium", None, 1, 0, None, None],
    ]
    assert [list(r) for r in book["dependencies"].iter_rows(values_only=True)] == [
        DEPENDENCY_COLUMNS,
        ["db", "crm", "precedes", 4],
        ["crm", "db", "move_together", 1],
    ]


@pytest.mark.parametrize("target", ["p.xlsx", "p.xlsm", "folder", "nested/applications.csv"])
def test_round_trip_gives_the_same_portfolio(tmp_path: Path, target: str) -> None:
    portfolio = small_portfolio()
    portfolio.applications[0].description = "Customer relations"
    portfolio.applications[0].attributes = {"Owner": "Jane"}
    write_template(portfolio, tmp_path / target)
    assert read_template(tmp_path / target) == portfolio


def test_dependencies_csv_path_finds_its_sibling(tmp_path: Path) -> None:
    write_template(small_portfolio(), tmp_path)
    assert read_template(tmp_path / "dependencies.csv") == small_portfolio()


def write_pair(
    folder: Path, applications: str, dependencies: str = "source_application_id,target_application_id\n"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "applications.csv").write_text(applications, encoding="utf-8")
    (folder / "dependencies.csv").write_text(dependencies, encoding="utf-8")
    return folder


def test_minimal_columns_take_documented_defaults_and_synonyms_are_understood(tmp_path: Path) -> None:
    folder = write_pair(
        tmp_path,
        "  Application ID , Name ,Six R Strategy,Business Criticality,Data Size GB,required_skills\n"
        "a1,Billing,Lift and Shift,Tier 1,1.5 TB,Java; .NET;java\n"
        "a2,Ledger,,Mission Critical,512 MB,\n",
        "source_application_id,target_application_id,dependency_type,weight\na1,a2,Move Together,\n",
    )
    assert read_template(folder) == Portfolio(
        applications=[
            Application(
                application_id="a1",
                name="Billing",
                business_criticality="critical",
                data_size_gb=1536.0,
                required_skills=["java", ".net"],
            ),
            Application(
                application_id="a2", name="Ledger", business_criticality="critical", data_size_gb=0.5
            ),
        ],
        dependencies=[
            Dependency(
                source_application_id="a1", target_application_id="a2", dependency_type="move_together"
            )
        ],
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    folder = write_pair(tmp_path, "application_id,business_unit\na1,Sales\n")
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(folder)
    assert (
        str(caught.value)
        == "applications.csv is missing the column(s) name (found: application_id, business_unit)"
    )


def test_missing_dependency_columns_are_named(tmp_path: Path) -> None:
    folder = write_pair(tmp_path, "application_id,name\na1,A\n", "source,target_application_id\n")
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(folder)
    assert (
        str(caught.value)
        == "dependencies.csv is missing the column(s) source_application_id (found: source, target_application_id)"
    )


def test_bad_cells_are_listed_with_row_numbers(tmp_path: Path) -> None:
    folder = write_pair(
        tmp_path,
        "application_id,name,six_r_strategy,complexity,effort_hours,pinned_wave\n"
        "a1,A,teleport,11,-3,0\n"
        ",B,,,,\n"
        "a1,C,,,,\n",
        "source_application_id,target_application_id\na1,zz\na1,a1\n",
    )
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(folder)
    assert str(caught.value) == (
        "tmp: 8 problem(s): "
        "row 2, column six_r_strategy: unknown migration strategy 'teleport'; "
        "row 2, column complexity: complexity must be between 1 and 10, got 11; "
        "row 2, column effort_hours: effort hours must be between 0 and 1e+06, got -3; "
        "row 2, column pinned_wave: pinned wave must be between 1 and 10000, got 0; "
        "row 3, column application_id: application_id is blank; "
        "row 4, column application_id: duplicate application id 'a1'; "
        "row 2, column target_application_id: dependency on unknown application 'zz'; "
        "row 3, column target_application_id: application 'a1' cannot depend on itself"
    ).replace("tmp", folder.name, 1)


def test_good_file_reads_without_error(tmp_path: Path) -> None:
    folder = write_pair(
        tmp_path, "application_id,name,complexity\na1,A,10\n", "source_application_id,target_application_id\n"
    )
    assert read_template(folder) == Portfolio(
        applications=[Application(application_id="a1", name="A", complexity=10)]
    )


def test_missing_dependencies_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "applications.csv").write_text("application_id,name\na,A\n")
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'dependencies.csv'} not found: the template needs both applications and dependencies "
        "(an empty dependencies table with its header is fine)"
    )


def test_workbook_without_applications_sheet_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(tmp_path / "p.xlsx")
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(tmp_path / "p.xlsx")
    assert str(caught.value) == "p.xlsx has no sheet named 'applications' (found: sheet1)"


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.xlsx").write_bytes(b"hello, not a zip")
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(tmp_path / "p.xlsx")
    assert str(caught.value) == "p.xlsx is not an Excel workbook (.xlsx/.xlsm)"


def test_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PortfolioFormatError) as caught:
        read_template(tmp_path / "nothing")
    assert (
        str(caught.value)
        == f"{tmp_path / 'nothing' / 'applications.csv'} not found: the template needs applications.csv"
    )


@pytest.mark.parametrize("target", ["p.xlsx", "folder"])
def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, target: str) -> None:
    portfolio = Portfolio(
        applications=[Application(application_id="=1+1", name='=HYPERLINK("x")', business_unit="@sum")]
    )
    write_template(portfolio, tmp_path / target)
    assert read_template(tmp_path / target) == portfolio
