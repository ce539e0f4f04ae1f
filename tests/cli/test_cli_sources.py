"""`planning-flow import` as a sync of a named source, `planning-flow sources`, `plan --portfolio F`
planning exactly F, and refused commands leaving the database as it was (SQLite and Postgres)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from planning_core import limits
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace
from tests.cli.test_cli import _app, _write_csvs, run_cli


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], ids=["sqlite", "postgres"]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    created = server.create("planning_cli_sources")
    yield created
    server.drop(created)


def dep(s: str, t: str, kind: str = "precedes") -> dict:
    return {"source_application_id": s, "target_application_id": t, "dependency_type": kind, "weight": "1"}


def chain(ids: list[str], count: int) -> list[dict]:
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    return [dep(a, b) for a, b in pairs[:count]]


def row_counts(url: str) -> dict[str, int]:
    database = open_database(url)
    try:
        with database.owner_engine.connect() as connection:
            names = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            return {t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in names}
    finally:
        database.dispose()


def test_import_is_a_sync_with_a_dry_run_and_sources(tmp_path: Path, capsys, url: str) -> None:
    ids = [f"a{i}" for i in range(6)]
    apps = [_app(i) for i in ids]
    apps[0]["pinned_wave"] = "2"
    first = _write_csvs(tmp_path / "inventory", apps, chain(ids, 10))
    code, out, err = run_cli(capsys, "import", str(first), "--dry-run", "--database-url", url)
    assert code == 0, err
    assert out.splitlines()[1:] == [
        "applications added=6 changed=0 removed=0",
        "dependencies added=10 changed=0 removed=0",
    ]
    assert (
        "dry_run=yes" in out.splitlines()[0]
        and sum(row_counts(url).get(t, 0) for t in ("applications",)) == 0
    )
    code, out, err = run_cli(capsys, "import", str(first), "--source", "cmdb", "--database-url", url)
    assert code == 0, err
    assert out.splitlines()[0].startswith(
        "import format=template source=cmdb applications=6 dependencies=10 "
    )
    corrected_apps = [dict(a) for a in apps]
    corrected_apps[0]["pinned_wave"] = ""
    corrected = _write_csvs(tmp_path / "corrected", corrected_apps, chain(ids, 5))
    code, out, _ = run_cli(
        capsys, "import", str(corrected), "--source", "cmdb", "--dry-run", "--database-url", url
    )
    assert out.splitlines()[1:] == [
        "applications added=0 changed=1 removed=0",
        "dependencies added=0 changed=0 removed=5",
    ]
    run_cli(capsys, "import", str(corrected), "--source", "cmdb", "--database-url", url)
    database = open_database(url)
    try:
        stored = PlanningService(database, workspace(database)).portfolio()
    finally:
        database.dispose()
    assert len(stored.dependencies) == 5 and stored.by_id()["a0"].pinned_wave is None
    code, out, _ = run_cli(capsys, "sources", "--database-url", url)
    assert code == 0 and out.startswith("source cmdb applications=6 dependencies=5 imported=")
    code, out, _ = run_cli(capsys, "sources", "--remove", "cmdb", "--database-url", url)
    assert out.splitlines() == [
        "removed source cmdb",
        "applications added=0 changed=0 removed=6",
        "dependencies added=0 changed=0 removed=5",
    ]
    assert run_cli(capsys, "sources", "--database-url", url)[1] == ""
    code, _, err = run_cli(capsys, "sources", "--remove", "cmdb", "--database-url", url)
    assert code == 2 and "does not exist" in err


def test_plan_of_a_file_is_that_file(tmp_path: Path, capsys, url: str) -> None:
    a_ids = [f"x{i}" for i in range(8)]
    b_ids = [f"x{i}" for i in range(3, 10)]
    a = _write_csvs(tmp_path / "a", [_app(i) for i in a_ids], chain(a_ids, 12))
    b = _write_csvs(tmp_path / "b", [_app(i) for i in b_ids], chain(b_ids, 4))
    assert run_cli(capsys, "plan", "--portfolio", str(a), "--database-url", url)[0] == 0
    code, out, err = run_cli(
        capsys, "plan", "--portfolio", str(b), "--out", str(tmp_path / "o"), "--database-url", url
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    assert doc["selected_applications"] == b_ids
    database = open_database(url)
    try:
        plan = PlanningService(database, workspace(database)).get_plan(doc["planning_flow_id"])
    finally:
        database.dispose()
    expected = {(d["source_application_id"], d["target_application_id"]) for d in chain(b_ids, 4)}
    assert {(d.source_application_id, d.target_application_id) for d in plan.dependencies} == expected


def test_refused_commands_leave_the_database_as_it_was(
    tmp_path: Path, capsys, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [f"r{i}" for i in range(5)]
    good = _write_csvs(tmp_path / "good", [_app(i) for i in ids], chain(ids, 3))
    assert run_cli(capsys, "plan", "--portfolio", str(good), "--database-url", url)[0] == 0
    other_ids = [f"s{i}" for i in range(6)]
    other = _write_csvs(tmp_path / "other", [_app(i) for i in other_ids], chain(other_ids, 3))
    before = row_counts(url)

    def config(values: dict) -> str:
        path = tmp_path / f"config-{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps(values))
        return str(path)

    refused = [
        ("plan", "--portfolio", str(other), "--name", "n" * 201),
        ("plan", "--portfolio", str(other), "--config", config({"resource_pools": []})),
        ("plan", "--portfolio", str(other), "--config", config({"migration_start_date": "9999-01-01"})),
    ]
    for args in refused:
        code, out, err = run_cli(capsys, *args, "--database-url", url)
        assert (code, out) == (2, ""), args
        assert err.strip().splitlines()[-1].startswith("error: ")
        assert row_counts(url) == before, args
    monkeypatch.setattr(limits, "MAX_APPLICATIONS_PER_PLAN", 5)
    code, _, err = run_cli(capsys, "plan", "--portfolio", str(other), "--database-url", url)
    assert code == 2 and "a plan covers at most 5" in err
    assert row_counts(url) == before
    monkeypatch.setattr(limits, "MAX_APPLICATIONS_PER_IMPORT", 5)
    for command in (("plan", "--portfolio"), ("import",)):
        code, _, err = run_cli(capsys, *command, str(other), "--database-url", url)
        assert code == 2 and "at most 5 can be imported" in err
        assert row_counts(url) == before
