"""Whole-file handling: encodings, detection, unreadable files, lenient template preview."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from planning_core.domain import Application, Dependency, Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio.importers import ImportOptions, ImportProblem, detect_format, preview_import

TEXT = "application_id,name,business_unit\nA1,Café Crème,Ventes\n"
CAFE = [Application(application_id="A1", name="Café Crème", business_unit="Ventes")]


def template_folder(tmp_path: Path, data: bytes) -> Path:
    (tmp_path / "applications.csv").write_bytes(data)
    (tmp_path / "dependencies.csv").write_bytes(b"source_application_id,target_application_id\n")
    return tmp_path


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),
        TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-32"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-no-bom", "utf-16-le-no-bom", "utf-32"],
)
def test_unicode_encodings_are_detected(tmp_path: Path, data: bytes) -> None:
    preview = preview_import(template_folder(tmp_path, data))
    assert (preview.portfolio.applications, preview.problems) == (CAFE, [])


def test_latin1_is_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    preview = preview_import(template_folder(tmp_path, TEXT.encode("latin-1")))
    assert preview.portfolio.applications == CAFE
    assert preview.problems == [
        ImportProblem(
            message="applications.csv is not UTF-8; it was read as Windows-1252 (Western European)",
            action="check accented names in the preview; re-export as UTF-8 or choose the encoding",
            severity="warning",
        )
    ]


def test_given_encoding_is_used_and_a_wrong_one_is_a_clear_error(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, TEXT.encode("cp850"))
    assert preview_import(folder, options=ImportOptions(encoding="cp850")).portfolio.applications == CAFE
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(
            template_folder(tmp_path, TEXT.encode("latin-1")), options=ImportOptions(encoding="utf-8")
        )
    assert str(caught.value) == "applications.csv is not valid utf-8 text (byte 40); re-export it as UTF-8"
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(folder, options=ImportOptions(encoding="klingon"))
    assert str(caught.value) == "unknown encoding 'klingon'"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "x.csv is empty"),
        (
            b"\x00\x01\x02\x03binary\x00\xff" * 20,
            "x.csv does not look like a CSV text file (it contains binary data)",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "x.csv is an old binary Excel (.xls) file; save it as .xlsx or CSV",
        ),
        (b"PK\x03\x04garbage", "x.csv is not a readable Excel workbook (BadZipFile: File is not a zip file)"),
        (
            b"colour,size\nred,1\n",
            "x.csv: cannot tell the format from its headers (colour, size); supported: project template, "
            "Konveyor, Azure Migrate dependency export, AWS MPA workbook, Cloud Migration Factory",
        ),
        (
            b'a,"' + b"x" * 200_000 + b'"\n',
            "x.csv, row 1: not a readable CSV row (field larger than field limit (131072))",
        ),
        (b"\n\n  \n", "x.csv has no rows"),
    ],
    ids=["empty", "binary", "xls", "broken-zip", "unknown-headers", "huge-field", "blank"],
)
def test_unusable_files_raise_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(tmp_path / "x.csv")
    assert str(caught.value) == message


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(tmp_path / "nope.csv")
    assert str(caught.value) == f"{tmp_path / 'nope.csv'} does not exist"
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(tmp_path, format="excel")
    assert (
        str(caught.value)
        == "unknown format 'excel'; choose one of template, konveyor, azure_migrate, aws_mpa, cmf"
    )
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(tmp_path)
    assert str(caught.value) == f"{tmp_path} is a folder without applications.csv: not a portfolio template"


def test_every_format_is_detected(tmp_path: Path, write_sample) -> None:
    portfolio = Portfolio(
        applications=[
            Application(application_id="a", name="A", pinned_wave=1),
            Application(application_id="b", name="B"),
        ]
    )
    portfolio.dependencies = []
    found = {}
    for fmt, name in [
        ("template", "t.xlsx"),
        ("template", "tdir"),
        ("konveyor", "k.csv"),
        ("azure_migrate", "a.csv"),
        ("aws_mpa", "m.xlsx"),
        ("cmf", "c.csv"),
    ]:
        write_sample(fmt, tmp_path / name, portfolio=portfolio)
        found[name] = detect_format(tmp_path / name)
    write_sample("template", tmp_path / "pair" / "applications.csv", portfolio=portfolio)
    found["applications.csv"] = detect_format(tmp_path / "pair" / "applications.csv")
    found["dependencies.csv"] = detect_format(tmp_path / "pair" / "dependencies.csv")
    assert found == {
        "t.xlsx": "template",
        "tdir": "template",
        "k.csv": "konveyor",
        "a.csv": "azure_migrate",
        "m.xlsx": "aws_mpa",
        "c.csv": "cmf",
        "applications.csv": "template",
        "dependencies.csv": "template",
    }


def test_semicolon_separated_csv_is_read(tmp_path: Path) -> None:
    folder = template_folder(tmp_path, b"application_id;name\nA1;One\n")
    assert preview_import(folder).portfolio.applications == [Application(application_id="A1", name="One")]


def test_a_single_sheet_workbook_of_a_csv_format_is_read(tmp_path: Path, workbook_writer) -> None:
    path = workbook_writer(
        tmp_path / "cmf.xlsx", {"Sheet1": [["app_name", "server_name", "r_type"], ["Shop", "s1", "Rehost"]]}
    )
    preview = preview_import(path)
    assert (preview.format, preview.portfolio.applications) == (
        "cmf",
        [Application(application_id="shop", name="Shop", attributes={"servers": "s1"})],
    )


def test_template_preview_is_lenient(tmp_path: Path) -> None:
    (tmp_path / "applications.csv").write_text("application_id,name,complexity\nA,,11\nA,Again,\nB,Bee,\n")
    preview = preview_import(tmp_path)
    assert preview.portfolio == Portfolio(
        applications=[Application(application_id="A", name="A"), Application(application_id="B", name="Bee")]
    )
    assert [(p.row, p.column, p.message, p.action, p.severity) for p in preview.problems] == [
        (
            None,
            None,
            f"{tmp_path / 'dependencies.csv'} not found",
            "imported without dependencies",
            "warning",
        ),
        (2, "name", "name is blank", "the id is used as the name", "error"),
        (2, "complexity", "complexity must be between 1 and 10, got 11", "defaulted to 5", "error"),
        (
            3,
            "application_id",
            "duplicate application id 'A'",
            "row skipped (the first row with this id is kept)",
            "error",
        ),
    ]


def test_long_cells_are_cut_and_reported(tmp_path: Path) -> None:
    folder = template_folder(
        tmp_path, f"application_id,name,business_unit\nA,{'n' * 400},{'b' * 300}\n".encode()
    )
    preview = preview_import(folder)
    assert [(len(a.name), len(a.business_unit)) for a in preview.portfolio.applications] == [(300, 200)]
    assert [(p.column, p.action) for p in preview.problems] == [
        ("name", "cut to 300 characters"),
        ("business_unit", "cut to 200 characters"),
    ]


def test_workbook_detection_by_headers_when_only_an_applications_sheet(
    tmp_path: Path, workbook_writer
) -> None:
    template = workbook_writer(
        tmp_path / "t.xlsx", {"Applications": [["application_id", "name"], ["a", "A"]]}
    )
    mpa = workbook_writer(
        tmp_path / "m.xlsx", {"Applications": [["Application ID", "Application Name"], ["a", "A"]]}
    )
    other = workbook_writer(tmp_path / "o.xlsx", {"Applications": [["colour"], ["red"]], "Notes": [["x"]]})
    assert [detect_format(template), detect_format(mpa)] == ["template", "aws_mpa"]
    with pytest.raises(PortfolioFormatError) as caught:
        detect_format(other)
    assert str(caught.value) == (
        "o.xlsx: cannot tell the format from its sheets (Applications, Notes); expected 'applications'/'dependencies' "
        "(template) or the MPA sheets (Applications, Infrastructure, ...)"
    )


def _zip(path: Path, files: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_zip_of_the_template_pair(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "upload.zip",
        {
            "portfolio/applications.csv": "application_id,name\na,A\nb,B\n",
            "portfolio/dependencies.csv": "source_application_id,target_application_id\na,b\n",
            "__MACOSX/portfolio/._applications.csv": "junk",
        },
    )
    preview = preview_import(path)
    assert (preview.format, preview.portfolio, preview.problems) == (
        "template",
        Portfolio(
            applications=[
                Application(application_id="a", name="A"),
                Application(application_id="b", name="B"),
            ],
            dependencies=[Dependency(source_application_id="a", target_application_id="b")],
        ),
        [],
    )


def test_zip_of_one_csv_and_of_mpa_sheets(tmp_path: Path) -> None:
    cmf = _zip(tmp_path / "c.zip", {"intake.csv": "app_name,server_name\nShop,s1\n"})
    mpa = _zip(
        tmp_path / "m.zip",
        {
            "Applications.csv": "Application ID,Application Name\nA-1,Shop\n",
            "Infrastructure.csv": "Asset ID,Hostname,Application ID\nS1,h1,A-1\nS2,h2,A-1\n",
        },
    )
    assert [(p.format, p.portfolio.applications) for p in (preview_import(cmf), preview_import(mpa))] == [
        ("cmf", [Application(application_id="shop", name="Shop", attributes={"servers": "s1"})]),
        (
            "aws_mpa",
            [
                Application(
                    application_id="A-1", name="Shop", server_count=2, attributes={"servers": "h1, h2"}
                )
            ],
        ),
    ]


def test_zip_without_csv_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(_zip(tmp_path / "x.zip", {"readme.txt": "hello"}))
    assert str(caught.value) == "x.zip is a zip archive without CSV files"


def test_zip_or_workbook_with_one_applications_table_of_another_name(tmp_path: Path, workbook_writer) -> None:
    zipped = _zip(tmp_path / "p.zip", {"portfolio.csv": "application_id,name\na,A\n"})
    book = workbook_writer(tmp_path / "p.xlsx", {"Sheet1": [["application_id", "name"], ["a", "A"]]})
    for path in (zipped, book):
        preview = preview_import(path)
        assert (preview.format, preview.portfolio.applications) == (
            "template",
            [Application(application_id="a", name="A")],
        )
        assert [p.message for p in preview.problems] == [f"{path.name} has no 'dependencies' sheet"]
