"""Streamlit AppTest of the Portfolio page (issue 12): the empty workspace, a file uploaded as a named
source (its preview row by row with the importer's defaults; nothing written before the confirmation),
the sources table with a confirmed removal, an edit refused with its message, an edit saved and audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning_core.service.flow import PlanningService
from planning_core.service.portfolio import PortfolioService
from planning_core.service.workspace import open_database, workspace

ROOT = Path(__file__).resolve().parents[2]
APPS_CSV = b"application_id,name,business_unit,complexity\nX1,Alpha,Sales,3\nX2,Beta,Sales,\nX3,Gamma,Ops,7\n"


def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_apps: int) -> Path:
    from planning_core.settings import clear_settings_cache
    from ui import state

    monkeypatch.setenv("PLANNING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNING_DEMO_APPS", str(demo_apps))
    clear_settings_cache()
    state.get_database.clear()
    state._cached_portfolio.clear()
    state.stored_plan.clear()
    return tmp_path


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A workspace with no application."""
    yield _data_dir(tmp_path, monkeypatch, 0)
    _reset()


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The demo workspace (20 applications)."""
    yield _data_dir(tmp_path, monkeypatch, 20)
    _reset()


def _reset() -> None:
    from planning_core.settings import clear_settings_cache
    from ui import state

    state.get_database.clear()
    clear_settings_cache()


def _services() -> tuple[PlanningService, PortfolioService]:
    database = open_database()
    tenant = workspace(database)
    return PlanningService(database, tenant), PortfolioService(database, tenant)


def _portfolio_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/portfolio.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Portfolio"
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def _table(at: AppTest, *columns: str):
    """The first table shown with these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_empty_workspace_offers_the_demo_and_the_import(empty_dir: Path) -> None:
    _services()
    at = _portfolio_page()
    assert at.button(key="load_demo").label == "Load the demo portfolio (300 applications)"
    assert at.file_uploader(key="import_file").label == "Portfolio file"
    assert any("No named source yet" in t for t in _texts(at, "info"))


def test_upload_preview_then_confirm_writes_the_source(empty_dir: Path) -> None:
    flow, portfolio = _services()
    at = _portfolio_page()
    at.file_uploader(key="import_file").set_value(("apps.csv", APPS_CSV, "text/csv")).run()
    assert at.text_input(key="import_source").value == "apps.csv"  # the file's name, never a temporary one
    at.button(key="import_preview_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("to import as source **apps\\.csv**" in t for t in _texts(at, "success"))
    sync = _table(at, "what", "change", "item")
    assert list(sync["change"]) == ["added", "added", "added"] and list(sync["item"]) == ["X1", "X2", "X3"]
    defaults = _table(at, "column", "value", "rows", "reason")
    assert ("complexity", "5", 1) in set(
        zip(defaults["column"], defaults["value"], defaults["rows"], strict=True)
    )
    assert all("/tmp" not in m for m in _table(at, "message", "action")["message"])
    assert portfolio.sources() == [] and flow.portfolio().applications == []  # nothing written yet
    at.button(key="import_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (source,) = portfolio.sources()
    assert (source.name, source.applications) == ("apps.csv", 3)
    with portfolio.database.unit_of_work(portfolio.tenant) as repo:
        assert (
            "complexity: 5 assumed for 1 row(s) (blank)"
            in repo.portfolio.import_defaults(["apps.csv"])["apps.csv"]
        )
    assert at.metric[0].value == "3"
    assert list(_table(at, "source", "imported_at")["source"]) == ["apps.csv"]


def test_a_changed_source_name_asks_for_a_new_preview(empty_dir: Path) -> None:
    _services()
    at = _portfolio_page()
    at.file_uploader(key="import_file").set_value(("apps.csv", APPS_CSV, "text/csv")).run()
    at.button(key="import_preview_button").click().run()
    at.text_input(key="import_source").set_value("CMDB export").run()
    assert "The file or the source name changed: preview the import again." in _texts(at, "info")
    at.button(key="import_preview_button").click().run()
    at.button(key="import_go").click().run()
    assert [s.name for s in _services()[1].sources()] == ["CMDB export"]


def test_sources_are_listed_and_removed_after_a_confirmation(empty_dir: Path) -> None:
    from planning_core.domain import Application, Portfolio

    flow, portfolio = _services()
    portfolio.sync("cmdb.xlsx", Portfolio(applications=[Application(application_id="C1", name="One")]))
    portfolio.sync("other.csv", Portfolio(applications=[Application(application_id="C2", name="Two")]))
    at = _portfolio_page()
    table = _table(at, "source", "imported_at")
    assert list(table["source"]) == ["cmdb.xlsx", "other.csv"] and list(table["applications"]) == [1, 1]
    at.selectbox(key="source_to_remove").set_value("cmdb.xlsx")
    at.button(key="source_remove").click().run()
    assert any("Remove source **cmdb\\.xlsx**?" in t for t in _texts(at, "warning"))
    assert len(portfolio.sources()) == 2  # not before the confirmation
    at.button(key="source_remove_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.name for s in portfolio.sources()] == ["other.csv"]
    assert [a.application_id for a in flow.portfolio().applications] == ["C2"]


def _edit(at: AppTest, row: int, changes: dict) -> AppTest:
    (editor,) = at.data_editor
    at.session_state[editor.key] = {"edited_rows": {row: changes}, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_an_invalid_edit_is_refused_with_its_message(demo_dir: Path) -> None:
    at = _portfolio_page()  # creates the demo workspace
    flow, portfolio = _services()
    first = flow.portfolio().applications[0]
    _edit(at, 0, {"complexity": 11})
    assert not at.exception, [e.value for e in at.exception]
    assert f"{first.application_id}: complexity: Input should be less than or equal to 10" in _texts(
        at, "error"
    )
    assert at.button(key="pf_save").disabled is True
    assert flow.portfolio().applications[0].complexity == first.complexity
    assert portfolio.portfolio_history() == []


def test_an_edit_is_saved_and_audited(demo_dir: Path) -> None:
    at = _portfolio_page()
    flow, portfolio = _services()
    first = flow.portfolio().applications[0]
    new = 9 if first.complexity != 9 else 8
    _edit(at, 0, {"complexity": new, "business_criticality": "critical"})
    assert _texts(at, "error") == []
    at.text_input(key="pf_edit_reason").set_value("workshop 3")
    at.button(key="pf_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = flow.portfolio().applications[0]
    assert (saved.complexity, saved.business_criticality.value) == (new, "critical")
    (entry,) = portfolio.portfolio_history()
    assert (entry.application_id, entry.after["complexity"], entry.reason) == (
        first.application_id,
        new,
        "workshop 3",
    )
    assert any("saved" in t for t in _texts(at, "success"))
    history = _table(at, "when", "who", "item")
    assert list(history["item"]) == [first.application_id]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium")
def test_browser_upload_preview_confirm_lists_the_source(tmp_path: Path) -> None:
    """In a real browser: upload a file on the Import tab, preview it, confirm; the Sources tab lists it."""
    from benchmarks.ui import CHROMIUM, chromium_page, screenshot, streamlit_server, wait_idle

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    shots = ROOT / "artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "inventory-2027.csv"
    upload.write_bytes(APPS_CSV)
    with streamlit_server(tmp_path, demo_apps=20) as url, chromium_page() as page:
        try:
            page.goto(f"{url}/portfolio")
            page.locator("h1").filter(has_text="Portfolio").first.wait_for()
            wait_idle(page)
            page.get_by_role("tab", name=re.compile("Import")).click()
            page.locator("input[type=file]").set_input_files(str(upload))
            source = page.get_by_role("textbox", name="Source name")
            source.wait_for()
            wait_idle(page)
            assert source.input_value() == "inventory-2027.csv"
            page.get_by_role("button", name="Preview the import").click()
            page.get_by_text("What the import does, row by row").wait_for()
            page.get_by_text("Nothing is written before you confirm.").wait_for()
            wait_idle(page)
            screenshot(page, shots / "portfolio_import_preview.png")
            assert [s.name for s in _sources_in(tmp_path)] == []
            page.get_by_role("button", name="Import as inventory-2027.csv").click()
            page.get_by_text(re.compile(r"Imported inventory-2027\.csv: applications added=3")).wait_for()
            wait_idle(page)
            page.get_by_role("tab", name=re.compile("Sources")).click()
            wait_idle(page)
            panel = page.get_by_role("tabpanel").filter(has=page.get_by_text("Remove this source…"))
            # the sources table (its cells are in the grid's accessible table) and the source to remove
            panel.locator("[role=gridcell]").filter(has_text="inventory-2027.csv").first.wait_for(
                state="attached"
            )
            screenshot(page, shots / "portfolio_sources.png")
        except Exception:
            screenshot(page, shots / "portfolio_failure.png")
            raise
    (info,) = _sources_in(tmp_path)
    assert (info.name, info.applications) == ("inventory-2027.csv", 3)


def _sources_in(data_dir: Path) -> list:
    """The sources as the library sees them (a separate connection to the app's SQLite file)."""
    from db.session import connect

    database = connect(f"sqlite:///{data_dir / 'planning.db'}", upgrade=False)
    try:
        return PortfolioService(database, workspace(database)).sources()
    finally:
        database.dispose()
