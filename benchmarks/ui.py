"""UI benchmark: time to show the wave board of a large plan, and from an edit to the recomputed pages.

    python -m benchmarks.ui --apps 1000

Starts `streamlit run app.py` on a free port with a temporary data directory, plans a generated
portfolio through the library, then drives headless Chromium (Debian's /usr/bin/chromium). Last line:
`ui apps=<n> board_seconds=<t> edit_seconds=<t>`. The helpers here are shared by the browser tests.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, *, timeout: float = 60.0) -> None:
    """Wait for Streamlit's health endpoint to answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"Streamlit did not start at {url} within {timeout:.0f} s")


@contextmanager
def streamlit_server(data_dir: Path, *, demo_apps: int = 300, demo_plan: bool = True) -> Any:
    """Run `streamlit run app.py` on a free local port with its own data directory; yields the URL.
    With demo applications and demo_plan, a fresh start also computes the demo plan."""
    port = free_port()
    env = {
        **os.environ,
        "PLANNING_DATA_DIR": str(data_dir),
        "PLANNING_DEMO_APPS": str(demo_apps),
        "PLANNING_DEMO_PLAN": "1" if demo_plan else "0",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    env.pop("DATABASE_URL", None)
    log = open(data_dir / "streamlit.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def chromium_page(*, width: int = 1600, height: int = 1000) -> Any:
    """A Playwright page in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def wait_idle(page: Any, *, timeout: float = 60.0) -> None:
    """Wait until the Streamlit script run is over (no 'running' indicator) and the page has settled."""
    page.wait_for_timeout(100)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
        " === 'notRunning' && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout * 1000,
    )


def screenshot(page: Any, path: Path) -> None:
    """A screenshot of the whole page (the viewport grows to the main area's height first)."""
    size = page.viewport_size or {"width": 1600, "height": 1000}
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight), 800)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def prepare_plan(data_dir: Path, *, apps: int, seed: int = 7) -> str:
    """Create the demo workspace with `apps` applications and plan them all; returns the plan id."""
    os.environ["PLANNING_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    from planning_core.service.flow import PlanningService
    from planning_core.service.workspace import ensure_demo_portfolio, open_database, workspace
    from planning_core.settings import clear_settings_cache

    clear_settings_cache()
    database = open_database()
    tenant = workspace(database)
    ensure_demo_portfolio(database, tenant, apps=apps, seed=seed)
    service = PlanningService(database, tenant)
    ids = [a.application_id for a in service.portfolio().applications]
    plan = service.initialize(selected_application_ids=ids, config={}, name=f"Benchmark plan ({apps} apps)")
    database.dispose()
    return plan.planning_flow_id


def open_board(page: Any, url: str, plan_id: str) -> float:
    """Open the wave board of a plan in a fresh page; seconds until its metrics and cards are shown."""
    started = time.perf_counter()
    page.goto(f"{url}/?plan={plan_id}")
    page.get_by_text("Lower bound", exact=True).first.wait_for()
    page.locator("[data-testid='stDataFrame']:visible").first.wait_for()
    wait_idle(page)
    return time.perf_counter() - started


def board_from_sidebar(page: Any) -> float:
    """Seconds from clicking 'Wave board' in the sidebar (coming from the Costs page) to the board shown."""
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_text("Costs", exact=True).click()
    page.locator("h1").filter(has_text="Costs").first.wait_for()
    wait_idle(page)
    started = time.perf_counter()
    nav.get_by_text("Wave board", exact=True).click()
    page.locator("h1").filter(has_text="Wave board").first.wait_for()
    page.get_by_text("Lower bound", exact=True).first.wait_for()
    wait_idle(page)
    return time.perf_counter() - started


def total_cost_text(page: Any) -> str:
    """The 'Total cost' metric's value as shown on the wave board."""
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Total cost")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def choose_move(page: Any, application: str, wave: int) -> None:
    """Choose an application and a target wave in the per-application actions (then click Move)."""
    page.get_by_text("Edit assignments", exact=True).first.click()
    wait_idle(page)
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Application").last
    box.click()
    page.keyboard.type(application)
    page.keyboard.press("Enter")
    wait_idle(page)
    target = page.locator("[data-testid='stSelectbox']").filter(has_text="Move to wave")
    target.click()
    page.keyboard.type(f"W{wave} ·")
    page.get_by_role("option").filter(has_text=re.compile(rf"^W{wave} ·")).first.click()
    wait_idle(page)


PAGE_LABELS = [
    ("Portfolio", "portfolio"),
    ("Planning wizard", "wizard"),
    ("Wave board", "waves"),
    ("Resources", "resources"),
    ("Timeline", "timeline"),
    ("Costs", "costs"),
    ("Summary & export", "summary"),
    ("Plan settings", "settings"),
]


def screenshot_pages(page: Any, folder: Path, prefix: str) -> list[Path]:
    """A screenshot of every page of the open session, named <prefix>_<page>.png."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    nav = page.locator("[data-testid='stSidebarNav']")
    for label, name in PAGE_LABELS:
        nav.get_by_text(label, exact=True).click()
        page.locator("h1").filter(has_text=label).first.wait_for()
        wait_idle(page)
        path = folder / f"{prefix}_{name}.png"
        screenshot(page, path)
        shots.append(path)
    return shots


def run(apps: int, *, shots: bool = False) -> tuple[float, float]:
    """Board time and edit time for a plan of `apps` applications."""
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        started = time.perf_counter()
        plan_id = prepare_plan(data_dir, apps=apps)
        print(f"planned {apps} applications in {time.perf_counter() - started:.1f} s", flush=True)
        with streamlit_server(data_dir, demo_apps=0) as url, chromium_page() as page:
            first = open_board(page, url, plan_id)  # the first visit also imports and warms the caches
            board = min(open_board(page, url, plan_id) for _ in range(2))
            print(f"board shown in {first:.2f} s (first visit), {board:.2f} s (best of two more)", flush=True)
            navigate = min(board_from_sidebar(page) for _ in range(2))
            print(f"board shown in {navigate:.2f} s when opened from the sidebar (session open)", flush=True)
            before = total_cost_text(page)
            application, wave = _a_movable_application(data_dir, plan_id)
            try:
                choose_move(page, application, wave)
            except Exception:
                screenshot(page, ROOT / "artifacts" / "benchmark_failure.png")
                raise
            started = time.perf_counter()
            page.get_by_role("button", name="Move", exact=True).click()
            page.get_by_text("Saved:").first.wait_for()
            wait_idle(page)
            edit = time.perf_counter() - started
            after = total_cost_text(page)
            print(f"moved {application} to wave {wave}: total cost {before} -> {after}", flush=True)
            if shots:
                for path in screenshot_pages(page, ROOT / "artifacts" / "screenshots", f"plan{apps}"):
                    print(f"screenshot {path}", flush=True)
    return board, edit


def _a_movable_application(data_dir: Path, plan_id: str) -> tuple[str, int]:
    """An application of the last waves and another wave it can move to without breaking a hard constraint."""
    from db.session import connect
    from planning_core.domain import Portfolio
    from planning_core.engines.waves.constraints import validate_wave_plan
    from planning_core.engines.waves.edits import move_application
    from planning_core.service.flow import PlanningService
    from planning_core.service.workspace import workspace

    database = connect(f"sqlite:///{data_dir / 'planning.db'}", upgrade=False)
    plan = PlanningService(database, workspace(database)).get_plan(plan_id)
    database.dispose()
    assert plan.wave_plan is not None
    portfolio = Portfolio(applications=plan.applications, dependencies=plan.dependencies)
    limit = plan.planning_config.max_apps_per_wave
    waves = plan.wave_plan.waves
    open_waves = [w for w in waves if len(w.applications) < limit and not w.locked and not w.is_pilot]
    tried = 0
    for source in reversed(waves):
        for app in source.applications:
            for target in open_waves:
                if target is source or app.pinned or tried > 400:
                    continue
                tried += 1
                moved = move_application(
                    plan.wave_plan,
                    portfolio,
                    plan.planning_config,
                    application_id=app.application_id,
                    to_wave=target.wave_number,
                )
                if not [v for v in validate_wave_plan(moved, portfolio, plan.planning_config) if v.hard]:
                    return app.application_id, target.wave_number
    raise RuntimeError("no application of the last waves can move without breaking a hard constraint")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--screenshots", action="store_true", help="also save a screenshot of every page")
    args = parser.parse_args(argv)
    board, edit = run(args.apps, shots=args.screenshots)
    print(f"ui apps={args.apps} board_seconds={board:.2f} edit_seconds={edit:.2f}")


if __name__ == "__main__":
    main()
