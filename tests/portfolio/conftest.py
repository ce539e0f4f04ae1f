"""Fixture builders: write a portfolio in each supported import format (tests only)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from planning_core.domain import DependencyType, Portfolio
from planning_core.portfolio.template import write_template

KONVEYOR_HEADER = [
    "Record Type 1",
    "Application Name",
    "Description",
    "Comments",
    "Business Service",
    "Dependency",
    "Dependency Direction",
    "Binary Group",
    "Binary Artifact",
    "Binary Version",
    "Binary Packaging",
    "Repository Type",
    "Repository URL",
    "Repository Branch",
    "Repository Path",
    "Owner",
    "Contributors",
    "Tag Category 1",
    "Tag 1",
    "Tag Category 2",
    "Tag 2",
]
AZURE_HEADER = [
    "Timeslot",
    "Source server name",
    "Source application",
    "Source process",
    "Destination server name",
    "Destination IP",
    "Destination application",
    "Destination process",
    "Destination port",
]
CMF_HEADER = [
    "wave_name",
    "app_name",
    "aws_region",
    "aws_accountid",
    "server_name",
    "server_os_family",
    "server_os_version",
    "server_fqdn",
    "server_tier",
    "server_environment",
    "r_type",
]


def write_csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8") -> Path:
    """Rows to a CSV file in the given encoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """Sheets of rows to an .xlsx file (formulas written as '=...' have no cached value)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def cache_formulas(path: Path, formulas: dict[str, str]) -> Path:
    """Turn numeric cells (e.g. {"C2": "100+28"}) into formulas with a saved value, as Excel saves them."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            text = data.decode("utf-8")
            for ref, formula in formulas.items():
                text = text.replace(f'<c r="{ref}" t="n"><v>', f'<c r="{ref}" t="n"><f>{formula}</f><v>')
            parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _konveyor(path: Path, portfolio: Portfolio) -> None:
    by_id = portfolio.by_id()
    rows: list[list[object]] = [KONVEYOR_HEADER]
    for app in portfolio.applications:
        rows.append(
            [
                1,
                app.name,
                app.description,
                "",
                app.business_unit,
                "",
                "",
                *[""] * 10,
                "Migration Strategy",
                app.six_r_strategy.value.title(),
                "Business Criticality",
                app.business_criticality.value,
            ]
        )
    for dep in portfolio.dependencies:
        # source precedes target: the target calls the source (target southbound source)
        rows.append(
            [
                2,
                by_id[dep.target_application_id].name,
                "",
                "",
                "",
                by_id[dep.source_application_id].name,
                "southbound",
            ]
        )
    write_csv(path, rows)


def _azure(path: Path, portfolio: Portfolio) -> None:
    by_id = portfolio.by_id()
    rows: list[list[object]] = [AZURE_HEADER]

    def calls(caller: str, callee: str, times: int) -> None:
        for slot in range(times):
            rows.append(
                [
                    f"2025-06-14 {slot % 4 * 6:02d}:00",
                    f"{caller}-srv",
                    by_id[caller].name,
                    "java",
                    f"{callee}-srv",
                    "10.0.0.1",
                    by_id[callee].name,
                    "httpd",
                    443,
                ]
            )

    for dep in portfolio.dependencies:
        if dep.dependency_type == DependencyType.PRECEDES:
            calls(dep.target_application_id, dep.source_application_id, int(dep.weight))
        else:
            calls(dep.source_application_id, dep.target_application_id, int(dep.weight))
            calls(dep.target_application_id, dep.source_application_id, int(dep.weight))
    write_csv(path, rows)


def _mpa(path: Path, portfolio: Portfolio) -> None:
    sheets: dict[str, list[list[object]]] = {
        "Applications": [
            [
                "Application ID",
                "Application Name",
                "Environment Type",
                "Business Unit",
                "Business Criticality",
                "Migration Strategy",
                "Dependencies",
            ]
        ],
        "Infrastructure": [
            ["Asset ID", "Hostname", "Application ID", "Environment", "In Scope", "Migration Strategy", "OS"]
        ],
        "Databases": [["Database ID", "Application ID", "Total DB size (GB)", "Migration Strategy"]],
        "App2App": [["Application ID", "Dependent Application ID"]],
    }
    for app in portfolio.applications:
        sheets["Applications"].append(
            [
                app.application_id,
                app.name,
                app.environment,
                app.business_unit,
                app.business_criticality.value.title(),
                app.six_r_strategy.value.title(),
                "",
            ]
        )
        for index in range(app.server_count):
            sheets["Infrastructure"].append(
                [
                    f"{app.application_id}-a{index}",
                    f"{app.application_id}-h{index}",
                    app.application_id,
                    app.environment,
                    "Yes",
                    "",
                    "Linux",
                ]
            )
        if app.data_size_gb:
            sheets["Databases"].append([f"{app.application_id}-db", app.application_id, app.data_size_gb, ""])
    for dep in portfolio.dependencies:
        sheets["App2App"].append([dep.target_application_id, dep.source_application_id])
    write_workbook(path, sheets)


def _cmf(path: Path, portfolio: Portfolio) -> None:
    rows: list[list[object]] = [CMF_HEADER]
    for app in portfolio.applications:
        wave = f"Wave {app.pinned_wave}" if app.pinned_wave else ""
        for index in range(max(app.server_count, 1)):
            rows.append(
                [
                    wave,
                    app.name,
                    "eu-west-1",
                    "123456789012",
                    f"{app.application_id}-s{index}",
                    "linux",
                    "8",
                    f"{app.application_id}-s{index}.corp.local",
                    "app",
                    app.environment,
                    app.six_r_strategy.value.title(),
                ]
            )
    write_csv(path, rows)


def write_format_sample(format: str, path: Path, *, portfolio: Portfolio) -> None:
    """Write ``portfolio`` as a file of the given import format (what each format can express)."""
    writers: dict[str, Callable[[Path, Portfolio], None]] = {
        "template": lambda p, pf: write_template(pf, p),
        "konveyor": _konveyor,
        "azure_migrate": _azure,
        "aws_mpa": _mpa,
        "cmf": _cmf,
    }
    writers[format](path, portfolio)


@pytest.fixture
def write_sample() -> Callable[..., None]:
    """The ``write_format_sample`` helper."""
    return write_format_sample


@pytest.fixture
def csv_writer() -> Callable[..., Path]:
    """The ``write_csv`` helper."""
    return write_csv


@pytest.fixture
def workbook_writer() -> Callable[..., Path]:
    """The ``write_workbook`` helper."""
    return write_workbook


@pytest.fixture
def formula_cacher() -> Callable[..., Path]:
    """The ``cache_formulas`` helper."""
    return cache_formulas
