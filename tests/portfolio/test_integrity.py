"""Issue 12, importer side: applications keep their ids, names never overwrite, MPA sheets whose headers
repeat are read, defaults are named with counts, cut-off files are warned, compressed bombs refused."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning_core.domain import Application, Dependency, Portfolio
from planning_core.errors import PortfolioFormatError
from planning_core.portfolio import normalise, sources
from planning_core.portfolio.importers import (
    DefaultApplied,
    ImportOptions,
    merge_previews,
    plan_merge,
    preview_import,
)

CMF = ["wave_name", "app_name", "server_name", "r_type"]
AZURE = [
    "Timeslot",
    "Source server name",
    "Source application",
    "Destination server name",
    "Destination application",
    "Destination port",
]


def template(folder: Path, applications: str, dependencies: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "applications.csv").write_text(applications, encoding="utf-8")
    if dependencies is not None:
        (folder / "dependencies.csv").write_text(dependencies, encoding="utf-8")
    return folder


# ------------------------------------------------------------------------------------------ identity


def test_an_application_with_another_id_is_never_overwritten_by_name(tmp_path: Path) -> None:
    first = preview_import(
        template(tmp_path / "1", "application_id,name,environment\nPAY-PROD,Payroll,production\n")
    )
    second = preview_import(
        template(
            tmp_path / "2",
            "application_id,name,environment,six_r_strategy\nPAY-TEST,payroll,test,retire\n",
        )
    )
    merge = plan_merge(first.portfolio, second.portfolio)
    assert [
        (a.application_id, a.name, a.environment, a.six_r_strategy.value)
        for a in merge.portfolio.applications
    ] == [
        ("PAY-PROD", "Payroll", "production", "rehost"),
        ("PAY-TEST", "payroll", "test", "retire"),
    ]
    assert (merge.added, merge.absent, merge.updated) == (["PAY-TEST"], ["PAY-PROD"], [])
    assert [(p.severity, p.action) for p in merge.problems] == [
        ("warning", "kept as a separate application (applications are identified by their id)")
    ]
    assert merge_previews(merge.portfolio, second.portfolio) == merge.portfolio


NON_LATIN = [
    ("工资系统", "人事系统"),
    ("رواتب", "موارد بشرية"),
    ("🚀", "🛒"),
    ("🚀🚀", "🛒🚀"),
    ("###", "***"),
]


@pytest.mark.parametrize(("one", "other"), NON_LATIN)
def test_non_latin_names_give_distinct_stable_ids(tmp_path: Path, csv_writer, one: str, other: str) -> None:
    assert normalise.slug(one) != normalise.slug(other)
    assert normalise.slug(one) == normalise.slug(f" {one} ")
    path = csv_writer(tmp_path / "c.csv", [CMF, ["", one, "s1", "Rehost"], ["", other, "s2", "Rehost"]])
    preview = preview_import(path)
    ids = [a.application_id for a in preview.portfolio.applications]
    assert len(set(ids)) == 2 and "app" not in ids
    assert not [p for p in preview.problems if "same id" in p.message]
    again = preview_import(
        csv_writer(tmp_path / "d.csv", [CMF, ["", other, "s2", "Rehost"], ["", one, "s1", "Rehost"]])
    )
    assert sorted(a.application_id for a in again.portfolio.applications) == sorted(ids)
    merged = merge_previews(preview.portfolio, again.portfolio)
    assert sorted(a.application_id for a in merged.applications) == sorted(ids)


SCRIPTS = st.sampled_from(
    [
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0x0621, max_codepoint=0x064A),  # Arabic letters
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1F5FF),  # pictographs
    ]
)


@settings(max_examples=80, deadline=None, database=None)
@given(data=st.data())
def test_distinct_non_latin_names_never_share_a_slug(data: st.DataObject) -> None:
    alphabet = data.draw(SCRIPTS)
    names = data.draw(
        st.lists(st.text(alphabet, min_size=1, max_size=12), min_size=2, max_size=6, unique=True)
    )
    keys = {normalise.name_key(n) for n in names}
    assert len({normalise.slug(n) for n in names}) == len(keys)


def test_a_placeholder_matching_several_applications_by_name_is_a_problem_not_a_guess(
    tmp_path: Path, csv_writer
) -> None:
    inventory = Portfolio(
        applications=[
            Application(application_id="B-1", name="Billing"),
            Application(application_id="B-2", name="billing"),
            Application(application_id="S-1", name="Shop"),
        ]
    )
    traffic = preview_import(
        csv_writer(tmp_path / "a.csv", [AZURE, ["t", "web01", "Shop", "db01", "Billing", 1433]])
    )
    merge = plan_merge(inventory, traffic.portfolio)
    assert merge.skipped == ["billing"]
    assert merge.resolved_by_name == {"shop": "S-1"}
    assert [a.application_id for a in merge.portfolio.applications] == ["B-1", "B-2", "S-1"]
    assert merge.portfolio.dependencies == []
    assert [(p.severity, p.message) for p in merge.problems] == [
        (
            "error",
            "'Billing' (known only from traffic) cannot be matched by name: 2 applications have this name (B-1, B-2)",
        ),
        ("warning", "1 dependenc(ies) of applications not imported"),
    ]


def test_a_placeholder_resolves_to_the_one_application_with_its_name(tmp_path: Path, csv_writer) -> None:
    inventory = Portfolio(
        applications=[
            Application(application_id="B-1", name="Billing"),
            Application(application_id="S-1", name="Shop"),
        ]
    )
    traffic = preview_import(
        csv_writer(tmp_path / "a.csv", [AZURE, ["t", "web01", "SHOP", "db01", "billing", 1433]])
    )
    merge = plan_merge(inventory, traffic.portfolio)
    assert merge.resolved_by_name == {"billing": "B-1", "shop": "S-1"}
    assert merge.portfolio.dependencies == [
        Dependency(source_application_id="B-1", target_application_id="S-1")
    ]
    assert (merge.added, merge.skipped, merge.dependencies_added) == ([], [], 1)


def test_an_ambiguous_name_in_the_mpa_dependencies_column_is_reported(
    tmp_path: Path, workbook_writer
) -> None:
    path = workbook_writer(
        tmp_path / "m.xlsx",
        {
            "Applications": [
                ["Application ID", "Application Name", "Dependencies"],
                ["A-1", "Billing", ""],
                ["A-2", "BILLING", ""],
                ["A-3", "Shop", "billing; A-1"],
            ]
        },
    )
    preview = preview_import(path)
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="A-1", target_application_id="A-3")
    ]
    assert [(p.row, p.message) for p in preview.problems if p.column == "Dependencies"] == [
        (4, "the name 'billing' belongs to 2 applications (A-1, A-2); use the id")
    ]


# ------------------------------------------------------------------------------------------ MPA sheets


def test_app2app_with_two_application_id_columns_is_read_by_position(tmp_path: Path, workbook_writer) -> None:
    path = workbook_writer(
        tmp_path / "mpa.xlsx",
        {
            "Applications": [
                ["Application ID", "Application Name"],
                ["A-1", "Web"],
                ["A-2", "Api"],
                ["A-3", "Db"],
            ],
            "App2App": [["Application ID", "Application ID"], ["A-1", "A-2"], ["A-2", "A-3"]],
        },
    )
    preview = preview_import(path)
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="A-2", target_application_id="A-1"),
        Dependency(source_application_id="A-3", target_application_id="A-2"),
    ]
    assert not [p for p in preview.problems if "App2App" in p.message]


def test_server_dependencies_become_application_dependencies_through_infra2app(
    tmp_path: Path, workbook_writer
) -> None:
    path = workbook_writer(
        tmp_path / "mpa.xlsx",
        {
            "Applications": [["Application ID", "Application Name"], ["A-1", "Web"], ["A-2", "Db"]],
            "Infrastructure": [
                ["Asset ID", "Hostname", "IP Address"],
                ["S1", "web01", "10.0.0.1"],
                ["S2", "db01", ""],
            ],
            "Infra2App": [["Asset ID", "Application ID"], ["S1", "A-1"], ["S2", "A-2"]],
            "Server2Server": [
                ["Asset ID", "Asset ID"],
                ["S1", "S2"],
                ["10.0.0.1", "DB01"],
                ["S1", "S1"],
                ["S1", "ghost"],
            ],
        },
    )
    preview = preview_import(path)
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="A-2", target_application_id="A-1")
    ]
    assert (preview.stats["server_dependency_rows"], preview.stats["dependencies_from_servers"]) == (4, 1)
    assert [(p.column, p.message) for p in preview.problems if p.column == "Server2Server"] == [
        (
            "Server2Server",
            "1 application dependenc(ies) derived from 4 server-to-server row(s) through the servers' "
            "applications (Infrastructure/Infra2App)",
        ),
        ("Server2Server", "1 server(s) in Server2Server belong to no application: ghost"),
    ]


# ------------------------------------------------------------------------------------------ defaults


def test_a_file_with_only_ids_and_names_names_every_default(tmp_path: Path) -> None:
    preview = preview_import(
        template(
            tmp_path,
            "application_id,name\nA,One\nB,Two\n",
            "source_application_id,target_application_id\nA,B\n",
        )
    )
    reason = "no such column in the file"
    assert preview.defaults == [
        DefaultApplied(column="environment", value="production", rows=2, reason=reason),
        DefaultApplied(column="six_r_strategy", value="rehost", rows=2, reason=reason),
        DefaultApplied(column="complexity", value="5", rows=2, reason=reason),
        DefaultApplied(column="business_criticality", value="medium", rows=2, reason=reason),
        DefaultApplied(column="effort_hours", value="the effort model's estimate", rows=2, reason=reason),
        DefaultApplied(column="server_count", value="1", rows=2, reason=reason),
        DefaultApplied(column="data_size_gb", value="0", rows=2, reason=reason),
        DefaultApplied(column="dependency_type", value="precedes", rows=1, reason=reason),
        DefaultApplied(column="weight", value="1", rows=1, reason=reason),
    ]
    assert (
        preview.default_lines()[1]
        == "six_r_strategy: rehost assumed for 2 row(s) (no such column in the file)"
    )


def test_undecided_and_unknown_strategies_are_not_silent(tmp_path: Path) -> None:
    preview = preview_import(
        template(
            tmp_path,
            "application_id,name,six_r_strategy\nA,One,tbc\nB,Two,null\nC,Three,🚀\nD,Four,\nE,Five,Retire\n",
            "source_application_id,target_application_id\n",
        )
    )
    strategies = [(d.value, d.rows, d.reason) for d in preview.defaults if d.column == "six_r_strategy"]
    assert strategies == [
        ("rehost", 2, "undecided (TBC, null...)"),
        ("rehost", 1, "not understood"),
        ("rehost", 1, "blank"),
    ]
    assert [(p.row, p.message) for p in preview.errors] == [(4, "unknown migration strategy '🚀'")]


def test_a_second_name_column_is_reported(tmp_path: Path) -> None:
    preview = preview_import(
        template(
            tmp_path, "application_id,name,name\nA,One,Uno\n", "source_application_id,target_application_id\n"
        )
    )
    assert [a.name for a in preview.portfolio.applications] == ["One"]
    assert [(p.column, p.message, p.action) for p in preview.warnings] == [
        (
            "name",
            "applications.csv: the column 'name' appears 2 times (columns B, C)",
            "only column B is read; the others are ignored",
        )
    ]


@pytest.mark.parametrize(
    ("fmt", "rows", "expected"),
    [
        (
            "konveyor",
            [["Record Type 1", "Application Name"], ["1", "Shop"]],
            {"six_r_strategy", "server_count"},
        ),
        ("cmf", [["app_name", "server_name"], ["Shop", "s1"]], {"six_r_strategy", "complexity"}),
        (
            "azure_migrate",
            [AZURE, ["t", "a", "A", "b", "B", 443]],
            {"six_r_strategy", "business_criticality"},
        ),
    ],
)
def test_every_format_names_its_defaults(
    tmp_path: Path, csv_writer, fmt: str, rows: list, expected: set
) -> None:
    preview = preview_import(csv_writer(tmp_path / "f.csv", rows))
    assert preview.format == fmt
    assert expected <= {d.column for d in preview.defaults}
    assert all(d.rows >= 1 and d.reason for d in preview.defaults)


# ------------------------------------------------------------------------------------------ cut-off files


@pytest.mark.parametrize(
    "tail",
    ["A,B,prec", 'A,B,precedes,"1'],
    ids=["short-last-row", "open-quote"],
)
def test_a_cut_off_dependencies_file_is_warned(tmp_path: Path, tail: str) -> None:
    preview = preview_import(
        template(
            tmp_path,
            "application_id,name\nA,One\nB,Two\nC,Three\n",
            f"source_application_id,target_application_id,dependency_type,weight\nB,C,precedes,2\n{tail}",
        )
    )
    cut = [p for p in preview.warnings if "looks cut off" in p.message]
    assert [(p.row, p.message.split(":")[0]) for p in cut] == [(3, "dependencies.csv looks cut off")]


def test_a_complete_file_without_a_final_line_break_is_not_warned(tmp_path: Path) -> None:
    preview = preview_import(
        template(
            tmp_path, 'application_id,name\nA,5" disk\nB,Two', "source_application_id,target_application_id\n"
        )
    )
    assert preview.problems == []


# ------------------------------------------------------------------------------------------ bombs


def test_a_zip_bomb_is_refused_quickly_with_one_line(tmp_path: Path) -> None:
    row = b"Wave 1,Shop,srv01,Rehost\n"
    data = b"wave_name,app_name,server_name,r_type\n" + row * (50 * 2**20 // len(row))
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("intake.csv", data)
    del data
    assert path.stat().st_size < 1_000_000
    started = time.perf_counter()
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path)
    assert time.perf_counter() - started < 10
    assert str(caught.value) == (
        "bomb.zip holds more than 1,000,000 rows; the import reads at most 1,000,000 rows per file: "
        "split it into several files"
    )


def test_decompressed_bytes_are_limited_while_streaming(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_DECOMPRESSED_BYTES", 2**20)
    path = tmp_path / "wide.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("intake.csv", b"app_name,server_name\n" + b"Shop," + b"x" * 3 * 2**20 + b"\n")
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("wide.zip expands to more than 200 MB once decompressed")


def test_workbook_rows_are_limited(tmp_path: Path, workbook_writer, monkeypatch) -> None:
    monkeypatch.setattr(sources, "MAX_IMPORT_ROWS", 50)
    path = workbook_writer(
        tmp_path / "big.xlsx",
        {"applications": [["application_id", "name"]] + [[f"a{i}", f"A{i}"] for i in range(100)]},
    )
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path)
    assert str(caught.value).startswith("big.xlsx holds more than")


def test_options_still_map_servers(tmp_path: Path, csv_writer) -> None:
    traffic = preview_import(
        csv_writer(tmp_path / "a.csv", [AZURE, ["t", "web01", "", "db01", "", 1433]]),
        options=ImportOptions(server_applications={"web01": "APP-1", "db01": "APP-2"}),
    )
    assert traffic.portfolio.dependencies == [
        Dependency(source_application_id="APP-2", target_application_id="APP-1")
    ]
