"""Hostile files: random bytes, random headers and cells, huge fields, broken workbooks.

Zero crashes: every import either returns a valid preview or raises PortfolioFormatError, and
nothing is ever written (the folder holding the file is unchanged)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.domain import Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio.importers import FORMATS, ImportPreview, preview_import

HOSTILE = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
HEADERS = [
    "application_id",
    "name",
    "six_r_strategy",
    "complexity",
    "effort_hours",
    "server_count",
    "data_size_gb",
    "pinned_wave",
    "required_skills",
    "source_application_id",
    "target_application_id",
    "dependency_type",
    "weight",
    "Record Type 1",
    "Application Name",
    "Dependency",
    "Dependency Direction",
    "Tag Category 1",
    "Tag 1",
    "Timeslot",
    "Source server name",
    "Source IP",
    "Source application",
    "Destination server name",
    "Destination IP",
    "Destination application",
    "Destination port",
    "wave_name",
    "app_name",
    "server_name",
    "server_fqdn",
    "r_type",
    "Application ID",
    "Migration Strategy",
    "Dependencies",
    "Asset ID",
    "Hostname",
    "Total DB size (GB)",
    "Count",
    "Target Port",
    "Source Name",
    "Target Name",
    " Application ID ",
    "",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "1",
            "2",
            "0",
            "-1",
            "1e400",
            "nan",
            "Rehost",
            "TBC",
            "Tier 1",
            "southbound",
            "northbound",
            "Wave 1",
            "=1+1",
            "10.0.0.1",
            "3389",
            "443",
            "yes",
            "1.5 TB",
            "a;b",
            "x" * 3000,
        ]
    ),
    st.text(max_size=30),
    st.integers(-(10**6), 10**6).map(str),
)
SHEETS = [
    "Applications",
    "applications",
    "dependencies",
    "Infrastructure",
    "Databases",
    "App2App",
    "App2DB",
    "Infra2App",
    "Asset Communication Data",
    "Sheet1",
]
FORMAT_CHOICE = st.sampled_from([None, *FORMATS])


def check(path: Path, fmt: str | None) -> None:
    """Import and check the outcome is a valid preview or one clear error, and that nothing was written."""
    before = sorted(p.name for p in path.parent.iterdir())
    try:
        preview = preview_import(path, format=fmt)
    except PortfolioFormatError as exc:
        assert str(exc).strip()
    else:
        assert isinstance(preview, ImportPreview)
        Portfolio.model_validate(preview.portfolio.model_dump())
        assert preview.stats["applications"] == len(preview.portfolio.applications)
        assert all(p.row is None or p.row >= 1 for p in preview.problems)
    assert sorted(p.name for p in path.parent.iterdir()) == before


@HOSTILE
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ""]), fmt=FORMAT_CHOICE)
def test_random_bytes(data: bytes, suffix: str, fmt: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(data)
        check(path, fmt)


@HOSTILE
@given(
    headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=10),
    rows=st.lists(st.lists(CELLS, max_size=12), max_size=12),
    fmt=FORMAT_CHOICE,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_random_csv(headers: list[str], rows: list[list[str]], fmt: str | None, encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        try:
            path.write_bytes(buffer.getvalue().encode(encoding))
        except UnicodeEncodeError:
            path.write_bytes(buffer.getvalue().encode("utf-8"))
        check(path, fmt)


@HOSTILE
@given(
    sheets=st.dictionaries(
        st.sampled_from(SHEETS),
        st.tuples(
            st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
            st.lists(st.lists(CELLS, max_size=8), max_size=6),
        ),
        min_size=1,
        max_size=4,
    ),
    fmt=FORMAT_CHOICE,
)
def test_random_workbooks(sheets: dict, fmt: str | None) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (headers, rows) in sheets.items():
        if title.lower() in [s.title.lower() for s in book.worksheets]:
            continue
        sheet = book.create_sheet(title)
        for row in [headers, *rows]:
            sheet.append([_cell(c) for c in row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.xlsx"
        book.save(path)
        check(path, fmt)


def _cell(value: str) -> str:
    """Characters openpyxl refuses to store are left out (real files cannot hold them either)."""
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)


@HOSTILE
@given(cut=st.integers(10, 4000))
def test_truncated_workbooks(tmp_path_factory, cut: int) -> None:
    folder = tmp_path_factory.mktemp("cut")
    book = openpyxl.Workbook()
    book.active.title = "applications"
    book.active.append(["application_id", "name"])
    book.active.append(["a", "A"])
    full = io.BytesIO()
    book.save(full)
    path = folder / "t.xlsx"
    path.write_bytes(full.getvalue()[:cut])
    check(path, None)


@HOSTILE
@given(
    members=st.dictionaries(
        st.sampled_from(
            [
                "applications.csv",
                "dependencies.csv",
                "Applications.csv",
                "Infrastructure.csv",
                "a/b.csv",
                "x.txt",
            ]
        ),
        st.binary(max_size=300)
        | st.lists(st.lists(CELLS, max_size=5), max_size=5).map(
            lambda rows: "\n".join(",".join(r) for r in rows).encode()
        ),
        max_size=3,
    ),
    fmt=FORMAT_CHOICE,
)
def test_random_zip_archives(members: dict[str, bytes], fmt: str | None) -> None:
    import zipfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        check(path, fmt)
