"""Suggestions reviewed in the dashboard and the quiet command line, against the loopback
OpenAI-compatible stand-in (the real CrewAI HTTP path):

- AppTest: a valid wave move is a pending suggestion on its wave's card and in the board's rows, and
  accepting it is a stored revision; a transfer edited then accepted on the resources page; a cost line
  rejected on the costs page; the Advisers page lists the runs, and without a model says how to set one;
- Chromium (Playwright): the same reject / edit / accept flow in a real browser, with screenshots of the
  board with a pending suggestion and of the Advisers page;
- `planning-flow plan`: stdout has one line per specialist run and the summary, stderr no library
  ERROR line (they go to the log file).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from planning_core.plan import PlanDocument, SuggestionKind, SuggestionStatus
from planning_core.service.runs import run_worker_once
from planning_core.service.suggestions import SuggestionService
from planning_core.service.workspace import open_database, workspace
from planning_core.settings import clear_settings_cache
from tests.agents.agents_support import small_config, small_portfolio
from tests.agents.standin import Reply, StandIn

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
ANSWERS: dict[str, dict[str, Any]] = {
    "waves": {"moves": [{"application_id": "mail", "to_wave": 1, "rationale": "Wave 1 has room."}]},
    "resources": {
        "transfers": [
            {
                "wave_number": 1,
                "from_role": "migration_engineer",
                "to_role": "developer",
                "hours": 2,
                "rationale": "More code changes than moves.",
            }
        ]
    },
    "timeline": {
        "wave_dates": [{"wave_number": 2, "not_before": "2027-03-01", "rationale": "Freeze in February."}]
    },
    "costs": {"cost_lines": [{"category": "training", "amount": 5000, "name": "Cloud training"}]},
}
MOVE_LINE = "suggested: move to wave 1 — because wave 1 has room."


def script(answers: dict[str, Any]):  # noqa: ANN201
    """Each specialist gets its scripted JSON answer (a Reply for an HTTP failure)."""

    def answer(body: dict[str, Any]) -> Reply:
        text = "\n".join(str(m.get("content")) for m in body["messages"])
        for persona, key in (
            ("Wave Planning Specialist", "waves"),
            ("Resource Allocation Specialist", "resources"),
            ("Timeline Generation Specialist", "timeline"),
        ):
            if persona in text:
                found = answers.get(key, {})
                return found if isinstance(found, Reply) else Reply(content=json.dumps(found))
        if "executive narrative" in text:
            return Reply(content=json.dumps({"narrative": "Three waves."}))
        return Reply(content=json.dumps(answers.get("costs", {})))

    return answer


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch, standin: StandIn, tmp_path: Path) -> Iterator[StandIn]:
    """PLANNING_LLM_* pointing at the stand-in, a fresh data directory, no demo (also in os.environ, for
    a Streamlit process started by the test)."""
    from ui import state

    monkeypatch.setenv("PLANNING_LLM_MODEL", "openai/standin-model")
    monkeypatch.setenv("PLANNING_LLM_BASE_URL", standin.base_url)
    monkeypatch.setenv("PLANNING_LLM_API_KEY", "test-key")
    monkeypatch.setenv("PLANNING_LLM_TIMEOUT_S", "5")
    monkeypatch.setenv("PLANNING_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PLANNING_DEMO_APPS", "0")
    monkeypatch.setenv("PLANNING_DEMO_PLAN", "0")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    standin.reset(script(ANSWERS))
    clear_settings_cache()
    state.get_database.clear()
    state._cached_portfolio.clear()
    state.stored_plan.clear()
    state._background_worker.clear()  # a worker of another test's database would never see this one's runs
    yield standin
    state.get_database.clear()
    clear_settings_cache()


def _reviewed_plan() -> tuple[Any, SuggestionService, PlanDocument]:
    """The small plan computed with the scripted specialists, its suggestions kept for review."""
    database = open_database()
    service = SuggestionService(database, workspace(database))
    portfolio = small_portfolio()
    service.import_portfolio(portfolio)
    config = small_config().model_copy(update={"suggestion_mode": "review"})
    plan = service.initialize(
        selected_application_ids=[a.application_id for a in portfolio.applications],
        config=config.model_dump(mode="json"),
        name="Reviewed plan",
    )
    return database, service, plan


def _one(service: SuggestionService, plan_id: str, kind: SuggestionKind, status: str = "pending") -> Any:
    found = [v for v in service.suggestions(plan_id, kind=kind) if v.status == status]
    assert len(found) == 1, [(v.kind, v.status, v.validation) for v in service.suggestions(plan_id)]
    return found[0]


def _settled(
    service: SuggestionService, plan_id: str, *, drain: bool = True, timeout: float = 180.0
) -> PlanDocument:
    """The plan once no run works on it any more (the recomputation after an accepted suggestion): the
    queued run taken here (`drain`, for AppTest), else left to the Streamlit process's worker."""
    deadline = time.monotonic() + timeout
    while service.active_run(plan_id) is not None:
        assert time.monotonic() < deadline, "the recomputation did not end"
        if not (drain and run_worker_once(service.database, heartbeat_s=0.2)):
            time.sleep(0.2)
    after = service.get_plan(plan_id)
    assert [r.errors for r in after.agent_execution_log if r.outcome == "failed"] == []
    return after


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _plain(text: str) -> str:
    """Markdown as read (the escapes of md_escape removed)."""
    return text.replace("\\", "")


# --------------------------------------------------------------------------- AppTest
def test_a_pending_wave_move_is_on_its_card_and_row_and_accepting_it_is_a_revision(llm) -> None:  # noqa: ANN001
    database, service, plan = _reviewed_plan()
    move = _one(service, plan.planning_flow_id, SuggestionKind.WAVE_MOVE)
    at = _open(_app().run(), "waves")
    shown = _plain(_markdown(at))
    assert f"mail {MOVE_LINE}" in shown  # on the card of mail's wave (3)
    assert "The specialist suggests: 1 wave move" in [_plain(e.label) for e in at.expander][0]
    # the editable table's row of mail says it too
    at.segmented_control(key="board_view").set_value("edit").run()
    _, frame, _ = at.session_state["board_grid"]  # the rows the editable table shows
    marks = dict(zip(frame["application_id"], frame["suggested"], strict=True))
    assert marks["mail"] == MOVE_LINE and marks["crm"] == ""
    at.segmented_control(key="board_view").set_value("board").run()
    revisions = len(service.revisions(plan.planning_flow_id))
    at.button(key=f"sg_accept_card3_{move.suggestion_id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error]
    after = _settled(service, plan.planning_flow_id)
    assert after.wave_plan.wave_of()["mail"] == 1
    accepted = next(s for s in after.suggestions if s.suggestion_id == move.suggestion_id)
    assert accepted.status == SuggestionStatus.ACCEPTED and accepted.applied_revision is not None
    history = service.revisions(plan.planning_flow_id)[revisions:]  # the edit, then the recomputation
    assert [r.action for r in history] == ["update", "run"]
    assert history[0].revision == accepted.applied_revision
    assert "Move mail from wave 3 to wave 1" in history[0].summary
    database.dispose()


def test_a_transfer_edited_then_accepted_and_a_cost_line_rejected(llm) -> None:  # noqa: ANN001
    database, service, plan = _reviewed_plan()
    transfer = _one(service, plan.planning_flow_id, SuggestionKind.RESOURCE_TRANSFER)
    cost = _one(service, plan.planning_flow_id, SuggestionKind.COST_LINE)
    at = _open(_app().run(), "costs")
    assert "Add 5000.0 to training (Cloud training)" in _plain(_markdown(at))
    at.button(key=f"sg_reject_cost_estimation_{cost.suggestion_id}").click().run()
    assert not at.exception
    rejected = next(
        s
        for s in service.get_plan(plan.planning_flow_id).suggestions
        if s.suggestion_id == cost.suggestion_id
    )
    assert (rejected.status, rejected.applied_change) == (SuggestionStatus.REJECTED, None)
    assert "Rejected: Add 5000.0 to training (Cloud training)." in [i.value for i in at.info]

    _open(at, "resources")
    where = f"resource_allocation_{transfer.suggestion_id}"
    at.button(key=f"sg_edit_{where}").click().run()
    at.number_input(key=f"sg_{where}_hours").set_value(1.5)
    at.text_input(key=f"sg_{where}_reason").set_value("Half is enough.")
    at.button(key=f"sg_save_{where}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = _settled(service, plan.planning_flow_id)
    edited = next(s for s in after.suggestions if s.suggestion_id == transfer.suggestion_id)
    assert (edited.status, edited.applied_change["hours"], edited.decision_note) == (
        SuggestionStatus.EDITED,
        1.5,
        "Half is enough.",
    )
    before = {(a.wave_number, a.role): a.hours for a in plan.resource_allocation.allocations}
    now = {(a.wave_number, a.role): a.hours for a in after.resource_allocation.allocations}
    assert now[(1, "developer")] == before[(1, "developer")] + 1.5
    database.dispose()


def test_the_advisers_page_lists_each_run_and_what_became_of_its_proposals(llm) -> None:  # noqa: ANN001
    database, service, plan = _reviewed_plan()
    at = _open(_app().run(), "advisers")
    assert at.title[0].value == "Advisers"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Specialist runs"] == str(len(plan.agent_execution_log))
    assert metrics["Pending"] == str(sum(s.status == "pending" for s in plan.suggestions))
    runs = next(d.value for d in at.dataframe if "tokens" in d.value.columns)
    assert set(runs["specialist"]) >= {"WavePlanningSpecialist", "ResourceAllocationSpecialist"}
    assert int(runs["tokens"].sum()) > 0
    labels = [_plain(e.label) for e in at.expander]
    assert any(label.startswith("Wave planning · WavePlanningSpecialist · ") for label in labels)
    decisions = [d.value for d in at.dataframe if "why" in d.value.columns]
    assert any("Move mail from wave 3 to wave 1" in set(d["proposed"]) for d in decisions)
    assert "No model is configured" not in _markdown(at)
    database.dispose()


def test_without_a_model_the_advisers_page_says_how_to_configure_one(llm, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("PLANNING_LLM_MODEL")
    clear_settings_cache()
    at = _open(_app().run(), "advisers")
    text = _markdown(at)
    assert "No model is configured" in text and "PLANNING_LLM_MODEL" in text


# --------------------------------------------------------------------------- the command line
def test_cli_plan_prints_one_line_per_specialist_run_and_logs_the_libraries_to_a_file(
    llm,
    tmp_path,
    capfd,  # noqa: ANN001
) -> None:
    from planning_core.cli import main

    assert main(["demo", "--apps", "12", "--seed", "2", "--out", str(tmp_path / "p")]) == 0
    llm.reset(script({**ANSWERS, "resources": Reply(status=500)}))  # one specialist fails: ERROR logs
    capfd.readouterr()
    out = tmp_path / "out"
    code = main(["plan", "--portfolio", str(tmp_path / "p"), "--out", str(out), "--suggestions", "review",
                 "--database-url", f"sqlite:///{tmp_path / 'cli.db'}"])  # fmt: skip
    stdout, stderr = capfd.readouterr()
    assert code == 0, stderr
    assert "ERROR" not in stderr and "CrewAI" not in stderr and "WARNING" not in stderr, stderr
    lines = stdout.splitlines()
    document = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    runs = document["agent_execution_log"]
    assert len(lines) == len(runs) + 1, stdout
    assert all(line.startswith("agent ") for line in lines[:-1])
    assert lines[-1].startswith(f"plan {document['planning_flow_id']} ")
    failed = next(line for line in lines if "resource allocation" in line)
    assert ": failed in " in failed and failed.endswith("; the optimizer's result is kept")
    assert document["planning_config"]["suggestion_mode"] == "review"
    assert {s["status"] for s in document["suggestions"]} >= {"pending"}
    log = (out / "agents.log").read_text(encoding="utf-8")
    assert "ERROR" in log


# --------------------------------------------------------------------------- Chromium
@pytest.mark.browser
def test_reject_edit_and_accept_in_chromium(llm, tmp_path) -> None:  # noqa: ANN001
    from benchmarks.ui import CHROMIUM, chromium_page, screenshot, streamlit_server, wait_idle

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    database, service, plan = _reviewed_plan()
    plan_id = plan.planning_flow_id
    move = _one(service, plan_id, SuggestionKind.WAVE_MOVE)
    transfer = _one(service, plan_id, SuggestionKind.RESOURCE_TRANSFER)
    cost = _one(service, plan_id, SuggestionKind.COST_LINE)

    def goto(page: Any, url: str, path: str) -> None:
        page.goto(f"{url}/{path}?plan={plan_id}")
        page.locator("h1").first.wait_for()
        wait_idle(page)

    with streamlit_server(tmp_path, demo_apps=0) as url, chromium_page() as page:
        try:
            # the board: the move on mail's card
            goto(page, url, "")
            page.get_by_text(f"mail {MOVE_LINE}").first.wait_for()
            screenshot(page, SHOTS / "board_pending_suggestion.png")
            # 1. reject the cost line on the costs page
            goto(page, url, "costs")
            page.get_by_text("Add 5000.0 to training").first.wait_for()
            page.locator(f".st-key-sg_reject_cost_estimation_{cost.suggestion_id} button").click()
            page.get_by_text("Rejected: Add 5000.0 to training").first.wait_for()
            wait_idle(page)
            stored = service.get_plan(plan_id)
            assert (
                next(s for s in stored.suggestions if s.suggestion_id == cost.suggestion_id).status
                == "rejected"
            )
            # 2. edit the transfer's hours on the resources page, then accept it
            goto(page, url, "resources")
            where = f"resource_allocation_{transfer.suggestion_id}"
            page.locator(f".st-key-sg_edit_{where} button").click()
            wait_idle(page)
            hours = page.locator(f".st-key-sg_{where}_hours input")
            hours.fill("1.5")
            hours.press("Tab")
            page.locator(f".st-key-sg_{where}_reason input").fill("Half is enough.")
            page.locator(f".st-key-sg_save_{where} button").click()
            page.get_by_text("Accepted as edited").first.wait_for()
            after = _settled(service, plan_id, drain=False)
            edited = next(s for s in after.suggestions if s.suggestion_id == transfer.suggestion_id)
            assert (edited.status, edited.applied_change["hours"]) == ("edited", 1.5)
            # 3. accept the wave move on its card
            goto(page, url, "")
            page.locator(f".st-key-sg_accept_card3_{move.suggestion_id} button").click()
            page.get_by_text("Accepted: Move mail from wave 3 to wave 1").first.wait_for()
            after = _settled(service, plan_id, drain=False)
            accepted = next(s for s in after.suggestions if s.suggestion_id == move.suggestion_id)
            assert accepted.status == "accepted" and after.wave_plan.wave_of()["mail"] == 1
            revision = next(r for r in service.revisions(plan_id) if r.revision == accepted.applied_revision)
            assert "Move mail from wave 3 to wave 1" in revision.summary
            # the Advisers page
            goto(page, url, "advisers")
            page.get_by_text("Specialist runs").first.wait_for()
            screenshot(page, SHOTS / "advisers.png")
        except Exception:
            screenshot(page, SHOTS / "suggestions_failure.png")
            raise
    database.dispose()
