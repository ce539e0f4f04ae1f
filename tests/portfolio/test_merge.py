"""Merging a second source: inventory then dependency export, ids stable, re-import changes nothing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from planning_core.domain import Application, Dependency, Portfolio
from planning_core.portfolio.importers import ImportOptions, merge_previews, plan_merge, preview_import

AZURE = [
    "Timeslot",
    "Source server name",
    "Source application",
    "Destination server name",
    "Destination application",
    "Destination port",
]
CMF = ["wave_name", "app_name", "server_name", "r_type"]


def test_inventory_then_dependency_export(tmp_path: Path, csv_writer) -> None:
    inventory = preview_import(
        csv_writer(
            tmp_path / "cmf.csv",
            [CMF, ["W1", "Web Shop", "web01", "Replatform"], ["W1", "Orders DB", "db01", "Rehost"]],
        )
    )
    traffic = preview_import(
        csv_writer(
            tmp_path / "azure.csv",
            [
                AZURE,
                ["t", "web01", "web shop", "db01", "ORDERS DB", 1433],
                ["t", "web01", "web shop", "mail01", "", 25],
            ],
        )
    )
    merged = merge_previews(inventory.portfolio, traffic.portfolio)
    assert merged == Portfolio(
        applications=[
            Application(
                application_id="web-shop",
                name="Web Shop",
                six_r_strategy="replatform",
                attributes={"servers": "web01"},
            ),
            Application(application_id="orders-db", name="Orders DB", attributes={"servers": "db01"}),
            Application(
                application_id="mail01",
                name="mail01",
                attributes={"servers": "mail01", "dependency_only": "true"},
            ),
        ],
        dependencies=[
            Dependency(source_application_id="mail01", target_application_id="web-shop"),
            Dependency(source_application_id="orders-db", target_application_id="web-shop"),
        ],
    )
    assert merge_previews(merged, traffic.portfolio) == merged


def test_inventory_servers_option_maps_traffic_to_inventory_ids(tmp_path: Path, csv_writer) -> None:
    inventory = preview_import(
        csv_writer(tmp_path / "cmf.csv", [CMF, ["", "Shop", "web01", ""], ["", "Db", "db01", ""]])
    )
    traffic = preview_import(
        csv_writer(
            tmp_path / "azure.csv", [AZURE, ["t", "WEB01", "IIS", "db01.corp.local", "SQL Server", 1433]]
        ),
        options=ImportOptions(server_applications=inventory.servers),
    )
    assert [a.application_id for a in traffic.portfolio.applications] == ["db", "shop"]
    merged = merge_previews(inventory.portfolio, traffic.portfolio)
    assert [a.application_id for a in merged.applications] == ["shop", "db"]
    assert merged.dependencies == [Dependency(source_application_id="db", target_application_id="shop")]


def test_inventory_after_traffic_fills_fields_and_keeps_ids() -> None:
    traffic = Portfolio(
        applications=[
            Application(
                application_id="crm",
                name="crm",
                server_count=3,
                attributes={"servers": "a, b, c", "dependency_only": "true"},
            )
        ]
    )
    inventory = Portfolio(
        applications=[
            Application(
                application_id="APP-9",
                name="CRM",
                six_r_strategy="refactor",
                business_criticality="high",
                pinned_wave=2,
            )
        ]
    )
    # issue 12: an application is identified by its id; the placeholder "crm" (known only from traffic)
    # takes the inventory's id instead of the inventory application losing it
    assert merge_previews(traffic, inventory) == Portfolio(
        applications=[
            Application(
                application_id="APP-9",
                name="CRM",
                six_r_strategy="refactor",
                business_criticality="high",
                pinned_wave=2,
                attributes={"servers": "a, b, c"},
            )
        ]
    )


def test_unmatched_applications_are_added_and_incoming_weights_win() -> None:
    base = Portfolio(
        applications=[Application(application_id="a", name="A"), Application(application_id="b", name="B")],
        dependencies=[Dependency(source_application_id="a", target_application_id="b", weight=5)],
    )
    incoming = Portfolio(
        applications=[
            Application(application_id="x-a", name="a"),
            Application(application_id="b", name="B"),
            Application(application_id="c", name="C"),
        ],
        dependencies=[
            Dependency(source_application_id="x-a", target_application_id="b", weight=2),
            Dependency(source_application_id="c", target_application_id="b"),
        ],
    )
    merged = merge_previews(base, incoming)
    # issue 12: "x-a" has its own id, so it is not matched to "a" by name (it used to overwrite it)
    assert [a.application_id for a in merged.applications] == ["a", "b", "x-a", "c"]
    assert merged.dependencies == [
        Dependency(source_application_id="a", target_application_id="b", weight=5),
        Dependency(source_application_id="x-a", target_application_id="b", weight=2),
        Dependency(source_application_id="c", target_application_id="b"),
    ]


NAMES = st.sampled_from(["Shop", "shop", "CRM", "Billing", "Ledger", "Web App", "web-app"])


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    names = draw(st.lists(NAMES, max_size=5))
    apps = [
        Application(
            application_id=f"{draw(st.sampled_from(['', 'ID-']))}{i}-{n}",
            name=n,
            attributes={"dependency_only": "true"} if draw(st.booleans()) else {},
        )
        for i, n in enumerate(names)
    ]
    ids = [a.application_id for a in apps]
    pairs = (
        draw(
            st.sets(
                st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
                max_size=5,
            )
        )
        if len(ids) > 1
        else set()
    )
    return Portfolio(
        applications=apps,
        dependencies=[Dependency(source_application_id=s, target_application_id=t) for s, t in sorted(pairs)],
    )


@settings(max_examples=60, deadline=None, database=None)
@given(base=portfolios(), incoming=portfolios())
def test_merging_again_changes_nothing_and_keeps_base_ids(base: Portfolio, incoming: Portfolio) -> None:
    preview = plan_merge(base, incoming)
    merged = preview.portfolio
    assert merge_previews(merged, incoming) == merged
    assert merge_previews(base, base) == base
    # issue 12: a placeholder replaced by an inventory application takes the inventory's id
    assert [a.application_id for a in merged.applications][: len(base.applications)] == [
        preview.renamed.get(a.application_id, a.application_id) for a in base.applications
    ]


def test_stored_inventory_maps_a_later_dependency_export(tmp_path: Path, csv_writer) -> None:
    from planning_core.portfolio import server_map

    stored = preview_import(
        csv_writer(
            tmp_path / "cmf.csv", [CMF, ["", "Shop", "web01.corp.local", ""], ["", "Db", "10.0.0.5", ""]]
        )
    ).portfolio
    assert server_map(stored) == {"web01": "shop", "10.0.0.5": "db"}
    traffic = preview_import(
        csv_writer(
            tmp_path / "azure2.csv",
            [[*AZURE, "Destination IP"], ["t", "web01", "IIS", "", "", 1433, "10.0.0.5"]],
        ),
        options=ImportOptions(server_applications=server_map(stored)),
    )
    assert [a.application_id for a in traffic.portfolio.applications] == ["db", "shop"]
    assert merge_previews(stored, traffic.portfolio).dependencies == [
        Dependency(source_application_id="db", target_application_id="shop")
    ]
