"""The PDF report: read back with poppler (pdftotext, pdftoppm, pdfinfo) and checked against plan.json."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from planning_core.domain import PhaseStatus, SixR
from planning_core.engines.waves.models import NotMigrated
from planning_core.export import render_json, render_pdf
from planning_core.export.pdf.report import build_pdf
from planning_core.plan import PlanDocument

SECTIONS = [
    "Contents",
    "1 Executive summary",
    "Plan quality",
    "Risks",
    "Recommendations",
    "2 Wave plan",
    "Applications not migrated",
    "3 Resources",
    "Hours and utilisation by role and wave",
    "Skill gaps",
    "4 Timeline",
    "Critical path and milestones",
    "Activities",
    "5 Costs",
    "By category",
    "By role",
    "By wave",
    "Appendix",
    "A. Configuration and assumptions",
    "B. Warnings",
    "C. Agent reviews",
    "D. Dependencies",
    "E. Revision",
]


def _pages(pdf: bytes, tmp_path: Path, mode: str = "-layout") -> list[str]:
    """Text of each page: -layout keeps table rows on one line, -raw keeps each cell's lines together."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", mode, str(path), "-"], check=True, capture_output=True).stdout
    return text.decode("utf-8").split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[float, float]]:
    path = tmp_path / "sizes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True
    ).stdout
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out.decode())
    ]


@pytest.fixture(scope="module")
def report(small_plan: PlanDocument, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    pdf = render_pdf(small_plan)
    return pdf, _pages(pdf, tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def raw_text(report: tuple[bytes, list[str]], tmp_path_factory: pytest.TempPathFactory) -> str:
    return "".join(_pages(report[0], tmp_path_factory.mktemp("raw"), "-raw"))


def test_pdf_is_a_pdf_with_counted_pages(report: tuple[bytes, list[str]], small_plan: PlanDocument) -> None:
    pdf, pages = report
    assert pdf[:5] == b"%PDF-"
    assert build_pdf(small_plan)[1] == len(pages) == 11


def test_same_plan_same_bytes(report: tuple[bytes, list[str]], small_plan: PlanDocument) -> None:
    assert render_pdf(small_plan) == report[0]


def test_figures_of_plan_json_are_in_the_text(
    report: tuple[bytes, list[str]], raw_text: str, small_plan: PlanDocument
) -> None:
    data = json.loads(render_json(small_plan))
    text = "\n".join(report[1])
    costs = data["cost_estimation"]
    assert f"USD {costs['total']:,.2f}" == "USD 66,944.19"
    assert "USD 66,944.19" in text
    raw = _one_space(raw_text)
    assert f"subtotal {costs['subtotal']:,.2f} + contingency {costs['contingency']:,.2f} (15%)" in raw
    for wave in data["timeline"]["waves"]:
        assert f"{wave['start']} to {wave['end']} \u00b7 2 applications" in _one_space(text)
    assert f"{data['timeline']['start_date']} to {data['timeline']['end_date']}: 31 working days" in text
    assert "5 Applications 4 migrated, 1 not migrated 2 Waves lower bound 1, gap 1 (capacity)" in raw
    for role in data["cost_estimation"]["by_role"]:
        assert (
            f"{role['role'].replace('_', ' ')} {role['hours']:,.1f} {role['hourly_rate']:,.2f} {role['amount']:,.2f}"
            in (_one_space(text))
        )
    for activity in data["timeline"]["activities"]:
        row = f"{activity['id']} {activity['name']} {activity['wave_number']} {activity['start']} {activity['end']}"
        assert row in _one_space(text)


def _one_space(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_plan_quality_figures_are_shown(raw_text: str) -> None:
    assert (
        "Plan quality Wave gap 1 Peak utilisation 125.0% Cost per migrated application 16,736.05 "
        "Contingency covers p80 no <see costs>"
    ) in _one_space(raw_text)


def test_every_application_is_listed(raw_text: str, small_plan: PlanDocument) -> None:
    squashed = _squash(raw_text)
    for app in small_plan.applications:
        assert _squash(app.application_id) in squashed
        if app.name.startswith("\u0646"):  # the Arabic name is checked word by word below
            continue
        assert _squash(app.name) in squashed, app.application_id


def test_hostile_text_is_printed_literally(raw_text: str, hostile: dict[str, str]) -> None:
    squashed = _squash(raw_text)
    for key in ("markup", "long", "chinese", "formula", "narrative", "agent_narrative"):
        assert _squash(hostile[key]) in squashed, key
    assert _squash("Core & <i>critical</i>") in squashed
    assert _squash("Contoso & Sons <Ltd>") in squashed


def test_arabic_words_are_all_in_the_text(raw_text: str) -> None:
    # shaped glyphs come back as presentation forms; compare after Unicode compatibility folding
    folded = unicodedata.normalize("NFKC", raw_text)
    for word in ("نظام", "الفوترة", "Billing"):
        assert word in folded


def test_ai_narrative_is_marked_unverified(raw_text: str) -> None:
    text = _one_space(raw_text)
    assert "AI narrative (unverified) \u2014 synthesis Wave 2 is risky" in text
    assert "AI narrative (unverified) \u2014 WavePlanningSpecialist <i>Proposed</i>" in text


def test_expected_sections_in_order(report: tuple[bytes, list[str]]) -> None:
    body = "\n".join(report[1][2:])
    position = 0
    for title in SECTIONS[1:]:
        found = re.compile(rf"^\s*{re.escape(title)}\s*$", re.MULTILINE).search(body, position)
        assert found is not None, title
        position = found.end()
    assert re.search(r"Revision 3\s+Contents\s+1 Executive summary", report[1][1])


def test_contents_page_numbers_point_at_the_sections(report: tuple[bytes, list[str]]) -> None:
    contents = report[1][1]
    entries = dict(re.findall(r"^\s*(\S.*?\S)\s+(\d+)\s*$", contents, flags=re.MULTILINE))
    assert entries["5 Costs"] == "8"
    for title in ("1 Executive summary", "2 Wave plan", "3 Resources", "4 Timeline", "5 Costs", "Appendix"):
        page = int(entries[title])
        assert re.search(rf"^\s*{re.escape(title)}\s*$", report[1][page - 1], flags=re.MULTILINE), title


def test_running_header_and_page_numbers(report: tuple[bytes, list[str]]) -> None:
    pages = report[1]
    assert "Page" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
        assert "Contoso exit plan \u00b7 Contoso & Sons <Ltd> \u00b7 DC exit 2027" in page
        assert "Revision 3" in page


def test_cover_names_plan_client_engagement_date_revision(report: tuple[bytes, list[str]]) -> None:
    cover = _one_space(report[1][0])
    assert (
        "Contoso exit plan Client account Contoso & Sons <Ltd> Engagement DC exit 2027 Date 2026-11-20 "
        "Revision 3 (version 4)"
    ) in cover


def test_timeline_is_on_landscape_pages(
    report: tuple[bytes, list[str]], small_plan: PlanDocument, tmp_path: Path
) -> None:
    sizes = _page_sizes(report[0], tmp_path)
    landscape = [i + 1 for i, (w, h) in enumerate(sizes) if w > h]
    assert landscape == [6, 7]
    assert "4 Timeline" in report[1][5]
    assert "Critical path: W1-plan \u2192 W1-migrate \u2192 W2-plan \u2192 W2-migrate \u2192 W2-cutover" in (
        _one_space(report[1][6])
    )


def test_page_images_are_not_blank(report: tuple[bytes, list[str]], tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(report[0])
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(path), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == 11
    for image in images:
        stddev = ImageStat.Stat(Image.open(image)).stddev[0]
        assert stddev > 8.0, image.name


def test_gantt_page_has_drawn_bars(report: tuple[bytes, list[str]], tmp_path: Path) -> None:
    path = tmp_path / "g.pdf"
    path.write_bytes(report[0])
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "6", "-l", "6", "-png", str(path), str(tmp_path / "g")], check=True
    )
    image = Image.open(next(tmp_path.glob("g-*.png"))).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=100_000)}
    critical_red = [c for c in colours if c[0] > 150 and c[1] < 90 and c[2] < 80]
    assert critical_red, "the critical path is drawn in red"


def test_long_table_repeats_its_header(small_plan: PlanDocument, tmp_path: Path) -> None:
    many = [
        NotMigrated(
            application_id=f"NM-{i:03d}",
            name=f"Retired system {i}",
            six_r_strategy=SixR.RETIRE,
            reason="decommissioned",
        )
        for i in range(120)
    ]
    wave_plan = small_plan.wave_plan.model_copy(update={"not_migrated": many})
    pages = _pages(render_pdf(small_plan.model_copy(update={"wave_plan": wave_plan})), tmp_path)
    with_rows = [p for p in pages if "NM-" in p]
    assert len(with_rows) >= 3
    for page in with_rows:
        assert re.search(r"ID\s+Application\s+6R\s+Reason", page)
    assert sum(page.count("NM-") for page in with_rows) == 120


def test_plan_with_phases_not_run_still_renders(small_plan: PlanDocument, tmp_path: Path) -> None:
    bare = small_plan.model_copy(
        update={
            "wave_plan": None,
            "resource_allocation": None,
            "timeline": None,
            "cost_estimation": None,
            "synthesis": None,
            "phase_status": PhaseStatus.PENDING,
        }
    )
    text = _one_space("".join(_pages(render_pdf(bare), tmp_path)))
    assert text.count("This phase has not been run yet for this plan.") == 4
    assert "The synthesis phase has not been run yet" in text
    assert "5 Applications wave planning not run yet" in text


def test_large_plan_lists_every_wave_and_fits_pages(tmp_path: Path) -> None:
    from benchmarks.report import engine_plan

    plan = engine_plan(150)
    pdf, pages = build_pdf(plan)
    text = _one_space("".join(_pages(pdf, tmp_path)))
    for wave in plan.wave_plan.waves:
        assert re.search(rf"Wave {wave.wave_number}\b", text)
    for app in plan.wave_plan.waves[-1].applications:
        assert app.application_id in text
    assert pages == len(_page_sizes(pdf, tmp_path))
