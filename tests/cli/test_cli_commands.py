"""The run commands of `planning-flow`: status, resume, run-phase, export; the summary line's real state;
kill -9 during a run then `status` and `resume` (SQLite and Postgres); a cut database connection gives
one line without SQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from planning_core.cli import main
from planning_core.domain import Application, Dependency, Phase, Portfolio
from planning_core.service import phases
from planning_core.service.flow import PlanningService
from planning_core.service.workspace import open_database, workspace
from planning_core.settings import clear_settings_cache

REPO = Path(__file__).resolve().parents[2]
STATUS_LINE = re.compile(
    r"^plan (?P<id>[0-9a-f-]{36}) phase=(?P<phase>[a-z_]+) status=(?P<status>[a-z]+) "
    r"revision=(?P<revision>\d+) updated=(?P<updated>\S+) name=(?P<name>.*)$"
)
CONFIG = {"max_apps_per_wave": 2, "wave_duration_limit_days": 30, "pilot_wave": False}

# A CLI process whose chosen point hangs: `engine:<phase>` inside that phase's engine, `revision:run`
# just before the run's revision is written (inside its transaction) until the file argv[1] exists.
HANGING_CLI = textwrap.dedent(
    """
    import os, sys, time
    from planning_core.domain import Phase
    from planning_core.service import phases

    point, release = sys.argv[1], sys.argv[2]

    def wait():
        print("HANG", flush=True)
        while not os.path.exists(release):
            time.sleep(0.05)

    if point.startswith("engine:"):
        phase = Phase(point.split(":", 1)[1])
        real = phases.RUNNERS[phase]

        def hanging(plan, portfolio):
            wait()
            return real(plan, portfolio)

        phases.RUNNERS[phase] = hanging
    else:
        from db.revisions import RevisionRepository

        real_add = RevisionRepository.add_revision

        def add_revision(self, **values):
            if values.get("action") == "run":
                wait()
            return real_add(self, **values)

        RevisionRepository.add_revision = add_revision
    from planning_core.cli import main

    sys.exit(main(sys.argv[3:]))
    """
)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory (the log file goes there); a run is interrupted after 1.5 s without heartbeat."""
    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLANNING_RUN_STALE_AFTER_S", "1.5")
    monkeypatch.delenv("PLANNING_LOG_FILE", raising=False)
    clear_settings_cache()
    yield tmp_path / "data"
    clear_settings_cache()


def portfolio() -> Portfolio:
    apps = [("db", 40), ("web", 30), ("api", 20), ("batch", 10), ("report", 10)]
    return Portfolio(
        applications=[Application(application_id=a, name=f"App {a}", effort_hours=e) for a, e in apps],
        dependencies=[
            Dependency(source_application_id="web", target_application_id="db"),
            Dependency(source_application_id="api", target_application_id="db"),
        ],
    )


def new_plan(url: str, *, run: bool = False) -> str:
    """A plan of the five applications in the CLI's default workspace."""
    database = open_database(url)
    try:
        service = PlanningService(database, workspace(database))
        service.import_portfolio(portfolio())
        plan = service.initialize(
            selected_application_ids=[a.application_id for a in portfolio().applications],
            config=CONFIG,
            run=run,
        )
    finally:
        database.dispose()
    return plan.planning_flow_id


def status_lines(capsys: pytest.CaptureFixture[str], url: str, *plan_id: str) -> list[dict[str, str]]:
    code, out, err = run_cli(capsys, "status", *plan_id, "--database-url", url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    parsed = [STATUS_LINE.match(line) for line in lines]
    assert all(parsed), lines
    return [m.groupdict() for m in parsed if m]


def test_status_lines_parse_and_run_phase_gives_the_prerequisite_message(tmp_path, data_dir, capsys) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert status_lines(capsys, url) == []  # no workspace yet: no plans
    first, second = new_plan(url), new_plan(url)
    lines = status_lines(capsys, url)
    assert {line["id"] for line in lines} == {first, second}
    assert {(line["phase"], line["status"], line["revision"]) for line in lines} == {
        ("wave_planning", "pending", "0")
    }
    assert lines[0]["name"] == "Migration plan (5 applications)"

    code, _, err = run_cli(capsys, "run-phase", first, "timeline_generation", "--database-url", url)
    assert (code, err.strip()) == (
        2,
        "error: Timeline generation needs wave planning first (it is pending). Run wave planning and try again.",
    )
    code, out, err = run_cli(capsys, "run-phase", first, "wave_planning", "--database-url", url)
    assert code == 0, err
    assert out.startswith(f"plan {first} phase=resource_allocation status=pending apps=5 waves=")
    [line] = status_lines(capsys, url, first)
    assert (line["phase"], line["status"], line["revision"]) == ("resource_allocation", "pending", "1")
    code, _, err = run_cli(capsys, "status", "no-such-plan", "--database-url", url)
    assert (code, err.strip()) == (2, "error: Plan no-such-plan does not exist in this engagement.")


def test_export_of_a_stored_plan(tmp_path, data_dir, capsys) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'p.db'}"
    plan_id = new_plan(url, run=True)
    out_dir = tmp_path / "out"
    code, out, err = run_cli(
        capsys, "export", plan_id, "--out", str(out_dir), "--format", "json,csv,mspdi", "--database-url", url
    )
    assert code == 0, err
    assert out.strip().startswith(f"export plan {plan_id} formats=json,csv,mspdi files=")
    assert (out_dir / "plan.json").read_text(encoding="utf-8").count(plan_id) >= 1
    assert (out_dir / "plan.mspdi.xml").stat().st_size > 0 and list((out_dir / "csv").glob("*.csv"))
    code, _, err = run_cli(
        capsys, "export", plan_id, "--out", str(out_dir), "--format", "docx", "--database-url", url
    )
    assert (code, err.strip()) == (
        2,
        "error: Unknown export format docx; formats are: pdf, xlsx, csv, json, mspdi.",
    )


def test_summary_line_reports_a_blocked_completion(tmp_path, data_dir, capsys) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'p.db'}"
    plan_id = new_plan(url, run=True)
    database = open_database(url)
    try:
        service = PlanningService(database, workspace(database))
        plan = service.get_plan(plan_id)
        moved = plan.wave_plan.model_copy(deep=True)
        last = moved.waves[-1].wave_number
        for wave in moved.waves:  # db, which web and api need first, goes to the last wave
            found = [a for a in wave.applications if a.application_id == "db"]
            wave.applications = [a for a in wave.applications if a.application_id != "db"]
            if found:
                moved_app = found[0]
        [w for w in moved.waves if w.wave_number == last][0].applications.append(moved_app)
        service.update(
            planning_flow_id=plan_id, expected_version=plan.version, wave_plan=moved, confirm_violations=True
        )
    finally:
        database.dispose()
    code, out, err = run_cli(capsys, "resume", plan_id, "--database-url", url)
    assert code == 0, err
    assert re.match(rf"^plan {plan_id} phase=synthesis status=blocked hard_violations=[1-9]\d* apps=5 ", out)
    [line] = status_lines(capsys, url, plan_id)
    assert (line["phase"], line["status"]) == ("synthesis", "blocked")


def _spawn(script: Path, point: str, release: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(script), point, str(release), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _child_env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PLANNING_DATA_DIR": str(data_dir),
        "PLANNING_RUN_HEARTBEAT_S": "0.2",
    }


def _wait_for_hang(child: subprocess.Popen) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()  # blocks until the child hangs (or dies: '')
    assert line.strip() == "HANG", (line, child.poll())


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_during_a_run_then_status_and_resume(
    backend, tmp_path, data_dir, capsys, request, monkeypatch
) -> None:  # noqa: ANN001
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'p.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create("planning_cli_kill")
    plan_id = new_plan(url)
    script = tmp_path / "hanging_cli.py"
    script.write_text(HANGING_CLI)
    child = _spawn(
        script,
        "engine:timeline_generation",
        tmp_path / "never",
        "resume",
        plan_id,
        "--database-url",
        url,
        env=_child_env(data_dir),
    )
    try:
        _wait_for_hang(child)
        [line] = status_lines(capsys, url)
        assert (line["id"], line["phase"], line["status"]) == (plan_id, "timeline_generation", "running")
        code, _, err = run_cli(capsys, "resume", plan_id, "--database-url", url)
        assert code == 2 and "is being run by another process" in err
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    time.sleep(2.0)  # the heartbeat goes stale
    [line] = status_lines(capsys, url)
    assert (line["id"], line["phase"], line["status"]) == (plan_id, "timeline_generation", "interrupted")

    def computed_twice(plan, portfolio):  # noqa: ANN001, ANN202
        raise AssertionError("a phase that was already stored was computed again")

    monkeypatch.setitem(phases.RUNNERS, Phase.WAVE_PLANNING, computed_twice)
    monkeypatch.setitem(phases.RUNNERS, Phase.RESOURCE_ALLOCATION, computed_twice)
    code, out, err = run_cli(capsys, "resume", plan_id, "--database-url", url)
    assert code == 0, err
    assert out.startswith(f"plan {plan_id} phase=completed status=completed apps=5 waves=")
    [line] = status_lines(capsys, url)  # still one plan: resume adds none
    assert (line["id"], line["phase"], line["status"]) == (plan_id, "completed", "completed")


@pytest.mark.postgres
def test_a_cut_connection_gives_one_line_without_sql(tmp_path, data_dir, capsys, postgres_server) -> None:  # noqa: ANN001
    url = postgres_server.create("planning_cli_cut")
    plan_id = new_plan(url)
    script = tmp_path / "hanging_cli.py"
    script.write_text(HANGING_CLI)
    release = tmp_path / "release"
    child = _spawn(
        script, "revision:run", release, "resume", plan_id, "--database-url", url, env=_child_env(data_dir)
    )
    try:
        _wait_for_hang(child)
        admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:  # cut every connection to the test's own database
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(url).database},
            )
        admin.dispose()
        release.touch()
        _, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: the connection to the database was lost (details in ")
    assert lines[0].endswith(f"; plan {plan_id} keeps its completed phases: planning-flow resume {plan_id}")
    for leak in ("SQL", "INSERT", "parameters", "App db", "snapshot", "Traceback"):
        assert leak not in err
    log = (data_dir / "planning-flow.log").read_text(encoding="utf-8")
    assert "OperationalError" in log and "planning-flow resume" in log

    code, out, err = run_cli(capsys, "resume", plan_id, "--database-url", url)
    assert code == 0, err
    assert out.startswith(f"plan {plan_id} phase=completed status=completed ")
