"""The timeline's Gantt chart, drawn with reportlab.graphics (one Drawing per landscape page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from planning_core.engines.schedule.models import Timeline
from planning_core.export.text import Fonts, fit_text, label_font, one_line

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
ROW_HEIGHT = 15.0
AXIS_HEIGHT = 26.0
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


def gantt_rows(timeline: Timeline, wave_names: dict[int, str]) -> list[Row]:
    """Rows to draw: per activity for small plans, per wave (activities as segments) for large ones."""
    detailed = len(timeline.activities) <= DETAIL_LIMIT
    milestones: dict[int | None, list[date]] = {}
    for milestone in timeline.milestones:
        milestones.setdefault(milestone.wave_number, []).append(milestone.date)
    rows: list[Row] = []
    numbers = sorted({w.wave_number for w in timeline.waves} | {a.wave_number for a in timeline.activities})
    windows = {w.wave_number: w for w in timeline.waves}
    for number in numbers:
        acts = [a for a in timeline.activities if a.wave_number == number]
        own = one_line(wave_names.get(number, ""))
        label = f"Wave {number}" if own.lower() in ("", f"wave {number}") else f"{number}. {own}"
        bars = [Bar(a.start, a.end, KIND_COLOURS.get(a.kind, OTHER_COLOUR), a.critical) for a in acts]
        if detailed:
            window = windows.get(number)
            span = [Bar(window.start, window.end, WAVE_BAR)] if window else []
            rows.append(Row(label, span, milestones.get(number, []), header=True))
            rows += [Row(one_line(a.name), [bars[i]]) for i, a in enumerate(acts)]
        else:
            rows.append(Row(label, bars, milestones.get(number, [])))
    if milestones.get(None):
        rows.append(Row("Plan milestones", [], milestones[None], header=True))
    return rows


def _month_starts(start: date, end: date) -> list[date]:
    first = date(start.year, start.month, 1)
    months = []
    while first <= end:
        months.append(first)
        first = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return months


def gantt_pages(
    timeline: Timeline, wave_names: dict[int, str], *, width: float, height: float, fonts: Fonts
) -> list[Drawing]:
    """The Gantt chart split into drawings that each fit one page of the given size."""
    rows = gantt_rows(timeline, wave_names)
    per_page = max(int((height - AXIS_HEIGHT - 4) // ROW_HEIGHT), 1)
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    return [_drawing(chunk, timeline, width, fonts) for chunk in chunks]


def _drawing(rows: list[Row], timeline: Timeline, width: float, fonts: Fonts) -> Drawing:
    label_width = min(210.0, width * 0.28)
    height = AXIS_HEIGHT + ROW_HEIGHT * len(rows) + 4
    drawing = Drawing(width, height)
    start = timeline.start_date
    end = max(timeline.end_date, start) + timedelta(days=1)
    days = max((end - start).days, 1)
    chart_width = width - label_width - 4

    def x_of(day: date) -> float:
        return label_width + chart_width * (day - start).days / days

    top = height - AXIS_HEIGHT
    _axis(drawing, start, end, x_of, top, height, fonts, chart_width / days)
    for index, row in enumerate(rows):
        y = top - ROW_HEIGHT * (index + 1)
        if index % 2 == 0:
            drawing.add(Rect(0, y, width, ROW_HEIGHT, fillColor=colors.HexColor("#F4F6F8"), strokeColor=None))
        font = label_font(row.label, fonts, fonts.bold if row.header else fonts.regular)
        label = fit_text(row.label, font, 7.5, label_width - 6)
        drawing.add(String(3, y + 4.5, label, fontName=font, fontSize=7.5, fillColor=colors.black))
        for bar in row.bars:
            _bar(drawing, bar, x_of, y, row.header)
        for moment in row.milestones:
            _diamond(drawing, x_of(moment) + chart_width / days / 2, y + ROW_HEIGHT / 2)
    drawing.add(Line(label_width, 0, label_width, top, strokeColor=GRID, strokeWidth=0.6))
    return drawing


def _axis(
    drawing: Drawing, start: date, end: date, x_of, top: float, height: float, fonts: Fonts, day_width: float
) -> None:
    months = _month_starts(start, end)
    step = max(1, int(len(months) // 24) + 1)
    for index, month in enumerate(months):
        x = max(x_of(max(month, start)), x_of(start))
        drawing.add(Line(x, 0, x, top, strokeColor=GRID, strokeWidth=0.4))
        if index % step == 0 and x_of(end) - x > 18:
            drawing.add(String(x + 2, top + 14, month.strftime("%b"), fontName=fonts.regular, fontSize=7))
            if month.month == 1 or index == 0:
                drawing.add(String(x + 2, top + 4, str(month.year), fontName=fonts.bold, fontSize=7))
    drawing.add(
        Line(x_of(start), top, x_of(end), top, strokeColor=colors.HexColor("#5B6B7A"), strokeWidth=0.8)
    )


def _bar(drawing: Drawing, bar: Bar, x_of, y: float, header: bool) -> None:
    x0 = x_of(bar.start)
    x1 = x_of(bar.end + timedelta(days=1))
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
