"""Building blocks of the PDF report: styles, paragraphs that escape and shape, tables, cards."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from planning_core.export.text import (
    Fonts,
    fit_text,
    has_rtl,
    label_font,
    markup,
    multiline_markup,
    shaped_style,
)

NAVY = colors.HexColor("#1F3A5F")
MUTED = colors.HexColor("#5B6B7A")
ZEBRA = colors.HexColor("#F4F6F8")
RULE = colors.HexColor("#C9D1D9")
AMBER_BG = colors.HexColor("#FFF7E0")
AMBER = colors.HexColor("#C58B00")
RED = colors.HexColor("#C0392B")
MARGIN = 18 * mm
HEADER_GAP = 12 * mm
NOT_RUN = "This phase has not been run yet for this plan."
AI_LABEL = "AI narrative (unverified)"
TOC_WAVE_LIMIT = 25  # list every wave in the contents only up to this many waves


class Styles:
    """The paragraph styles of the report, built on the registered fonts."""

    def __init__(self, fonts: Fonts) -> None:
        base = ParagraphStyle("body", fontName=fonts.regular, fontSize=9, leading=12.5, spaceAfter=4)
        self.fonts = fonts
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=7.5, leading=9.5, spaceAfter=0)
        self.small_right = ParagraphStyle("small_right", self.small, alignment=TA_RIGHT)
        self.cell_head = ParagraphStyle("cell_head", self.small, fontName=fonts.bold, textColor=colors.white)
        self.cell_head_right = ParagraphStyle("cell_head_right", self.cell_head, alignment=TA_RIGHT)
        self.muted = ParagraphStyle("muted", base, textColor=MUTED, fontSize=8.5)
        self.h1 = ParagraphStyle(
            "h1",
            base,
            fontName=fonts.bold,
            fontSize=16,
            leading=20,
            spaceBefore=4,
            spaceAfter=8,
            textColor=NAVY,
        )
        self.h2 = ParagraphStyle(
            "h2",
            base,
            fontName=fonts.bold,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=NAVY,
        )
        self.h3 = ParagraphStyle(
            "h3", base, fontName=fonts.bold, fontSize=9.5, leading=13, spaceBefore=6, spaceAfter=2
        )
        self.figure = ParagraphStyle(
            "figure", base, fontName=fonts.bold, fontSize=15, leading=18, textColor=NAVY, spaceAfter=0
        )
        self.figure_label = ParagraphStyle("figure_label", self.small, textColor=MUTED)
        self.cover_title = ParagraphStyle(
            "cover_title", base, fontName=fonts.bold, fontSize=26, leading=32, textColor=NAVY, spaceAfter=10
        )
        self.cover_line = ParagraphStyle("cover_line", base, fontSize=12, leading=17, alignment=TA_LEFT)
        self.toc_levels = [
            ParagraphStyle("toc0", base, fontName=fonts.bold, fontSize=10, leading=15, leftIndent=0),
            ParagraphStyle("toc1", base, fontSize=8.5, leading=12, leftIndent=14),
        ]


class ReportParagraph(Paragraph):
    """A paragraph that shapes right-to-left scripts (Arabic, Hebrew) when uharfbuzz is installed.

    When a long paragraph splits across pages, reportlab builds the two halves from the already parsed
    fragments with `text=None`; they keep the (possibly shaped) style of the whole.
    """

    def __init__(self, text: str | None, style: ParagraphStyle, *args: object, **kwargs: object) -> None:
        if text and has_rtl(text):
            style = shaped_style(style)
        super().__init__(text, style, *args, **kwargs)


class CellParagraph(ReportParagraph):
    """A table-cell paragraph that remembers its last wrap: long tables re-wrap rows on every page split."""

    _wrapped_for: float | None = None
    _wrapped_size: tuple[float, float] = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_for != availWidth:
            self._wrapped_size = super().wrap(availWidth, availHeight)
            self._wrapped_for = availWidth
        return self._wrapped_size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        result = super().split(availWidth, availHeight)
        self._wrapped_for = None  # a refused split drops the wrapped lines: wrap again before drawing
        return result


@dataclass
class PageRegistry:
    """Where each heading landed, and where the contents page must print its page number."""

    pages: dict[str, int] = field(default_factory=dict)
    # page, right x, baseline y, heading key, font, size
    slots: list[tuple[int, float, float, str, str, float]] = field(default_factory=list)


class Contents(Flowable):
    """The table of contents, laid out before the build; page numbers are filled in when the PDF is saved.

    This keeps the build to one pass (reportlab's TableOfContents needs two).
    """

    def __init__(self, entries: list[tuple[int, str, str]], styles: Styles, registry: PageRegistry) -> None:
        super().__init__()
        self.entries = entries  # (level, markup text, key)
        self.styles = styles
        self.registry = registry

    def _leading(self, level: int) -> float:
        return self.styles.toc_levels[min(level, 1)].leading

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = sum(self._leading(level) for level, _, _ in self.entries)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        used, cut = 0.0, 0
        for level, _, _ in self.entries:
            if used + self._leading(level) > availHeight:
                break
            used += self._leading(level)
            cut += 1
        if cut == 0 or cut == len(self.entries):
            return []
        return [
            Contents(self.entries[:cut], self.styles, self.registry),
            Contents(self.entries[cut:], self.styles, self.registry),
        ]

    def draw(self) -> None:
        canv = self.canv
        y = self.height
        number_room = 30.0
        for level, text, key in self.entries:
            style = self.styles.toc_levels[min(level, 1)]
            y -= style.leading
            baseline = y + (style.leading - style.fontSize) / 2 + 1
            plain = ReportParagraph(text, style).getPlainText()
            font = label_font(plain, self.styles.fonts, style.fontName)
            label = fit_text(plain, font, style.fontSize, self.width - number_room - style.leftIndent - 20)
            canv.setFont(font, style.fontSize)
            canv.drawString(style.leftIndent, baseline, label)
            end = style.leftIndent + stringWidth(label, font, style.fontSize) + 4
            canv.saveState()
            canv.setStrokeColor(MUTED)
            canv.setLineWidth(0.6)
            canv.setDash(0.6, 2.4)
            canv.line(end, baseline, self.width - number_room + 2, baseline)
            canv.restoreState()
            x, number_y = canv.absolutePosition(self.width, baseline)
            self.registry.slots.append(
                (canv.getPageNumber(), x, number_y, key, style.fontName, style.fontSize)
            )
            left, bottom = canv.absolutePosition(0, y)
            canv.linkRect("", key, (left, bottom, x, bottom + style.leading), relative=0, thickness=0)


class Heading(ReportParagraph):
    """A heading that enters the table of contents and the PDF outline."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str, toc: bool = True) -> None:
        super().__init__(text, style)
        self.level = level
        self.key = key
        self.toc = toc

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        """Never split: a heading moves whole to the next page (it carries one bookmark)."""
        return []


# ---------------------------------------------------------------- building blocks


def table(
    rows: list[list[object]],
    widths: list[float],
    styles: Styles,
    *,
    numeric: tuple[int, ...] = (),
    plain: tuple[int, ...] = (),
    highlight: list[int] | None = None,
) -> Table:
    """A report table: dark header row repeated on each page, zebra rows, numeric columns right-aligned.

    Cells are markup, drawn as wrapped paragraphs; `plain` and `numeric` columns hold short values of
    our own (numbers, dates, codes), and any cell without markup that fits on one line, drawn as strings.
    """
    head = [
        ReportParagraph(str(cell), styles.cell_head_right if i in numeric else styles.cell_head)
        for i, cell in enumerate(rows[0])
    ]
    flat = set(plain) | set(numeric)
    body = [
        [_cell(cell, i in flat, i in numeric, widths[i] - 6, styles) for i, cell in enumerate(row)]
        for row in rows[1:]
    ]
    # splitInRow: a row taller than a page (a warning naming hundreds of waves) continues on the next page
    result = Table([head] + body, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
    commands: list[tuple] = [
        ("FONT", (0, 1), (-1, -1), styles.fonts.regular, styles.small.fontSize, styles.small.leading),
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(rows), 2)]
    commands += [("ALIGN", (c, 1), (c, -1), "RIGHT") for c in numeric]
    commands += [("TEXTCOLOR", (0, r), (-1, r), RED) for r in (highlight or [])]
    result.setStyle(TableStyle(commands))
    return result


def _cell(cell: object, flat: bool, right: bool, room: float, styles: Styles) -> object:
    """A plain string when the text needs no markup and fits on one line (fast), else a paragraph."""
    if isinstance(cell, Flowable):
        return cell
    text = str(cell)
    simple = "<" not in text and "&" not in text
    if simple and (flat or (text.isascii() and _width(text, styles) <= room)):
        return text
    return CellParagraph(text, styles.small_right if right else styles.small)


def _width(text: str, styles: Styles) -> float:
    return stringWidth(text, styles.fonts.regular, styles.small.fontSize)


def key_values(pairs: list[tuple[str, str]], styles: Styles, width: float) -> Table:
    """A two-column label/value table (values are markup)."""
    rows = [
        [ReportParagraph(label, styles.small), ReportParagraph(value, styles.small)] for label, value in pairs
    ]
    result = Table(rows, colWidths=[width * 0.34, width * 0.66], hAlign="LEFT", splitInRow=1)
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return result


def ai_box(text: str, styles: Styles, width: float, source: str = "") -> Table:
    """Agent text in a clearly marked box: labelled as AI narrative (unverified), escaped."""
    label = AI_LABEL + (f" \u2014 {markup(source)}" if source else "")
    cell = [
        ReportParagraph(f"<b>{label}</b>", styles.small),
        Spacer(1, 2),
        ReportParagraph(multiline_markup(text) or "-", styles.small),
    ]
    box = Table([[cell]], colWidths=[width], hAlign="LEFT", splitInRow=1)
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), AMBER_BG),
                ("BOX", (0, 0), (-1, -1), 0.8, AMBER),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return box


def figure_cards(figures: list[tuple[str, str, str]], styles: Styles, width: float) -> Table:
    """Key figures as a grid of cards: (label, big value, detail)."""
    columns = 3
    cells: list[list[Flowable] | str] = [
        [
            ReportParagraph(value, styles.figure),
            ReportParagraph(label, styles.figure_label),
            ReportParagraph(detail, styles.small),
        ]
        for label, value, detail in figures
    ]
    while len(cells) % columns:
        cells.append("")
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    grid = Table(rows, colWidths=[width / columns] * columns, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return grid
