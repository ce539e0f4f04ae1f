"""Azure Migrate export: aggregation, IP-only servers, admin ports, move_together threshold, mapping."""

from __future__ import annotations

from pathlib import Path

from planning_core.domain import Application
from planning_core.portfolio.importers import ImportOptions, ImportProblem, preview_import

HEADER = [
    "Timeslot",
    "Source server name",
    "Source IP",
    "Source application",
    "Destination server name",
    "Destination IP",
    "Destination application",
    "Destination port",
]


def conn(
    src: str, src_app: str, dst: str, dst_app: str, port: object = 443, src_ip: str = "", dst_ip: str = ""
) -> list[object]:
    return ["2025-06-14 00:00", src, src_ip, src_app, dst, dst_ip, dst_app, port]


def deps(preview) -> list[tuple[str, str, str, float]]:
    return [
        (d.source_application_id, d.target_application_id, d.dependency_type.value, d.weight)
        for d in preview.portfolio.dependencies
    ]


def test_two_way_chatter_at_threshold_moves_together(tmp_path: Path, csv_writer) -> None:
    lines = [conn("web", "Shop", "api", "Orders")] * 10 + [conn("api", "Orders", "web", "Shop")] * 10
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert deps(preview) == [("orders", "shop", "move_together", 20.0)]


def test_two_way_chatter_below_threshold_keeps_the_busier_direction(tmp_path: Path, csv_writer) -> None:
    lines = [conn("web", "Shop", "api", "Orders")] * 10 + [conn("api", "Orders", "web", "Shop")] * 9
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert deps(preview) == [("orders", "shop", "precedes", 19.0)]
    assert preview.stats["reverse_directions_merged"] == 1


def test_equal_weak_two_way_chatter_is_a_reported_cycle(tmp_path: Path, csv_writer) -> None:
    lines = [conn("web", "Shop", "api", "Orders")] * 2 + [conn("api", "Orders", "web", "Shop")] * 2
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert deps(preview) == [("shop", "orders", "precedes", 2.0), ("orders", "shop", "precedes", 2.0)]
    assert preview.problems[-1].message == "applications depend on each other in a cycle: Orders, Shop"


def test_threshold_is_an_option(tmp_path: Path, csv_writer) -> None:
    lines = [conn("web", "Shop", "api", "Orders")] * 2 + [conn("api", "Orders", "web", "Shop")] * 2
    preview = preview_import(
        csv_writer(tmp_path / "a.csv", [HEADER, *lines]),
        options=ImportOptions(move_together_min_observations=2),
    )
    assert deps(preview) == [("orders", "shop", "move_together", 4.0)]


def test_ip_only_servers_and_blank_applications_become_applications(tmp_path: Path, csv_writer) -> None:
    lines = [
        conn("", "", "", "", 1433, src_ip="10.0.0.7", dst_ip="10.0.0.9"),
        conn("", "", "db01.corp.local", "", 1433, src_ip="10.0.0.7"),
    ]
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert preview.portfolio.applications == [
        Application(
            application_id="10-0-0-7",
            name="10.0.0.7",
            attributes={"servers": "10.0.0.7", "dependency_only": "true"},
        ),
        Application(
            application_id="10-0-0-9",
            name="10.0.0.9",
            attributes={"servers": "10.0.0.9", "dependency_only": "true"},
        ),
        Application(
            application_id="db01-corp-local",
            name="db01.corp.local",
            attributes={"servers": "db01.corp.local", "dependency_only": "true"},
        ),
    ]
    assert deps(preview) == [
        ("10-0-0-9", "10-0-0-7", "precedes", 1.0),
        ("db01-corp-local", "10-0-0-7", "precedes", 1.0),
    ]


def test_servers_map_to_their_most_frequent_application(tmp_path: Path, csv_writer) -> None:
    lines = [conn("web1", "Shop", "db", "SQL Server")] * 3 + [conn("web1", "IIS", "db", "SQL Server")]
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert [(a.application_id, a.server_count) for a in preview.portfolio.applications] == [
        ("shop", 1),
        ("sql-server", 1),
    ]
    assert deps(preview) == [("sql-server", "shop", "precedes", 4.0)]


def test_admin_ports_are_dropped_and_configurable(tmp_path: Path, csv_writer) -> None:
    lines = [conn("a", "A", "b", "B", 3389), conn("a", "A", "b", "B", 22), conn("a", "A", "c", "C", 445)]
    path = csv_writer(tmp_path / "a.csv", [HEADER, *lines])
    assert deps(preview_import(path)) == [("c", "a", "precedes", 1.0)]
    assert preview_import(path).problems[0] == ImportProblem(
        column="Destination port",
        message="2 connection(s) on administrative ports (port 22: 1, port 3389: 1)",
        action="dropped (administration traffic is not an application dependency)",
        severity="warning",
    )
    assert deps(preview_import(path, options=ImportOptions(admin_ports=[445]))) == [
        ("b", "a", "precedes", 2.0)
    ]


def test_inventory_servers_attach_traffic_to_inventory_ids(tmp_path: Path, csv_writer) -> None:
    lines = [conn("WEB01.corp.local", "", "db01", "")]
    options = ImportOptions(server_applications={"web01": "APP-1", "DB01": "APP-2"})
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]), options=options)
    assert [a.application_id for a in preview.portfolio.applications] == ["APP-1", "APP-2"]
    assert deps(preview) == [("APP-2", "APP-1", "precedes", 1.0)]


def test_bad_rows_are_reported_and_skipped(tmp_path: Path, csv_writer) -> None:
    lines = [
        conn("", "", "b", "B"),
        conn("a", "A", "", ""),
        conn("a", "A", "b", "B", "https"),
        conn("a", "A", "a", "A"),
        conn("a", "A", "b", "B", 70000),
        conn("a", "A", "b", "B", ""),
    ]
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert [(p.row, p.column, p.message, p.action) for p in preview.errors] == [
        (2, "Source server name", "no server name or IP address", "row skipped"),
        (3, "Destination server name", "no server name or IP address", "row skipped"),
        (4, "Destination port", "not a port number: 'https'", "row skipped"),
        (6, "Destination port", "not a port number: '70000'", "row skipped"),
    ]
    assert deps(preview) == [("b", "a", "precedes", 1.0)]
    assert preview.stats["same_server_connections"] == 1


def test_missing_columns_are_named(tmp_path: Path, csv_writer) -> None:
    import pytest

    from planning_core.errors import PortfolioFormatError

    path = csv_writer(
        tmp_path / "a.csv",
        [
            ["Timeslot", "Source server name", "Source application", "Destination application"],
            ["x", "a", "A", "B"],
        ],
    )
    with pytest.raises(PortfolioFormatError) as caught:
        preview_import(path, format="azure_migrate")
    assert str(caught.value) == (
        "a.csv is missing the column(s) Destination server name, Destination port for the azure_migrate format "
        "(found: Timeslot, Source server name, Source application, Destination application)"
    )


def test_many_problems_are_capped_with_a_summary(tmp_path: Path, csv_writer) -> None:
    lines = [conn("", "", "b", "B")] * 7
    preview = preview_import(
        csv_writer(tmp_path / "a.csv", [HEADER, *lines]), options=ImportOptions(max_problems=3)
    )
    assert [p.row for p in preview.problems] == [2, 3, 4, None]
    assert preview.problems[-1].message == "4 more errors not listed (the preview lists the first 3)"
    assert preview.stats["errors"] == 7


def test_ip_only_rows_join_the_named_server_with_that_ip(tmp_path: Path, csv_writer) -> None:
    lines = [
        conn("", "", "db01", "SQL", 1433, src_ip="10.0.0.7", dst_ip="10.0.0.9"),
        conn("web01", "Shop", "db01", "SQL", 1433, src_ip="10.0.0.7", dst_ip="10.0.0.9"),
        conn("web01", "Shop", "", "", 1433, dst_ip="10.0.0.9"),
    ]
    preview = preview_import(csv_writer(tmp_path / "a.csv", [HEADER, *lines]))
    assert [(a.application_id, a.attributes["servers"]) for a in preview.portfolio.applications] == [
        ("shop", "web01"),
        ("sql", "db01"),
    ]
    assert deps(preview) == [("sql", "shop", "precedes", 3.0)]
