"""The timeline's Gantt chart, drawn with reportlab.graphics (one Drawing per landscape page).

Small plans: one row per activity on one scale. Larger plans: one row per wave; when the rows need more
than one page, an overview page of the whole programme, then pages each zoomed to its own waves' dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from planning_core.engines.schedule.models import Activity, Timeline
from planning_core.export.text import Fonts, fit_text, iso, label_font, one_line

KIND_COLOURS = {
    "plan": colors.HexColor("#8FA9C8"),
    "migrate": colors.HexColor("#3E6A9E"),
    "test": colors.HexColor("#6FA287"),
    "cutover": colors.HexColor("#E0A030"),
    "hypercare": colors.HexColor("#A7B3BE"),
}
OTHER_COLOUR = colors.HexColor("#7F8C99")
CRITICAL = colors.HexColor("#C0392B")
WAVE_BAR = colors.HexColor("#1F3A5F")
MILESTONE = colors.HexColor("#111111")
GRID = colors.HexColor("#D5DBE1")
MUTED = colors.HexColor("#5B6B7A")
ROW_HEIGHT = 15.0
AXIS_HEIGHT = 26.0
CAPTION_HEIGHT = 14.0
DETAIL_LIMIT = 120  # up to this many activities: one row per activity; beyond: one row per wave


@dataclass
class Bar:
    start: date
    end: date
    colour: colors.Color
    critical: bool = False


@dataclass
class Row:
    label: str
    bars: list[Bar] = field(default_factory=list)
    milestones: list[date] = field(default_factory=list)
    header: bool = False
    summary: bool = False  # an overview row: wave windows as thin bars, critical activities in red
    wave: int | None = None


def gantt_rows(timeline: Timeline, wave_names: dict[int, str]) -> list[Row]:
    """Rows to draw: per activity for small plans, per wave (activities as segments) for large ones."""
    detailed = len(timeline.activities) <= DETAIL_LIMIT
    milestones: dict[int | None, list[date]] = {}
    for milestone in timeline.milestones:
        milestones.setdefault(milestone.wave_number, []).append(milestone.date)
    rows: list[Row] = []
    numbers = sorted({w.wave_number for w in timeline.waves} | {a.wave_number for a in timeline.activities})
    windows = {w.wave_number: w for w in timeline.waves}
    by_wave: dict[int, list[Activity]] = {}
    for act in timeline.activities:
        by_wave.setdefault(act.wave_number, []).append(act)
    for number in numbers:
        acts = by_wave.get(number, [])
        label = _wave_label(number, one_line(wave_names.get(number, "")))
        bars = [Bar(a.start, a.end, KIND_COLOURS.get(a.kind, OTHER_COLOUR), a.critical) for a in acts]
        if detailed:
            window = windows.get(number)
            span = [Bar(window.start, window.end, WAVE_BAR)] if window else []
            rows.append(Row(label, span, milestones.get(number, []), header=True, wave=number))
            rows += [Row(one_line(a.name), [bars[i]], wave=number) for i, a in enumerate(acts)]
        else:
            rows.append(Row(label, bars, milestones.get(number, []), wave=number))
    if milestones.get(None):
        rows.append(Row("Plan milestones", [], milestones[None], header=True))
    return rows


def gantt_pages(
    timeline: Timeline,
    wave_names: dict[int, str],
    *,
    width: float,
    height: float,
    fonts: Fonts,
    next_height: float | None = None,
) -> list[Drawing]:
    """The Gantt chart as drawings that each fit one page: `height` for the first, `next_height` after.

    When the rows fit the first page, one chart on the programme's whole scale. Otherwise an overview
    first (consecutive waves grouped so that the whole programme fits one page), then the rows page by
    page, each page on a scale zoomed to the dates of its own rows, so that hundreds of waves stay legible.
    """
    rows = gantt_rows(timeline, wave_names)
    first = _rows_fitting(height, captioned=False)
    if len(rows) <= first:
        return [_drawing(rows, width, fonts, _span(timeline.start_date, timeline.end_date))]
    overview_rows, group = overview_rows_of(
        timeline, wave_names, max(_rows_fitting(height, captioned=True), 1)
    )
    numbers = sorted({w.wave_number for w in timeline.waves} | {a.wave_number for a in timeline.activities})
    caption = (
        f"Overview of {len(numbers):,} waves"
        + (f", {group:,} consecutive waves per row" if group > 1 else "")
        + f", {iso(timeline.start_date)} to {iso(timeline.end_date)}. The pages that follow show every "
        "wave on a scale zoomed to the dates of that page."
    )
    pages = [_drawing(overview_rows, width, fonts, _span(timeline.start_date, timeline.end_date), caption)]
    per_page = max(_rows_fitting(next_height or height, captioned=True), 1)
    for index in range(0, len(rows), per_page):
        chunk = rows[index : index + per_page]
        low, high = _dates_of(chunk, timeline)
        caption = f"{_chunk_title(chunk)} \u00b7 {iso(low)} to {iso(high)}"
        pages.append(_drawing(chunk, width, fonts, _span(low, high), caption))
    return pages


def overview_rows_of(timeline: Timeline, wave_names: dict[int, str], limit: int) -> tuple[list[Row], int]:
    """One row per wave (bar: the wave's window), or per group of consecutive waves when there are more
    than `limit`; critical activities are drawn in the row of their wave. Returns the rows and group size."""
    windows = {w.wave_number: (w.start, w.end) for w in timeline.waves}
    for act in timeline.activities:
        low, high = windows.get(act.wave_number, (act.start, act.end))
        windows[act.wave_number] = (min(low, act.start), max(high, act.end))
    numbers = sorted(windows)
    plan_milestones = [m.date for m in timeline.milestones if m.wave_number is None]
    room = max(limit - (1 if plan_milestones else 0), 1)
    group = max(-(-len(numbers) // room), 1)
    critical: dict[int, list[Bar]] = {}
    for act in timeline.activities:
        if act.critical:
            critical.setdefault(act.wave_number, []).append(Bar(act.start, act.end, CRITICAL, critical=True))
    rows: list[Row] = []
    for index in range(0, len(numbers), group):
        members = numbers[index : index + group]
        if len(members) == 1:
            label = _wave_label(members[0], one_line(wave_names.get(members[0], "")))
        else:
            label = f"Waves {members[0]}\u2013{members[-1]}"
        bars = [Bar(*windows[n], WAVE_BAR) for n in members]
        bars += [bar for n in members for bar in critical.get(n, [])]
        rows.append(Row(label, bars, header=False, summary=True))
    if plan_milestones:
        rows.append(Row("Plan milestones", [], plan_milestones, header=True))
    return rows, group


def _wave_label(number: int, own: str) -> str:
    return f"Wave {number}" if own.lower() in ("", f"wave {number}") else f"{number}. {own}"


def _rows_fitting(height: float, *, captioned: bool) -> int:
    return int((height - AXIS_HEIGHT - 4 - (CAPTION_HEIGHT if captioned else 0)) // ROW_HEIGHT)


def _dates_of(rows: list[Row], timeline: Timeline) -> tuple[date, date]:
    days = [d for row in rows for bar in row.bars for d in (bar.start, bar.end)]
    days += [d for row in rows for d in row.milestones]
    if not days:
        return timeline.start_date, timeline.end_date
    return min(days), max(days)


def _chunk_title(rows: list[Row]) -> str:
    waves = [row.wave for row in rows if row.wave is not None]
    if not waves:
        return "Plan milestones"
    if min(waves) == max(waves):
        return f"Wave {waves[0]}"
    return f"Waves {min(waves)}\u2013{max(waves)}"


@dataclass(frozen=True)
class Span:
    """The dates a chart's horizontal scale covers: [start, end) in whole days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)


def _span(low: date, high: date) -> Span:
    return Span(low, max(high, low) + timedelta(days=1))


def _month_starts(start: date, end: date, step: int = 1) -> list[date]:
    """First days of every `step`-th month (aligned to January) from the month of `start` up to `end`."""
    month = (start.month - 1) // step * step + 1
    first = date(start.year, month, 1)
    months = []
    while first <= end:
        months.append(first)
        total = first.year * 12 + first.month - 1 + step
        first = date(total // 12, total % 12 + 1, 1)
    return months


def _tick_step(span: Span, chart_width: float) -> int:
    """Months between axis ticks: the finest of 1, 3, 6, 12, 24, 60, 120 that leaves room for a label."""
    months = max(span.days / 30.44, 1.0)
    for step in (1, 3, 6, 12, 24, 60, 120):
        if chart_width * step / months >= 24:
            return step
    return 240


def _drawing(rows: list[Row], width: float, fonts: Fonts, span: Span, caption: str = "") -> Drawing:
    label_width = min(210.0, width * 0.28)
    caption_height = CAPTION_HEIGHT if caption else 0.0
    height = AXIS_HEIGHT + ROW_HEIGHT * len(rows) + 4 + caption_height
    drawing = Drawing(width, height)
    chart_width = width - label_width - 4
    day_width = chart_width / span.days

    def x_of(day: date) -> float:
        return label_width + day_width * (day - span.start).days

    if caption:
        font = label_font(caption, fonts, fonts.regular)
        drawing.add(
            String(
                0, height - 10, fit_text(caption, font, 8, width), fontName=font, fontSize=8, fillColor=MUTED
            )
        )
    top = height - caption_height - AXIS_HEIGHT
    _axis(drawing, span, x_of, top, fonts, chart_width)
    for index, row in enumerate(rows):
        y = top - ROW_HEIGHT * (index + 1)
        if index % 2 == 0:
            drawing.add(Rect(0, y, width, ROW_HEIGHT, fillColor=colors.HexColor("#F4F6F8"), strokeColor=None))
        font = label_font(row.label, fonts, fonts.bold if row.header else fonts.regular)
        label = fit_text(row.label, font, 7.5, label_width - 6)
        drawing.add(String(3, y + 4.5, label, fontName=font, fontSize=7.5, fillColor=colors.black))
        for bar in row.bars:
            if bar.end >= span.start and bar.start < span.end:
                _bar(drawing, bar, x_of, y, row.header, row.summary)
        for moment in row.milestones:
            if span.start <= moment < span.end:
                _diamond(drawing, x_of(moment) + day_width / 2, y + ROW_HEIGHT / 2)
    drawing.add(Line(label_width, 0, label_width, top, strokeColor=GRID, strokeWidth=0.6))
    return drawing


def _axis(drawing: Drawing, span: Span, x_of, top: float, fonts: Fonts, chart_width: float) -> None:
    step = _tick_step(span, chart_width)
    ticks = [x_of(max(month, span.start)) for month in _month_starts(span.start, span.end, step)]
    ends = ticks[1:] + [x_of(span.end)]
    last_year = None
    for month, x, following in zip(_month_starts(span.start, span.end, step), ticks, ends, strict=True):
        drawing.add(Line(x, 0, x, top, strokeColor=GRID, strokeWidth=0.4))
        if following - x < 24:  # a tick cut short by the start or end of the scale: no room for a label
            continue
        if step < 12:
            drawing.add(String(x + 2, top + 14, _tick_name(month, step), fontName=fonts.regular, fontSize=7))
        if month.year != last_year:
            drawing.add(String(x + 2, top + 4, str(month.year), fontName=fonts.bold, fontSize=7))
            last_year = month.year
    drawing.add(Line(x_of(span.start), top, x_of(span.end), top, strokeColor=MUTED, strokeWidth=0.8))


def _tick_name(month: date, step: int) -> str:
    if step == 1:
        return month.strftime("%b")
    if step == 3:
        return f"Q{(month.month - 1) // 3 + 1}"
    return "H1" if month.month <= 6 else "H2"


def _bar(drawing: Drawing, bar: Bar, x_of, y: float, header: bool, summary: bool = False) -> None:
    x0 = x_of(bar.start)
    x1 = x_of(bar.end + timedelta(days=1))
    if summary:  # overview: wave windows as one thin band, critical activities as a red line under it
        if bar.critical:
            drawing.add(Rect(x0, y + 2.5, max(x1 - x0, 0.8), 1.8, fillColor=CRITICAL, strokeColor=None))
        else:
            drawing.add(Rect(x0, y + 5.5, max(x1 - x0, 0.8), 6, fillColor=bar.colour, strokeColor=None))
        return
    thickness = 4.0 if header else 9.0
    drawing.add(
        Rect(
            x0,
            y + (ROW_HEIGHT - thickness) / 2,
            max(x1 - x0, 1.2),
            thickness,
            fillColor=bar.colour,
            strokeColor=CRITICAL if bar.critical else None,
            strokeWidth=1.4 if bar.critical else 0,
        )
    )
    if bar.critical and not header:
        drawing.add(Rect(x0, y + 1.2, max(x1 - x0, 1.2), 1.6, fillColor=CRITICAL, strokeColor=None))


def _diamond(drawing: Drawing, x: float, y: float, size: float = 4.2) -> None:
    drawing.add(
        Polygon(
            [x, y + size, x + size, y, x, y - size, x - size, y],
            fillColor=MILESTONE,
            strokeColor=colors.white,
            strokeWidth=0.5,
        )
    )


def legend(fonts: Fonts, width: float) -> Drawing:
    """The legend: activity kinds, critical path and milestone markers."""
    drawing = Drawing(width, 16)
    x = 0.0
    items = [(kind.capitalize(), colour, False) for kind, colour in KIND_COLOURS.items()]
    items.append(("Critical path", colors.white, True))
    for label, colour, critical in items:
        drawing.add(
            Rect(
                x,
                4,
                16,
                8,
                fillColor=colour,
                strokeColor=CRITICAL if critical else None,
                strokeWidth=1.4 if critical else 0,
            )
        )
        drawing.add(String(x + 20, 5, label, fontName=fonts.regular, fontSize=7.5))
        x += 28 + stringWidth(label, fonts.regular, 7.5)
    _diamond(drawing, x + 5, 8)
    drawing.add(String(x + 13, 5, "Milestone", fontName=fonts.regular, fontSize=7.5))
    return drawing
