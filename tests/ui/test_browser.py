"""The analyst's journey in a real browser (headless Debian Chromium against `streamlit run app.py`).

wizard → create plan → wave board → move an application into a full wave → the violation is shown and
confirmed → the costs page shows the recomputed total and the banner → undo restores the plan.
Screenshots of every page go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from benchmarks.ui import CHROMIUM, ROOT, choose_move, chromium_page, screenshot, streamlit_server, wait_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
SHOTS = ROOT / "artifacts" / "screenshots"


def _library_plan(data_dir: Path):
    """The stored plan as the library sees it (a separate connection to the same SQLite file)."""
    from db.session import connect
    from planning_core.service.flow import PlanningService
    from planning_core.service.workspace import workspace

    database = connect(f"sqlite:///{data_dir / 'planning.db'}", upgrade=False)
    try:
        service = PlanningService(database, workspace(database))
        plans = service.list_plans()
        return service.get_plan(plans[0].planning_flow_id), service.revisions(plans[0].planning_flow_id)
    finally:
        database.dispose()


def _goto(page, url: str, path: str) -> None:
    page.goto(f"{url}/{path}")
    page.locator("h1").first.wait_for()
    wait_idle(page)


def _total_on_costs_page(page) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has_text="Total").first
    return card.locator("[data-testid='stMetricDelta']").inner_text().strip()


def _nav(page, label: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_text(label, exact=True).click()
    page.locator("h1").filter(has_text=label).first.wait_for()
    wait_idle(page)


def test_journey_wizard_to_undo(tmp_path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(tmp_path, demo_apps=300, demo_plan=False) as url, chromium_page() as page:
        try:
            _journey(page, url, tmp_path)
        except Exception:
            screenshot(page, SHOTS / "failure.png")
            raise
    assert os.path.exists(SHOTS / "summary.png")


def _journey(page, url: str, tmp_path: Path) -> None:
    if True:
        # 1. The wizard: select everything, keep the default configuration, create.
        _goto(page, url, "wizard")
        page.get_by_role("button", name=re.compile(r"Select all 300 matching")).click()
        wait_idle(page)
        page.get_by_text("300 selected").wait_for()
        screenshot(page, SHOTS / "wizard_select.png")
        page.get_by_role("button", name="Next: configure").click()
        wait_idle(page)
        screenshot(page, SHOTS / "wizard_configure.png")
        page.get_by_role("button", name="Next: review").click()
        wait_idle(page)
        screenshot(page, SHOTS / "wizard_review.png")
        page.get_by_role("button", name="Create the plan").click()
        # 2. The analyst lands on the wave board of the new plan.
        page.locator("h1").filter(has_text="Wave board").wait_for(timeout=120_000)
        page.get_by_text("Lower bound", exact=True).first.wait_for()
        wait_idle(page)
        screenshot(page, SHOTS / "waves.png")
        plan, _ = _library_plan(tmp_path)
        assert plan.phase_statuses["completed"] == "completed"
        original_total = plan.cost_estimation.total
        # 3. Move an application from the last wave into the fullest non-pilot wave: max apps breaks.
        waves = plan.wave_plan.waves
        full = next(
            w
            for w in waves
            if not w.is_pilot and len(w.applications) == plan.planning_config.max_apps_per_wave
        )
        last = waves[-1]
        moved = next(a for a in last.applications if not a.pinned).application_id
        choose_move(page, moved, full.wave_number)
        page.get_by_role("button", name="Move", exact=True).click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("This edit breaks hard constraints").wait_for()
        dialog_text = dialog.inner_text()
        assert "too many applications in a wave" in dialog_text
        screenshot(page, SHOTS / "waves_confirm_violation.png")
        dialog.get_by_role("button", name="Save anyway").click()
        page.get_by_text(re.compile(r"unresolved hard violation")).first.wait_for()
        wait_idle(page)
        screenshot(page, SHOTS / "waves_after_move.png")
        edited, revisions = _library_plan(tmp_path)
        assert edited.wave_plan.wave_of()[moved] == full.wave_number
        hard = [v for v in edited.wave_plan.violations if v.hard]
        assert "max_apps" in {v.constraint for v in hard}
        assert all(v.message in dialog_text for v in hard)
        assert edited.phase_statuses["cost_estimation"] == "completed"
        # 4. The costs page shows the recomputed total (and the violation banner).
        _nav(page, "Costs")
        shown_total = _total_on_costs_page(page)
        from planning_core.views import money

        assert shown_total == money(edited.cost_estimation.total, edited.cost_estimation.currency)
        assert (
            f"saved change {edited.revision}"
            in page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
        )
        assert page.get_by_text(f"{len(hard)} unresolved hard violation(s)", exact=False).count() == 1
        screenshot(page, SHOTS / "costs_after_move.png")
        # 5. Undo on the wave board restores the plan (no violation; the application back in its wave).
        _nav(page, "Wave board")
        page.get_by_role("button", name="Undo").click()
        page.get_by_text(re.compile(rf"Undone: Moved {moved} to wave")).wait_for()
        wait_idle(page)
        assert page.get_by_text(re.compile(r"unresolved hard violation")).count() == 0
        restored, _ = _library_plan(tmp_path)
        assert restored.wave_plan.wave_of() == plan.wave_plan.wave_of()
        assert restored.cost_estimation.total == original_total
        assert restored.wave_plan.violations == plan.wave_plan.violations
        _nav(page, "Costs")
        assert _total_on_costs_page(page) == money(original_total, restored.cost_estimation.currency)
        # 6. Screenshots of every page with the 300-application plan.
        for label, name in [
            ("Portfolio", "portfolio"),
            ("Wave board", "waves"),
            ("Resources", "resources"),
            ("Timeline", "timeline"),
            ("Costs", "costs"),
            ("Summary & export", "summary"),
        ]:
            _nav(page, label)
            screenshot(page, SHOTS / f"{name}.png")
        assert page.get_by_role("button", name="PDF report").count() == 1
