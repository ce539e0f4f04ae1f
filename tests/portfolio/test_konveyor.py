"""Konveyor CSV: directions, cycles, tags, and every row-level problem with its row and action."""

from __future__ import annotations

from pathlib import Path

from planning_core.domain import Application, Dependency
from planning_core.portfolio.importers import ImportProblem, preview_import

HEADER = [
    "Record Type 1",
    "Application Name",
    "Description",
    "Business Service",
    "Dependency",
    "Dependency Direction",
    "Tag Category 1",
    "Tag 1",
    "Tag Category 2",
    "Tag 2",
    "Tag Category 3",
    "Tag 3",
]


def rows(*lines: list[str]) -> list[list[str]]:
    return [HEADER, *lines]


def test_southbound_and_northbound_give_callee_first(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "k.csv",
        rows(
            ["1", "Web"],
            ["1", "Api"],
            ["1", "Db"],
            ["2", "Web", "", "", "Api", "southbound"],  # Web calls Api -> Api precedes Web
            ["2", "Db", "", "", "Api", "northbound"],  # Api calls Db -> Db precedes Api
            ["2", "Api", "", "", "Web", "northbound"],  # the first dependency listed from the other end
        ),
    )
    preview = preview_import(path)
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="api", target_application_id="web"),
        Dependency(source_application_id="db", target_application_id="api"),
    ]
    assert preview.stats["duplicate_dependencies"] == 1


def test_two_applications_that_depend_on_each_other_are_kept_and_reported(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "k.csv",
        rows(
            ["1", "Orders"],
            ["1", "Billing"],
            ["2", "Orders", "", "", "Billing", "southbound"],
            ["2", "Billing", "", "", "Orders", "southbound"],
        ),
    )
    preview = preview_import(path)
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="billing", target_application_id="orders"),
        Dependency(source_application_id="orders", target_application_id="billing"),
    ]
    assert preview.problems[-1] == ImportProblem(
        message="applications depend on each other in a cycle: Billing, Orders",
        action="kept; the wave planner places a cycle in one wave",
        severity="warning",
    )
    assert preview.stats["cycles"] == 1


def test_tags_set_strategy_criticality_complexity_environment(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "k.csv",
        rows(
            [
                "1",
                "Ledger",
                "Books",
                "Finance",
                "",
                "",
                "Migration Strategy",
                "Lift and Shift",
                "Business Criticality",
                "Tier 1",
                "Complexity",
                "High",
            ],
            [
                "1",
                "Portal",
                "",
                "Web",
                "",
                "",
                "6R",
                "Refactor/Rearchitect",
                "Environment",
                "staging",
                "Language",
                "Java",
            ],
        ),
    )
    preview = preview_import(path)
    assert preview.portfolio.applications == [
        Application(
            application_id="ledger",
            name="Ledger",
            description="Books",
            business_unit="Finance",
            business_criticality="critical",
            complexity=8,
            attributes={
                "Migration Strategy": "Lift and Shift",
                "Business Criticality": "Tier 1",
                "Complexity": "High",
            },
        ),
        Application(
            application_id="portal",
            name="Portal",
            business_unit="Web",
            six_r_strategy="refactor",
            environment="staging",
            required_skills=["java"],
            attributes={"6R": "Refactor/Rearchitect", "Environment": "staging", "Language": "Java"},
        ),
    ]
    assert preview.problems == []


def test_row_problems_are_reported_with_rows_and_actions(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(
        tmp_path / "k.csv",
        rows(
            ["1", "Alpha", "", "", "", "", "Migration Strategy", "Teleport", "Complexity", "12"],
            ["1", "alpha "],
            ["1", ""],
            ["3", "Gamma"],
            ["2", "Alpha", "", "", "Ghost", "southbound"],
            ["2", "Alpha", "", "", "Alpha", "southbound"],
            ["2", "Alpha", "", "", "Beta", "sideways"],
            ["1", "Beta", "", "", "", "", "Migration Strategy", "Retire"],
            ["2", "Alpha", "", "", "Beta", ""],
        ),
    )
    preview = preview_import(path)
    assert [a.application_id for a in preview.portfolio.applications] == ["alpha", "beta"]
    assert preview.portfolio.dependencies == [
        Dependency(source_application_id="beta", target_application_id="alpha")
    ]
    assert [(p.row, p.column, p.message, p.action, p.severity) for p in preview.problems] == [
        (
            5,
            "Record Type 1",
            "unknown record type '3' (1 = application, 2 = dependency)",
            "row skipped",
            "error",
        ),
        (
            2,
            "Tag (Migration Strategy)",
            "unknown migration strategy 'Teleport'",
            "defaulted to rehost",
            "error",
        ),
        (
            2,
            "Tag (Complexity)",
            "complexity must be 1-10 or low/medium/high, got '12'",
            "defaulted to 5",
            "error",
        ),
        (
            3,
            "Application Name",
            "duplicate application 'alpha'",
            "row skipped (the first row is kept)",
            "error",
        ),
        (4, "Application Name", "application name is blank", "row skipped", "error"),
        (6, "Dependency", "dependency on unknown application 'Ghost'", "row skipped", "error"),
        (7, "Dependency", "'Alpha' cannot depend on itself", "row skipped", "error"),
        (
            8,
            "Dependency Direction",
            "unknown direction 'sideways' (northbound or southbound)",
            "row skipped",
            "error",
        ),
        (
            10,
            "Dependency Direction",
            "dependency direction is blank",
            "read as southbound (the application calls the dependency)",
            "warning",
        ),
    ]


def test_colliding_slugs_get_numbered_ids(tmp_path: Path, csv_writer) -> None:
    path = csv_writer(tmp_path / "k.csv", rows(["1", "Web App"], ["1", "web-app"], ["1", "Web_App"]))
    preview = preview_import(path)
    assert [a.application_id for a in preview.portfolio.applications] == ["web-app", "web-app-2", "web-app-3"]
    assert [(p.row, p.action) for p in preview.problems if p.severity == "warning"][:2] == [
        (3, "given the id 'web-app-2'"),
        (4, "given the id 'web-app-3'"),
    ]
