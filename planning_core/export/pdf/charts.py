"""Cost charts drawn with reportlab.graphics charts."""

from __future__ import annotations

from decimal import Decimal

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from planning_core.engines.costs.models import CostEstimate
from planning_core.export.text import Fonts, one_line, truncate

PALETTE = [
    colors.HexColor("#1F3A5F"),
    colors.HexColor("#3E6A9E"),
    colors.HexColor("#6FA287"),
    colors.HexColor("#E0A030"),
    colors.HexColor("#A7B3BE"),
    colors.HexColor("#8E5572"),
]
_WAVE_PARTS = (
    ("Labour", "labour"),
    ("One-off", "one_off"),
    ("Dual running", "dual_running"),
    ("Data transfer", "data_transfer"),
)


def _thousands(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:,.0f}k"
    return f"{value:,.0f}"


def horizontal_bars(
    labels: list[str], values: list[Decimal], *, title: str, width: float, fonts: Fonts
) -> Drawing:
    """A horizontal bar chart of amounts with one labelled bar per item."""
    row = 16
    height = max(len(labels), 1) * row + 46
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName=fonts.bold, fontSize=9))
    chart = HorizontalBarChart()
    chart.x, chart.y = 130, 18
    chart.width, chart.height = width - 150, height - 40
    chart.data = [[float(v) for v in reversed(values)] or [0.0]]
    chart.categoryAxis.categoryNames = [truncate(one_line(label), 26) for label in reversed(labels)] or [""]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _thousands
    chart.bars[0].fillColor = PALETTE[1]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _thousands
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def wave_cost_chart(estimate: CostEstimate, *, width: float, fonts: Fonts) -> Drawing:
    """Stacked bars of cost per wave by kind (labour, one-off, dual running, data transfer)."""
    height = 200
    drawing = Drawing(width, height)
    drawing.add(
        String(0, height - 12, f"Cost by wave ({estimate.currency})", fontName=fonts.bold, fontSize=9)
    )
    waves = estimate.by_wave
    chart = VerticalBarChart()
    chart.x, chart.y = 45, 30
    chart.width, chart.height = width - 160, height - 55
    chart.data = [[float(getattr(w, attr)) for w in waves] or [0.0] for _, attr in _WAVE_PARTS]
    chart.categoryAxis.style = "stacked"
    step = max(1, len(waves) // 30 + 1)
    chart.categoryAxis.categoryNames = [
        str(w.wave_number) if i % step == 0 else "" for i, w in enumerate(waves)
    ] or [""]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _thousands
    for index in range(len(_WAVE_PARTS)):
        chart.bars[index].fillColor = PALETTE[index]
        chart.bars[index].strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = 2 if len(waves) > 40 else 6
    drawing.add(chart)
    drawing.add(
        String(
            chart.x + chart.width / 2, 4, "Wave", fontName=fonts.regular, fontSize=7.5, textAnchor="middle"
        )
    )
    key = Legend()
    key.x, key.y = width - 100, height - 40
    key.fontName = fonts.regular
    key.fontSize = 7.5
    key.alignment = "right"
    key.columnMaximum = len(_WAVE_PARTS)
    key.colorNamePairs = [(PALETTE[i], label) for i, (label, _) in enumerate(_WAVE_PARTS)]
    drawing.add(key)
    return drawing
