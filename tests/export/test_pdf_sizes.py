"""The PDF at large sizes: paragraphs and table rows longer than a page, a Gantt of hundreds of waves,
waves left empty by a pin, and scripts DejaVu Sans lacks (Korean, emoji). Read back with poppler.

The 5,000-application case runs in the benchmark (python -m benchmarks.report --apps 5000), not here.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from reportlab.lib.styles import ParagraphStyle

from planning_core.domain import Application, SixR
from planning_core.engines.schedule.models import Activity, Milestone, Timeline, WaveWindow
from planning_core.engines.waves.models import Wave
from planning_core.export.pdf import gantt
from planning_core.export.pdf.blocks import ReportParagraph
from planning_core.export.pdf.report import build_pdf
from planning_core.export.pdf.waves import number_ranges
from planning_core.export.text import markup, register_fonts
from planning_core.plan import PlanDocument

KOREAN_NAME = "고객 관리 시스템 CRM"
EMOJI_NAME = "Rocket launch 🚀 tracker"


def _text(pdf: bytes, tmp_path: Path, mode: str = "-raw") -> list[str]:
    path = tmp_path / "sizes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", mode, str(path), "-"], check=True, capture_output=True).stdout
    return out.decode("utf-8").split("\f")[:-1]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


RUNNING = re.compile(
    r"Contoso exit plan \u00b7 Contoso & Sons <Ltd> \u00b7 DC exit 2027|Revision 3|Page \d+ of \d+|"
    r"Confidential \u2014 migration plan"
)


def _body(pages: list[str]) -> str:
    """The pages' text without the running header and footer, squashed: text that continues over a
    page break reads as one."""
    return _squash("".join(RUNNING.sub("", page) for page in pages))


def _timeline(waves: int, start: date = date(2027, 1, 4)) -> Timeline:
    """A synthetic programme: `waves` waves of three activities, each wave starting a week after the last."""
    activities: list[Activity] = []
    windows: list[WaveWindow] = []
    milestones: list[Milestone] = []
    previous: str | None = None
    for number in range(1, waves + 1):
        first = start + timedelta(days=7 * (number - 1))
        steps = (("plan", 5), ("migrate", 10), ("cutover", 2))
        day = first
        for kind, length in steps:
            act_id = f"W{number}-{kind}"
            activities.append(
                Activity(
                    id=act_id,
                    wave_number=number,
                    name=f"Wave {number}: {kind}",
                    kind=kind,
                    start=day,
                    end=day + timedelta(days=length - 1),
                    duration_days=length,
                    predecessors=[previous] if previous else [],
                    earliest_start=day,
                    latest_start=day,
                    slack_days=0 if number % 3 == 0 else 4,
                    critical=number % 3 == 0,
                )
            )
            previous = act_id
            day += timedelta(days=length)
        windows.append(WaveWindow(wave_number=number, start=first, end=day - timedelta(days=1)))
        milestones.append(
            Milestone(
                id=f"M{number}", name=f"Wave {number} go-live", date=day, wave_number=number, kind="go_live"
            )
        )
    end = max(a.end for a in activities)
    return Timeline(
        start_date=start,
        end_date=end,
        total_working_days=(end - start).days,
        total_duration_days=(end - start).days + 1,
        waves=windows,
        activities=activities,
        milestones=milestones,
        critical_path=[a.id for a in activities],
    )


@pytest.fixture(scope="module")
def wide_plan(small_plan: PlanDocument) -> PlanDocument:
    """The fixture plan with a 400-wave timeline (1,200 activities, a 1,200-step critical path) and a
    warning longer than a page."""
    warning = "the timeline schedules waves " + ", ".join(str(n) for n in range(1, 2_500)) + " end-of-list"
    costs = small_plan.cost_estimation.model_copy(update={"warnings": [warning]})
    return small_plan.model_copy(update={"timeline": _timeline(400), "cost_estimation": costs})


@pytest.fixture(scope="module")
def wide_pdf(wide_plan: PlanDocument) -> tuple[bytes, int]:
    return build_pdf(wide_plan)


def test_paragraph_split_by_reportlab_keeps_its_text() -> None:
    """reportlab builds the halves of a split paragraph with text=None (the 5,000-application crash)."""
    style = ParagraphStyle("t", fontName=register_fonts().regular, fontSize=9, leading=12)
    text = " \u2192 ".join(f"W{i}-migrate" for i in range(600))
    paragraph = ReportParagraph(text, style)
    paragraph.wrap(400, 10_000)
    halves = paragraph.split(400, 120)
    assert len(halves) == 2
    assert all(isinstance(half, ReportParagraph) for half in halves)
    halves[1].wrap(400, 10_000)
    assert len(halves[1].blPara.lines) > 10


def test_long_paragraph_and_long_row_split_across_pages(
    wide_pdf: tuple[bytes, int], wide_plan: PlanDocument, tmp_path: Path
) -> None:
    pdf, pages = wide_pdf
    text = _text(pdf, tmp_path)
    assert len(text) == pages
    # the critical path (1,200 steps, ~20,000 characters) is one paragraph over several pages
    path_pages = [
        i for i, page in enumerate(text) if "W1-cutover \u2192" in page or "-cutover \u2192 W" in page
    ]
    assert len(path_pages) >= 2
    squashed = _body(text)
    assert _squash(" \u2192 ".join(wide_plan.timeline.critical_path)) in squashed
    # the 2,500-wave warning is one table row taller than a page: it continues on the next page
    warning_pages = [i for i, page in enumerate(text) if re.search(r"\b1[0-9]{3}, 1[0-9]{3}\b", page)]
    assert len(warning_pages) >= 2
    # the table's header row repeats on each page the row continues on
    assert _squash(wide_plan.cost_estimation.warnings[0]) in squashed.replace("PhaseWarning", "")


def test_activity_table_spans_pages_with_its_header(wide_pdf: tuple[bytes, int], tmp_path: Path) -> None:
    text = _text(wide_pdf[0], tmp_path, "-layout")
    with_rows = [
        page for page in text if re.search(r"^\s*W\d+-migrate\s+Wave \d+: migrate", page, re.MULTILINE)
    ]
    assert len(with_rows) >= 10
    for page in with_rows:
        assert re.search(r"ID\s+Activity\s+Wave\s+Start\s+End", page)
    assert sum(len(re.findall(r"^\s*W\d+-\w+\s+Wave \d+:", p, re.MULTILINE)) for p in with_rows) == 1_200


def test_gantt_of_400_waves_has_an_overview_and_zoomed_pages(wide_plan: PlanDocument) -> None:
    fonts = register_fonts()
    pages = gantt.gantt_pages(wide_plan.timeline, {}, width=770, height=370, fonts=fonts, next_height=440)
    assert len(pages) >= 10
    assert all(page.height <= 440 for page in pages[1:]) and pages[0].height <= 370
    overview, group = gantt.overview_rows_of(wide_plan.timeline, {}, 21)
    assert len(overview) <= 21 and group == 20
    assert overview[0].label == "Waves 1\u201320" and overview[-1].label == "Waves 381\u2013400"


def test_gantt_pages_are_readable(wide_pdf: tuple[bytes, int], tmp_path: Path) -> None:
    pdf = wide_pdf[0]
    text = _text(pdf, tmp_path, "-layout")
    start = next(i for i, page in enumerate(text) if re.search(r"^\s*4 Timeline\s*$", page, re.MULTILINE))
    overview = start if "Overview of 400 waves" in text[start] else start + 1
    found = re.search(r"Overview of 400 waves, (\d+) consecutive waves per row", text[overview])
    assert found is not None and 10 <= int(found[1]) <= 25
    rows = re.findall(r"^\s*Waves? (\d+)(?:\u2013(\d+))?\s*$", text[overview], re.MULTILINE)
    assert rows[0][0] == "1" and (rows[-1][1] or rows[-1][0]) == "400"
    gantt_pages = []
    for page in text[overview + 1 :]:
        if not re.search(r"Waves? \d+(\u2013\d+)? \u00b7 \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", page):
            break
        gantt_pages.append(page)
    row = re.compile(r"^\s*(?:Wave (\d+)|(\d+)\. \S.*)\s*$", re.MULTILINE)  # 'Wave 7' or '1. Pilot'
    labels = {int(a or b) for page in gantt_pages for a, b in row.findall(page)}
    assert labels == set(range(1, 401))  # every wave has its row, each page zoomed to its own weeks
    assert 10 <= len(gantt_pages) <= 20
    path = tmp_path / "g.pdf"
    path.write_bytes(pdf)
    first, last = overview + 1, overview + 2
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", str(first), "-l", str(last), "-png", str(path), str(tmp_path / "g")],
        check=True,
    )
    images = sorted(tmp_path.glob("g-*.png"))
    assert len(images) == 2
    for image in images:
        rgb = Image.open(image).convert("RGB")
        assert ImageStat.Stat(rgb.convert("L")).stddev[0] > 8.0
        colours = {colour for _, colour in rgb.getcolors(maxcolors=100_000)}
        assert [c for c in colours if c[0] > 150 and c[1] < 90 and c[2] < 80], "critical path in red"


def test_waves_left_empty_by_a_pin_are_listed_as_ranges(small_plan: PlanDocument, tmp_path: Path) -> None:
    empty = [Wave(wave_number=n, name=f"Wave {n}") for n in range(3, 901)]
    wave_plan = small_plan.wave_plan.model_copy(update={"waves": small_plan.wave_plan.waves + empty})
    pdf, pages = build_pdf(small_plan.model_copy(update={"wave_plan": wave_plan}))
    text = " ".join(_text(pdf, tmp_path))
    assert "898 waves hold no applications" in text
    assert "3\u2013900" in text
    assert pages < 60
    assert number_ranges([1, 2, 3, 7, 9, 10]) == "1\u20133, 7, 9\u201310"


def _fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode()


def test_korean_and_emoji_are_drawn_with_fonts_that_have_them(
    small_plan: PlanDocument, tmp_path: Path
) -> None:
    assert markup(KOREAN_NAME).startswith('<font name="PF-Korean">')
    assert '<font name="PF-Symbols">\U0001f680</font>' in markup(EMOJI_NAME)
    apps = [
        *small_plan.applications,
        Application(application_id="APP-KO", name=KOREAN_NAME, six_r_strategy=SixR.REHOST, complexity=3),
        Application(application_id="APP-EM", name=EMOJI_NAME, six_r_strategy=SixR.REHOST, complexity=3),
    ]
    waves = list(small_plan.wave_plan.waves)
    waves[1] = waves[1].model_copy(update={"name": "한국 이전"})
    wave_plan = small_plan.wave_plan.model_copy(update={"waves": waves})
    plan = small_plan.model_copy(update={"applications": apps, "wave_plan": wave_plan})
    plan = plan.model_copy(
        update={
            "wave_plan": wave_plan.model_copy(
                update={
                    "not_migrated": [
                        *wave_plan.not_migrated,
                        *(
                            n.model_copy(update={"application_id": a.application_id, "name": a.name})
                            for n in wave_plan.not_migrated[:1]
                            for a in apps[-2:]
                        ),
                    ]
                }
            )
        }
    )
    pdf, _ = build_pdf(plan)
    squashed = _squash("".join(_text(pdf, tmp_path)))
    assert _squash(KOREAN_NAME) in squashed
    assert _squash("Wave 2 \u2014 한국 이전") in squashed  # a bold heading
    assert _squash(EMOJI_NAME) in squashed
    fonts = _fonts(pdf, tmp_path)
    for name in ("NanumGothic", "Symbola", "DroidSansFallback", "DejaVuSans"):
        line = next(line for line in fonts.splitlines() if name in line)
        assert re.search(r"\byes\s+yes\b", line), line  # embedded, subset
