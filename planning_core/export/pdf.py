"""The one-click PDF report (reportlab platypus): cover, contents, summary, waves, resources,
timeline (Gantt), costs and appendix, with running header, page numbers and repeated table headers."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from planning_core.domain import BASE_EFFORT_HOURS, HOURS_PER_EXTRA_SERVER
from planning_core.export import charts, gantt
from planning_core.export.text import (
    Fonts,
    fit_text,
    has_rtl,
    hours,
    iso,
    label_font,
    markup,
    money,
    multiline_markup,
    one_line,
    pct,
    register_fonts,
    shaped_style,
)
from planning_core.plan import PlanDocument

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
    """A paragraph that shapes right-to-left scripts (Arabic, Hebrew) when uharfbuzz is installed."""

    def __init__(self, text: str, style: ParagraphStyle, *args: object, **kwargs: object) -> None:
        if has_rtl(text):
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


class ReportTemplate(BaseDocTemplate):
    """Portrait and landscape page templates, plus a cover; headings feed the contents."""

    def __init__(self, buffer: io.BytesIO, plan: PlanDocument, fonts: Fonts, registry: PageRegistry) -> None:
        self.registry = registry
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + HEADER_GAP,
            bottomMargin=MARGIN,
            title=one_line(plan.name or plan.planning_flow_id)[:200],
            author="Planning Flow",
            subject="Cloud migration plan",
            creator="Planning Flow",
            invariant=1,  # same plan, same bytes: no creation time or random id in the file
        )
        self.plan = plan
        self.fonts = fonts
        self.header_text = one_line(
            " \u00b7 ".join(
                part
                for part in (
                    plan.name or plan.planning_flow_id,
                    plan.client_account_name,
                    plan.engagement_name,
                )
                if part
            )
        )
        portrait_frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="portrait")
        wide, tall = landscape(A4)
        landscape_frame = Frame(
            MARGIN, MARGIN, wide - 2 * MARGIN, tall - 2 * MARGIN - HEADER_GAP, id="landscape"
        )
        self.addPageTemplates(
            [
                PageTemplate("cover", [portrait_frame], onPage=self._cover_page, pagesize=A4),
                PageTemplate("portrait", [portrait_frame], onPage=self._running_header, pagesize=A4),
                PageTemplate(
                    "landscape", [landscape_frame], onPage=self._running_header, pagesize=landscape(A4)
                ),
            ]
        )

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab hook)
        """Record headings for the contents and the PDF outline."""
        if isinstance(flowable, Heading):
            text = flowable.getPlainText()
            self.canv.bookmarkPage(flowable.key)
            self.canv.addOutlineEntry(text, flowable.key, level=flowable.level, closed=flowable.level > 0)
            self.registry.pages[flowable.key] = self.page

    def _cover_page(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        width, height = canv._pagesize
        canv.saveState()
        canv.setFillColor(NAVY)
        canv.rect(0, height - 70 * mm, width, 70 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(self.fonts.bold, 13)
        canv.drawString(MARGIN, height - 25 * mm, "PLANNING FLOW")
        canv.setFont(self.fonts.regular, 10)
        canv.drawString(MARGIN, height - 32 * mm, "Cloud migration plan")
        canv.setFillColor(MUTED)
        canv.setFont(self.fonts.regular, 7.5)
        canv.drawString(
            MARGIN,
            12 * mm,
            "Prepared with Planning Flow. Figures come from the plan's "
            "deterministic engines; AI narrative is marked as unverified.",
        )
        canv.restoreState()

    def _running_header(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        width, height = canv._pagesize
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN, height - MARGIN - 2 * mm, width - MARGIN, height - MARGIN - 2 * mm)
        canv.setFont(self.fonts.regular, 7.5)
        canv.setFillColor(MUTED)
        right = f"Revision {self.plan.revision}"
        available = width - 2 * MARGIN - stringWidth(right, self.fonts.regular, 7.5) - 12
        canv.drawString(
            MARGIN, height - MARGIN, fit_text(self.header_text, self.fonts.regular, 7.5, available)
        )
        canv.drawRightString(width - MARGIN, height - MARGIN, right)
        canv.line(MARGIN, MARGIN - 4 * mm, width - MARGIN, MARGIN - 4 * mm)
        canv.restoreState()


def numbered_canvas(fonts: Fonts, registry: PageRegistry) -> type[pdfcanvas.Canvas]:
    """A canvas class that writes 'Page n of N' on every page but the cover, and the contents' numbers."""

    class NumberedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                if self._pageNumber > 1:
                    width = self._pagesize[0]
                    self.setFont(fonts.regular, 7.5)
                    self.setFillColor(MUTED)
                    self.drawRightString(
                        width - MARGIN, MARGIN - 8 * mm, f"Page {self._pageNumber} of {total}"
                    )
                    self.drawString(MARGIN, MARGIN - 8 * mm, "Confidential \u2014 migration plan")
                self._contents_numbers()
                super().showPage()
            super().save()

        def _contents_numbers(self) -> None:
            self.setFillColor(colors.black)
            for page, x, y, key, font, size in registry.slots:
                if page == self._pageNumber and key in registry.pages:
                    self.setFont(font, size)
                    self.drawRightString(x, y, str(registry.pages[key]))

    return NumberedCanvas


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

    Cells are markup (wrapped paragraphs) except in `plain` and `numeric` columns, which hold short
    values of our own (numbers, dates, codes) drawn as plain strings.
    """
    head = [
        ReportParagraph(str(cell), styles.cell_head_right if i in numeric else styles.cell_head)
        for i, cell in enumerate(rows[0])
    ]
    flat = set(plain) | set(numeric)
    body = [[_cell(cell, i in flat, i in numeric, styles) for i, cell in enumerate(row)] for row in rows[1:]]
    result = Table([head] + body, colWidths=widths, repeatRows=1, hAlign="LEFT")
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


def _cell(cell: object, flat: bool, right: bool, styles: Styles) -> object:
    if isinstance(cell, Flowable):
        return cell
    text = str(cell)
    if flat and "<" not in text and "&" not in text:
        return text
    return CellParagraph(text, styles.small_right if right else styles.small)


def key_values(pairs: list[tuple[str, str]], styles: Styles, width: float) -> Table:
    """A two-column label/value table (values are markup)."""
    rows = [
        [ReportParagraph(label, styles.small), ReportParagraph(value, styles.small)] for label, value in pairs
    ]
    result = Table(rows, colWidths=[width * 0.34, width * 0.66], hAlign="LEFT")
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
    box = Table([[cell]], colWidths=[width], hAlign="LEFT")
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
    cells = [
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


# ---------------------------------------------------------------- sections


def _currency(plan: PlanDocument) -> str:
    return plan.cost_estimation.currency if plan.cost_estimation else "USD"


def cover(plan: PlanDocument, styles: Styles) -> list[Flowable]:
    """Cover page: plan name, client account, engagement, date, revision."""
    date_of = plan.planning_completed_at or plan.updated_at or plan.created_at
    lines = [
        ("Client account", markup(plan.client_account_name or f"#{plan.client_account_id}")),
        ("Engagement", markup(plan.engagement_name or f"#{plan.engagement_id}")),
        ("Date", iso(date_of.date() if date_of else None)),
        ("Revision", f"{plan.revision} (version {plan.version})"),
        ("Status", _status(plan)),
        ("Plan id", markup(plan.planning_flow_id)),
    ]
    flow: list[Flowable] = [
        Spacer(1, 62 * mm),
        ReportParagraph(markup(plan.name or "Migration plan"), styles.cover_title),
    ]
    flow.append(Spacer(1, 6 * mm))
    rows = [
        [ReportParagraph(label, styles.muted), ReportParagraph(value, styles.cover_line)]
        for label, value in lines
    ]
    grid = Table(rows, colWidths=[40 * mm, None], hAlign="LEFT")
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    flow.append(grid)
    return flow


def _status(plan: PlanDocument) -> str:
    phase = plan.current_phase.value.replace("_", " ")
    if plan.current_phase.value == "completed":
        return "completed"
    return f"{phase} \u2014 {plan.phase_status.value}"


def contents(flow: list[Flowable], styles: Styles, registry: PageRegistry) -> list[Flowable]:
    """The table of contents of the given story (its headings marked for the contents)."""
    entries = [(f.level, f.text, f.key) for f in flow if isinstance(f, Heading) and f.toc]
    return [ReportParagraph("Contents", styles.h1), Contents(entries, styles, registry)]


def executive_summary(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Key figures, plan quality, risks, recommendations and the (marked) AI narrative."""
    flow: list[Flowable] = [Heading("1 Executive summary", styles.h1, 0, "summary")]
    flow.append(figure_cards(_key_figures(plan), styles, width))
    flow.append(Spacer(1, 8))
    synthesis = plan.synthesis
    if synthesis is None:
        flow.append(
            ReportParagraph(
                "The synthesis phase has not been run yet: risks and recommendations are not available.",
                styles.muted,
            )
        )
        return flow
    for title, findings in (("Risks", synthesis.risks), ("Recommendations", synthesis.recommendations)):
        flow.append(ReportParagraph(title, styles.h2))
        if not findings:
            flow.append(
                ReportParagraph(f"No {title.lower()} were identified from the plan's figures.", styles.muted)
            )
            continue
        rows: list[list[object]] = [["Severity", "Finding", "Detail", "Metric"]]
        rows += [
            [markup(f.severity), f"<b>{markup(f.title)}</b>", markup(f.detail), markup(f.metric)]
            for f in findings
        ]
        high = [i + 1 for i, f in enumerate(findings) if f.severity.lower() == "high"]
        flow.append(
            table(rows, [width * 0.1, width * 0.27, width * 0.48, width * 0.15], styles, highlight=high)
        )
    if synthesis.narrative.strip():
        flow += [Spacer(1, 8), ai_box(synthesis.narrative, styles, width, "synthesis")]
    return flow


def _key_figures(plan: PlanDocument) -> list[tuple[str, str, str]]:
    figures: list[tuple[str, str, str]] = []
    wave_plan, timeline, estimate = plan.wave_plan, plan.timeline, plan.cost_estimation
    total_apps = len(plan.selected_applications) or len(plan.applications)
    if wave_plan is not None:
        summary = wave_plan.summary
        figures.append(
            (
                "Applications",
                f"{summary.total_applications:,}",
                f"{summary.migrated_applications:,} migrated, "
                f"{summary.not_migrated_applications:,} not migrated",
            )
        )
        figures.append(
            (
                "Waves",
                f"{summary.total_waves:,}",
                f"lower bound {wave_plan.lower_bound:,}, gap {wave_plan.gap:,}"
                + (f" ({markup(wave_plan.lower_bound_kind)})" if wave_plan.lower_bound_kind else ""),
            )
        )
    else:
        figures.append(("Applications", f"{total_apps:,}", "wave planning not run yet"))
    if timeline is not None:
        figures.append(
            (
                "Duration",
                f"{timeline.total_working_days:,} working days",
                f"{iso(timeline.start_date)} to {iso(timeline.end_date)} "
                f"({timeline.total_duration_days:,} calendar days)",
            )
        )
    if estimate is not None:
        figures.append(
            (
                "Total cost with contingency",
                money(estimate.total, markup(estimate.currency)),
                f"subtotal {money(estimate.subtotal)} + contingency {money(estimate.contingency)} "
                f"({estimate.contingency_percentage:g}%)",
            )
        )
    if wave_plan is not None:
        figures.append(
            (
                "Effort",
                f"{hours(wave_plan.summary.total_effort_hours)} h",
                f"capacity per wave {hours(wave_plan.summary.effort_capacity_hours)} h",
            )
        )
    if plan.resource_allocation is not None:
        gaps = plan.resource_allocation.skill_gaps
        figures.append(
            (
                "Skill gaps",
                f"{len(gaps):,}",
                markup(", ".join(g.skill for g in gaps[:6]) + (" \u2026" if len(gaps) > 6 else ""))
                or "every required skill is covered",
            )
        )
    return figures


def wave_plan_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Overview of waves, one subsection per wave with its applications, and the not-migrated list."""
    flow: list[Flowable] = [PageBreak(), Heading("2 Wave plan", styles.h1, 0, "waves")]
    wave_plan = plan.wave_plan
    if wave_plan is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    windows = {w.wave_number: w for w in plan.timeline.waves} if plan.timeline else {}
    summary = wave_plan.summary
    flow.append(
        ReportParagraph(
            f"{summary.migrated_applications:,} applications migrate in {summary.total_waves:,} waves "
            f"(at most {summary.max_apps_per_wave:,} per wave); {summary.not_migrated_applications:,} not "
            f"migrated. The plan uses {summary.total_waves:,} waves against a lower bound of "
            f"{wave_plan.lower_bound:,} (gap {wave_plan.gap:,}); dependency weight cut across waves: "
            f"{summary.cut_weight:g}.",
            styles.body,
        )
    )
    rows: list[list[object]] = [["Wave", "Name", "Start", "End", "Apps", "Effort (h)", "Notes"]]
    for wave in wave_plan.waves:
        window = windows.get(wave.wave_number)
        notes = ", ".join(n for n, on in (("pilot", wave.is_pilot), ("locked", wave.locked)) if on)
        rows.append(
            [
                str(wave.wave_number),
                markup(wave.name or f"Wave {wave.wave_number}", limit=80),
                iso(window.start if window else None),
                iso(window.end if window else None),
                f"{len(wave.applications):,}",
                hours(wave.total_effort_hours),
                notes,
            ]
        )
    flow.append(
        table(
            rows,
            [w * width for w in (0.07, 0.33, 0.13, 0.13, 0.08, 0.12, 0.14)],
            styles,
            numeric=(0, 4, 5),
            plain=(2, 3, 6),
        )
    )
    list_waves = len(wave_plan.waves) <= TOC_WAVE_LIMIT
    for wave in wave_plan.waves:
        window = windows.get(wave.wave_number)
        flow.append(CondPageBreak(60 * mm))
        title = _wave_title(wave.wave_number, wave.name)
        flow.append(Heading(title, styles.h2, 1, f"wave-{wave.wave_number}", toc=list_waves))
        dates = f"{iso(window.start)} to {iso(window.end)}" if window else "not scheduled yet"
        flags = "".join(
            f" \u00b7 {flag}" for flag, on in (("pilot wave", wave.is_pilot), ("locked", wave.locked)) if on
        )
        flow.append(
            ReportParagraph(
                f"{dates} \u00b7 {len(wave.applications):,} applications \u00b7 "
                f"{hours(wave.total_effort_hours)} effort hours{flags}",
                styles.muted,
            )
        )
        flow.append(_wave_table(wave, styles, width))
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Applications not migrated", styles.h2, 1, "not-migrated"))
    if wave_plan.not_migrated:
        rows = [["ID", "Application", "6R", "Reason"]]
        rows += [
            [markup(n.application_id), markup(n.name), n.six_r_strategy.value, markup(n.reason)]
            for n in wave_plan.not_migrated
        ]
        flow.append(table(rows, [width * 0.14, width * 0.38, width * 0.1, width * 0.38], styles))
    else:
        flow.append(ReportParagraph("Every selected application is migrated.", styles.muted))
    if wave_plan.violations:
        flow.append(Heading("Constraint violations", styles.h2, 1, "violations"))
        rows = [["Constraint", "Hard", "Message", "Waves"]]
        rows += [
            [
                markup(v.constraint),
                "yes" if v.hard else "no",
                markup(v.message),
                ", ".join(str(n) for n in v.wave_numbers),
            ]
            for v in wave_plan.violations
        ]
        flow.append(
            table(
                rows,
                [width * 0.15, width * 0.07, width * 0.63, width * 0.15],
                styles,
                highlight=[i + 1 for i, v in enumerate(wave_plan.violations) if v.hard],
            )
        )
    return flow


def _wave_title(number: int, name: str) -> str:
    """'Wave 3', or 'Wave 3 \u2014 Finance core' when the wave has a name of its own."""
    own = one_line(name)
    if not own or own.lower() == f"wave {number}":
        return f"Wave {number}"
    return f"Wave {number} \u2014 {markup(own, limit=90)}"


def _wave_table(wave, styles: Styles, width: float) -> Table:
    rows: list[list[object]] = [["ID", "Application", "6R", "Cx", "Criticality", "Effort (h)", "Rationale"]]
    for app in wave.applications:
        pinned = " (pinned)" if app.pinned else ""
        rows.append(
            [
                markup(app.application_id),
                markup(app.name) + pinned,
                app.six_r_strategy.value,
                str(app.complexity),
                app.business_criticality.value,
                hours(app.effort_hours),
                markup(app.rationale),
            ]
        )
    widths = [w * width for w in (0.1, 0.27, 0.1, 0.05, 0.1, 0.1, 0.28)]
    return table(rows, widths, styles, numeric=(3, 5), plain=(2, 4))


def resources_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Role x wave hours and utilisation, and skill gaps."""
    flow: list[Flowable] = [PageBreak(), Heading("3 Resources", styles.h1, 0, "resources")]
    allocation = plan.resource_allocation
    if allocation is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    roles: list[str] = []
    for item in allocation.allocations:
        if item.role not in roles:
            roles.append(item.role)
    over = [a for a in allocation.allocations if a.over_allocated]
    flow.append(
        ReportParagraph(
            f"{hours(allocation.total_hours)} hours across {len(roles)} roles. Each cell shows hours and "
            f"utilisation of the role's capacity over the wave; <font color='#C0392B'>red</font> marks "
            f"over-allocation (roles over capacity in a wave: {len(over)}).",
            styles.body,
        )
    )
    flow.append(Heading("Hours and utilisation by role and wave", styles.h2, 1, "role-wave"))
    flow += _role_wave_tables(plan, roles, styles, width)
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Skill gaps", styles.h2, 1, "skill-gaps"))
    if allocation.skill_gaps:
        rows: list[list[object]] = [["Skill", "Severity", "Applications", "Recommendation"]]
        for gap in allocation.skill_gaps:
            ids = ", ".join(gap.application_ids[:12]) + (" \u2026" if len(gap.application_ids) > 12 else "")
            rows.append(
                [
                    markup(gap.skill),
                    markup(gap.severity),
                    f"{len(gap.application_ids):,}: {markup(ids)}",
                    markup(gap.recommendation),
                ]
            )
        flow.append(
            table(
                rows,
                [width * 0.16, width * 0.1, width * 0.34, width * 0.4],
                styles,
                highlight=[i + 1 for i, g in enumerate(allocation.skill_gaps) if g.severity == "high"],
            )
        )
    else:
        flow.append(
            ReportParagraph("No skill gaps: every skill the applications need is in a pool.", styles.muted)
        )
    return flow


def _role_wave_tables(plan: PlanDocument, roles: list[str], styles: Styles, width: float) -> list[Flowable]:
    allocation = plan.resource_allocation
    assert allocation is not None
    cells = {(a.wave_number, a.role): a for a in allocation.allocations}
    waves = sorted({a.wave_number for a in allocation.allocations})
    flow: list[Flowable] = []
    per_table = 6
    for first in range(0, max(len(roles), 1), per_table):
        chunk = roles[first : first + per_table]
        rows: list[list[object]] = [["Wave"] + [markup(r.replace("_", " ")) for r in chunk] + ["Total (h)"]]
        style_marks: list[tuple[int, int]] = []
        for r_index, number in enumerate(waves, start=1):
            row: list[object] = [str(number)]
            total = 0.0
            for c_index, role in enumerate(chunk, start=1):
                item = cells.get((number, role))
                if item is None:
                    row.append("\u2013")
                    continue
                total += item.hours
                row.append(f"{hours(item.hours)} \u00b7 {pct(item.utilisation_pct)}")
                if item.over_allocated:
                    style_marks.append((c_index, r_index))
            row.append(hours(total))
            rows.append(row)
        column = (width - 40) / (len(chunk) + 1)
        grid = table(
            rows, [40] + [column] * (len(chunk) + 1), styles, numeric=tuple(range(1, len(chunk) + 2))
        )
        grid.setStyle(TableStyle([("BACKGROUND", c, c, colors.HexColor("#F9D6D2")) for c in style_marks]))
        flow += [grid, Spacer(1, 6)]
    return flow


def timeline_section(plan: PlanDocument, styles: Styles, fonts: Fonts) -> list[Flowable]:
    """Gantt chart on landscape pages with the critical path and milestones, then the activity table."""
    wide, tall = landscape(A4)
    width = wide - 2 * MARGIN
    flow: list[Flowable] = [
        NextPageTemplate("landscape"),
        PageBreak(),
        Heading("4 Timeline", styles.h1, 0, "timeline"),
    ]
    timeline = plan.timeline
    if timeline is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted), NextPageTemplate("portrait")]
    critical = [a for a in timeline.activities if a.critical]
    flow.append(
        ReportParagraph(
            f"{iso(timeline.start_date)} to {iso(timeline.end_date)}: {timeline.total_working_days:,} working "
            f"days ({timeline.total_duration_days:,} calendar days), {len(timeline.activities):,} activities, "
            f"{len(timeline.milestones):,} milestones. The critical path ({len(critical):,} activities) is "
            f"outlined in red.",
            styles.body,
        )
    )
    flow.append(gantt.legend(fonts, width))
    names = {w.wave_number: w.name for w in plan.wave_plan.waves} if plan.wave_plan else {}
    first_height = tall - 2 * MARGIN - HEADER_GAP - 70
    pages = gantt.gantt_pages(timeline, names, width=width, height=first_height, fonts=fonts)
    for index, drawing in enumerate(pages):
        if index:
            flow.append(PageBreak())
        flow.append(drawing)
    flow.append(PageBreak())
    flow.append(Heading("Critical path and milestones", styles.h2, 1, "critical-path"))
    path = " \u2192 ".join(markup(step) for step in timeline.critical_path) or "none reported"
    flow.append(ReportParagraph(f"<b>Critical path:</b> {path}", styles.body))
    if timeline.milestones:
        rows: list[list[object]] = [["Date", "Milestone", "Kind", "Wave", "Description"]]
        rows += [
            [
                iso(m.date),
                markup(m.name),
                markup(m.kind.replace("_", " ")),
                str(m.wave_number) if m.wave_number is not None else "\u2013",
                markup(m.description),
            ]
            for m in timeline.milestones
        ]
        flow.append(table(rows, [w * width for w in (0.1, 0.3, 0.12, 0.06, 0.42)], styles))
    flow.append(CondPageBreak(40 * mm))
    flow.append(Heading("Activities", styles.h2, 1, "activities"))
    rows = [["ID", "Activity", "Wave", "Start", "End", "Days", "Slack", "Predecessors", "Critical"]]
    for act in timeline.activities:
        rows.append(
            [
                markup(act.id),
                markup(act.name),
                str(act.wave_number),
                iso(act.start),
                iso(act.end),
                str(act.duration_days),
                str(act.slack_days),
                markup(", ".join(act.predecessors)),
                "yes" if act.critical else "",
            ]
        )
    flow.append(
        table(
            rows,
            [w * width for w in (0.1, 0.25, 0.05, 0.09, 0.09, 0.05, 0.05, 0.24, 0.08)],
            styles,
            numeric=(2, 5, 6),
            plain=(3, 4, 8),
            highlight=[i + 1 for i, a in enumerate(timeline.activities) if a.critical],
        )
    )
    flow.append(NextPageTemplate("portrait"))
    return flow


def costs_section(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Cost summary with contingency, then tables and charts by category, role and wave."""
    flow: list[Flowable] = [PageBreak(), Heading("5 Costs", styles.h1, 0, "costs")]
    est = plan.cost_estimation
    if est is None:
        return flow + [ReportParagraph(NOT_RUN, styles.muted)]
    cur = markup(est.currency)
    rows: list[list[object]] = [["Item", f"Amount ({cur})"]]
    rows += [
        ["Labour", money(est.labour_total)],
        ["One-off costs", money(est.one_off_total)],
        ["Data transfer", money(est.data_transfer_total)],
        ["Dual running", money(est.dual_running_total)],
        ["<b>Subtotal</b>", f"<b>{money(est.subtotal)}</b>"],
        [f"Contingency ({est.contingency_percentage:g}% of subtotal)", money(est.contingency)],
        ["<b>Total with contingency</b>", f"<b>{money(est.total)}</b>"],
    ]
    if est.p50_total or est.p80_total:
        rows += [
            ["P50 total (effort uncertainty)", money(est.p50_total)],
            ["P80 total (effort uncertainty)", money(est.p80_total)],
        ]
    flow.append(table(rows, [width * 0.6, width * 0.4], styles, numeric=(1,)))
    flow.append(Heading("By category", styles.h2, 1, "cost-category"))
    labels = [c.category.replace("_", " ") for c in est.by_category]
    flow.append(
        KeepTogether(
            [
                charts.horizontal_bars(
                    labels,
                    [c.amount for c in est.by_category],
                    title=f"Cost by category ({est.currency})",
                    width=width,
                    fonts=styles.fonts,
                )
            ]
        )
    )
    rows = [["Category", f"Amount ({cur})", "Share"]]
    rows += [
        [markup(label), money(c.amount), _share(c.amount, est.subtotal)]
        for label, c in zip(labels, est.by_category, strict=True)
    ]
    flow.append(table(rows, [width * 0.5, width * 0.3, width * 0.2], styles, numeric=(1, 2)))
    flow.append(CondPageBreak(80 * mm))
    flow.append(Heading("By role", styles.h2, 1, "cost-role"))
    flow.append(
        charts.horizontal_bars(
            [r.role.replace("_", " ") for r in est.by_role],
            [r.amount for r in est.by_role],
            title=f"Labour by role ({est.currency})",
            width=width,
            fonts=styles.fonts,
        )
    )
    rows = [["Role", "Hours", f"Rate ({cur}/h)", f"Amount ({cur})"]]
    rows += [
        [markup(r.role.replace("_", " ")), hours(r.hours), money(r.hourly_rate), money(r.amount)]
        for r in est.by_role
    ]
    flow.append(table(rows, [width * 0.4, width * 0.2, width * 0.2, width * 0.2], styles, numeric=(1, 2, 3)))
    flow.append(CondPageBreak(90 * mm))
    flow.append(Heading("By wave", styles.h2, 1, "cost-wave"))
    flow.append(charts.wave_cost_chart(est, width=width, fonts=styles.fonts))
    rows = [["Wave", "Labour", "One-off", "Dual running", "Data transfer", f"Total ({cur})"]]
    rows += [
        [
            str(w.wave_number),
            money(w.labour),
            money(w.one_off),
            money(w.dual_running),
            money(w.data_transfer),
            money(w.total),
        ]
        for w in est.by_wave
    ]
    flow.append(table(rows, [width * 0.1] + [width * 0.18] * 5, styles, numeric=(0, 1, 2, 3, 4, 5)))
    return flow


def _share(amount: Decimal, subtotal: Decimal) -> str:
    return pct(float(amount / subtotal * 100)) if subtotal else "\u2013"


def appendix(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    """Configuration and assumptions, warnings, agent reviews and the revision record."""
    config = plan.planning_config
    flow: list[Flowable] = [PageBreak(), Heading("Appendix", styles.h1, 0, "appendix")]
    flow.append(Heading("A. Configuration and assumptions", styles.h2, 1, "configuration"))
    blackouts = "; ".join(
        f"{iso(b.start)} to {iso(b.end)} {markup(b.reason)}" for b in config.blackout_windows
    )
    holidays = ", ".join(iso(d) for d in sorted(config.holidays))
    flow.append(
        key_values(
            [
                ("Migration start", iso(config.migration_start_date)),
                (
                    "Calendar",
                    f"{config.working_days_per_week} working days per week, {config.hours_per_day:g} hours "
                    f"per day",
                ),
                ("Holidays", holidays or "none"),
                ("Blackout windows", blackouts or "none"),
                ("Max applications per wave", f"{config.max_apps_per_wave:,}"),
                ("Wave duration limit", f"{config.wave_duration_limit_days:,} days"),
                ("Effort capacity per wave", f"{hours(config.wave_effort_capacity_hours)} h"),
                (
                    "Pilot wave",
                    f"yes, at most {config.pilot_max_apps} applications" if config.pilot_wave else "no",
                ),
                ("Contingency", f"{config.contingency_percentage:g}% of subtotal"),
                ("Data transfer", f"{money(config.cost_inputs.data_transfer_cost_per_gb)} per GB"),
                (
                    "Dual running",
                    f"{money(config.cost_inputs.dual_running_cost_per_server_per_month)} per server per "
                    f"month for {config.cost_inputs.dual_running_months:g} months",
                ),
                ("Effort uncertainty", f"{config.cost_inputs.effort_uncertainty_pct:g}%"),
            ],
            styles,
            width,
        )
    )
    flow.append(ReportParagraph("Rates and capacity by role", styles.h3))
    rows: list[list[object]] = [["Role", "Headcount", "h/week each", "Rate", "Currency", "Skills"]]
    rows += [
        [
            markup(p.role.replace("_", " ")),
            str(p.headcount),
            f"{p.capacity_hours_per_week:g}",
            money(p.hourly_rate),
            markup(p.currency),
            markup(", ".join(p.skills)),
        ]
        for p in config.resource_pools
    ]
    flow.append(
        table(rows, [w * width for w in (0.2, 0.1, 0.11, 0.11, 0.09, 0.39)], styles, numeric=(1, 2, 3))
    )
    if config.cost_inputs.one_off_costs:
        flow.append(ReportParagraph("One-off costs", styles.h3))
        rows = [["Item", "Category", "Amount"]]
        rows += [
            [markup(c.name), markup(c.category), money(c.amount)] for c in config.cost_inputs.one_off_costs
        ]
        flow.append(table(rows, [width * 0.5, width * 0.25, width * 0.25], styles, numeric=(2,)))
    flow.append(ReportParagraph("Effort model", styles.h3))
    flow.append(
        ReportParagraph(
            "When an application has no effort estimate, effort = base hours for its 6R strategy \u00d7 (0.4 + "
            f"0.12 \u00d7 complexity) + {HOURS_PER_EXTRA_SERVER:g} hours per server beyond the first. Base hours "
            "(complexity 5): " + ", ".join(f"{k.value} {v:g} h" for k, v in BASE_EFFORT_HOURS.items()) + ".",
            styles.body,
        )
    )
    flow += _solver_notes(plan, styles, width)
    flow += _warnings(plan, styles, width)
    flow += _agent_log(plan, styles, width)
    flow.append(CondPageBreak(50 * mm))
    flow.append(Heading("E. Revision", styles.h2, 1, "revision"))
    flow.append(
        key_values(
            [
                ("Plan id", markup(plan.planning_flow_id)),
                ("Revision / version", f"{plan.revision} / {plan.version}"),
                ("Created", iso(plan.created_at)),
                ("Last updated", iso(plan.updated_at)),
                ("Completed", iso(plan.planning_completed_at)),
                (
                    "Phases",
                    ", ".join(
                        f"{p.value.replace('_', ' ')}: {s.value}" for p, s in plan.phase_statuses.items()
                    ),
                ),
            ],
            styles,
            width,
        )
    )
    return flow


def _solver_notes(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    pairs: list[tuple[str, str]] = []
    for label, solver in (
        ("Wave planner", plan.wave_plan.solver if plan.wave_plan else {}),
        ("Scheduler", plan.timeline.solver if plan.timeline else {}),
    ):
        if solver:
            pairs.append((label, markup(", ".join(f"{k}: {v}" for k, v in solver.items()))))
    if plan.wave_plan and plan.wave_plan.lower_bounds:
        pairs.append(
            (
                "Wave lower bounds",
                markup(", ".join(f"{k}: {v}" for k, v in plan.wave_plan.lower_bounds.items())),
            )
        )
    if not pairs:
        return []
    return [ReportParagraph("Solvers", styles.h3), key_values(pairs, styles, width)]


def _warnings(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    sources: list[tuple[str, list[str]]] = [("Plan", plan.warnings)]
    for label, part in (
        ("Wave planning", plan.wave_plan),
        ("Resources", plan.resource_allocation),
        ("Timeline", plan.timeline),
        ("Costs", plan.cost_estimation),
    ):
        if part is not None:
            sources.append((label, part.warnings))
    rows: list[list[object]] = [["Phase", "Warning"]]
    rows += [[label, markup(text)] for label, items in sources for text in items]
    flow: list[Flowable] = [CondPageBreak(30 * mm), Heading("B. Warnings", styles.h2, 1, "warnings")]
    if len(rows) == 1:
        return flow + [ReportParagraph("No warnings.", styles.muted)]
    return flow + [table(rows, [width * 0.18, width * 0.82], styles)]


def _agent_log(plan: PlanDocument, styles: Styles, width: float) -> list[Flowable]:
    flow: list[Flowable] = [CondPageBreak(30 * mm), Heading("C. Agent reviews", styles.h2, 1, "agents")]
    if not plan.agent_execution_log:
        return flow + [
            ReportParagraph(
                "No agent reviewed this plan; every figure comes from the optimizer.", styles.muted
            )
        ]
    rows: list[list[object]] = [["Agent", "Phase", "Started", "Outcome", "Accepted", "Rejected", "Errors"]]
    rows += [
        [
            markup(r.agent),
            r.phase.value.replace("_", " "),
            iso(r.started_at),
            markup(r.outcome),
            str(len(r.accepted)),
            str(len(r.rejected)),
            markup("; ".join(r.errors)) or "\u2013",
        ]
        for r in plan.agent_execution_log
    ]
    flow.append(
        table(rows, [w * width for w in (0.22, 0.15, 0.16, 0.1, 0.08, 0.08, 0.21)], styles, numeric=(4, 5))
    )
    for run in plan.agent_execution_log:
        if run.narrative.strip():
            flow += [Spacer(1, 5), ai_box(run.narrative, styles, width, run.agent)]
    flow.append(Heading("D. Dependencies", styles.h2, 1, "dependencies", toc=False))
    flow.append(
        ReportParagraph(
            f"{len(plan.dependencies):,} dependencies between the selected applications "
            f"(move together: {sum(d.dependency_type.value == 'move_together' for d in plan.dependencies):,}"
            f", precedes: {sum(d.dependency_type.value == 'precedes' for d in plan.dependencies):,}).",
            styles.body,
        )
    )
    return flow


# ---------------------------------------------------------------- entry points


def story(plan: PlanDocument, styles: Styles, width: float, registry: PageRegistry) -> list[Flowable]:
    """Every flowable of the report, in order."""
    sections: list[Callable[[], list[Flowable]]] = [
        lambda: [PageBreak()] + executive_summary(plan, styles, width),
        lambda: wave_plan_section(plan, styles, width),
        lambda: resources_section(plan, styles, width),
        lambda: timeline_section(plan, styles, styles.fonts),
        lambda: costs_section(plan, styles, width),
        lambda: appendix(plan, styles, width),
    ]
    flow: list[Flowable] = []
    for section in sections:
        flow += section()
    front = cover(plan, styles) + [NextPageTemplate("portrait"), PageBreak()]
    return front + contents(flow, styles, registry) + flow


def build_pdf(plan: PlanDocument) -> tuple[bytes, int]:
    """The report as PDF bytes and its page count."""
    fonts = register_fonts()
    styles = Styles(fonts)
    buffer = io.BytesIO()
    registry = PageRegistry()
    doc = ReportTemplate(buffer, plan, fonts, registry)
    doc.build(story(plan, styles, doc.width, registry), canvasmaker=numbered_canvas(fonts, registry))
    return buffer.getvalue(), doc.page


def render_pdf(plan: PlanDocument) -> bytes:
    """The one-click PDF report of a plan."""
    return build_pdf(plan)[0]
