"""The one-click PDF report (reportlab platypus): cover, contents, summary, waves, resources,
timeline (Gantt), costs and appendix, with running header, page numbers and repeated table headers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from planning_core.export.pdf.appendix import appendix
from planning_core.export.pdf.blocks import (
    HEADER_GAP,
    MARGIN,
    MUTED,
    NAVY,
    RULE,
    Heading,
    PageRegistry,
    Styles,
)
from planning_core.export.pdf.costs import costs_section
from planning_core.export.pdf.summary import contents, cover, executive_summary
from planning_core.export.pdf.timeline import timeline_section
from planning_core.export.pdf.waves import resources_section, wave_plan_section
from planning_core.export.text import Fonts, fit_text, one_line, register_fonts
from planning_core.plan import PlanDocument


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
    flowables = story(plan, styles, doc.width, registry)
    with _binary_streams():
        doc.build(flowables, canvasmaker=numbered_canvas(fonts, registry))
    return buffer.getvalue(), doc.page


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write compressed streams without the ASCII85 layer (smaller files, faster builds)."""
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def render_pdf(plan: PlanDocument) -> bytes:
    """The one-click PDF report of a plan."""
    return build_pdf(plan)[0]
