"""Text helpers shared by the exports: cleaning, escaping, fonts, number and date formats."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from planning_core.domain import money

# Control characters that XML 1.0, openpyxl and PDF text cannot carry (tab, LF and CR are kept).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_WHITESPACE_RE = re.compile(r"\s+")

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/local/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
)
# Fonts for the characters DejaVu Sans lacks, tried in this order for each character (first file found of
# each): Chinese and Japanese (fonts-droid-fallback), Korean Hangul (fonts-nanum), then symbols and emoji in
# black and white (fonts-symbola). Colour emoji fonts (bitmaps) cannot be embedded by reportlab.
FALLBACK_FONTS: tuple[tuple[str, tuple[Path, ...]], ...] = (
    (
        "PF-Fallback",
        (
            Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
            Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
        ),
    ),
    (
        "PF-Korean",
        (
            Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
            Path("/usr/share/fonts/nanum/NanumGothic.ttf"),
        ),
    ),
    (
        "PF-Symbols",
        (
            Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
            Path("/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf"),
        ),
    ),
)
FALLBACK_FONT_FILES = FALLBACK_FONTS[0][1]


@dataclass(frozen=True)
class Fonts:
    """The font names the PDF uses, and which characters the main font and each fallback can draw."""

    regular: str
    bold: str
    italic: str
    fallback: str | None  # the first fallback font found (CJK), None when there is none
    covered: frozenset[int] | None  # None: a standard font, no fallback handling
    fallback_covered: frozenset[int]
    fallbacks: tuple[tuple[str, frozenset[int]], ...] = ()  # every fallback found, in order

    def font_for(self, char: str) -> str | None:
        """The fallback font to draw a character in, or None for the main font (or when none has it)."""
        code = ord(char)
        if self.covered is None or code in self.covered:
            return None
        for name, covered in self.fallbacks:
            if code in covered:
                return name
        return None


def strip_controls(value: object) -> str:
    """A value as a string without the control characters that break XML, XLSX and PDF."""
    if value is None:
        return ""
    return _CONTROL_RE.sub("", str(value))


def one_line(value: object) -> str:
    """Clean text with every run of whitespace (newlines too) folded to one space."""
    return _WHITESPACE_RE.sub(" ", strip_controls(value)).strip()


def truncate(value: str, limit: int) -> str:
    """The text cut to at most `limit` characters, with an ellipsis when cut."""
    if len(value) <= limit:
        return value
    return value[: max(limit - 1, 0)].rstrip() + "\u2026"


def _find_font(name: str) -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


_ASTRAL_ENTRY = re.compile(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", re.MULTILINE)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode map with characters beyond U+FFFF (emoji) written as UTF-16 surrogate pairs,
    as the PDF format requires; reportlab writes five hex digits, which readers take for another letter."""
    cmap = _REPORTLAB_TO_UNICODE(fontname, subset)
    return _ASTRAL_ENTRY.sub(
        lambda m: f"{m[1]}<{chr(int(m[2], 16)).encode('utf-16-be').hex().upper()}>", cmap
    )


_REPORTLAB_TO_UNICODE = ttfonts.makeToUnicodeCMap


@lru_cache(maxsize=1)
def register_fonts() -> Fonts:
    """Register DejaVu Sans (Unicode) and a CJK fallback once; Helvetica with a warning if absent."""
    regular, bold, italic = (
        _find_font("DejaVuSans.ttf"),
        _find_font("DejaVuSans-Bold.ttf"),
        _find_font("DejaVuSans-Oblique.ttf"),
    )
    if not (regular and bold and italic):
        warnings.warn(
            "DejaVu Sans not found (Debian package fonts-dejavu-core): the PDF uses Helvetica and "
            "non-Latin text will not render",
            RuntimeWarning,
            stacklevel=2,
        )
        return Fonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", None, None, frozenset())
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # so that copied or searched emoji read back as emoji
    main = TTFont("PF-Sans", str(regular))
    pdfmetrics.registerFont(main)
    pdfmetrics.registerFont(TTFont("PF-Sans-Bold", str(bold)))
    pdfmetrics.registerFont(TTFont("PF-Sans-Italic", str(italic)))
    addMapping("PF-Sans", 0, 0, "PF-Sans")
    addMapping("PF-Sans", 1, 0, "PF-Sans-Bold")
    addMapping("PF-Sans", 0, 1, "PF-Sans-Italic")
    addMapping("PF-Sans", 1, 1, "PF-Sans-Bold")
    found: list[tuple[str, frozenset[int]]] = []
    for name, paths in FALLBACK_FONTS:
        path = next((path for path in paths if path.is_file()), None)
        if path is None:
            continue
        font = TTFont(name, str(path))
        pdfmetrics.registerFont(font)
        for bold_flag, italic_flag in ((0, 0), (1, 0), (0, 1), (1, 1)):  # <b> and <i> inside a fallback run
            addMapping(name, bold_flag, italic_flag, name)
        found.append((name, frozenset(font.face.charToGlyph)))
    covered = frozenset(main.face.charToGlyph)
    first_name, first_covered = found[0] if found else (None, frozenset[int]())
    return Fonts(
        "PF-Sans", "PF-Sans-Bold", "PF-Sans-Italic", first_name, covered, first_covered, tuple(found)
    )


def markup(value: object, *, limit: int | None = None) -> str:
    """User text as safe Paragraph markup: escaped, one line, each run of characters the main font lacks
    switched to the first fallback font that has them (CJK, Hangul, symbols and emoji)."""
    text = one_line(value)
    if limit is not None:
        text = truncate(text, limit)
    if text.isascii():
        return escape(text)
    if has_rtl(text):
        text = visual_order(text)
    fonts = register_fonts()
    if not fonts.fallbacks:
        return escape(text)
    parts: list[str] = []
    run: list[str] = []
    run_font: str | None = None
    for char in text:
        font = fonts.font_for(char)
        if run and font != run_font:
            parts.append(_run_markup("".join(run), run_font))
            run = []
        run.append(char)
        run_font = font
    if run:
        parts.append(_run_markup("".join(run), run_font))
    return "".join(parts)


def _run_markup(text: str, font: str | None) -> str:
    if font is not None:
        return f'<font name="{font}">{escape(text)}</font>'
    return escape(text)


_RTL_RE = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def has_rtl(text: str) -> bool:
    """Whether the text holds right-to-left letters (Arabic, Hebrew...)."""
    return not text.isascii() and _RTL_RE.search(text) is not None


def visual_order(text: str) -> str:
    """Runs of right-to-left words put in display order (the PDF lays words out left to right).

    Letters inside each word are joined and ordered by the shaper (uharfbuzz), so only the order of
    consecutive right-to-left words is reversed here; left-to-right words keep their place.
    """
    words = text.split(" ")
    result: list[str] = []
    run: list[str] = []
    for word in words:
        if _RTL_RE.search(word) and not re.search(r"[A-Za-z]", word):
            run.append(word)
            continue
        result += reversed(run)
        run = []
        result.append(word)
    result += reversed(run)
    return " ".join(result)


@lru_cache(maxsize=64)
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-shaped", style, shaping=1)


def shaped_style(style: ParagraphStyle) -> ParagraphStyle:
    """The style with text shaping on (reportlab ignores it when uharfbuzz is missing)."""
    return _shaped(style)


def label_font(text: str, fonts: Fonts, default: str) -> str:
    """The font to draw a plain label in (one font per label): the fallback that has the most of the
    glyphs the main font lacks, else `default`."""
    if text.isascii() or not fonts.fallbacks:
        return default
    counts: dict[str, int] = {}
    for char in text:
        font = fonts.font_for(char)
        if font is not None:
            counts[font] = counts.get(font, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else default


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """Text truncated with an ellipsis so that it fits the width when drawn in the font."""
    if stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(truncate(text, middle), font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return truncate(text, max(low, 1))


def multiline_markup(value: object) -> str:
    """Longer user text (a narrative) as markup that keeps its paragraph breaks."""
    lines = [markup(line) for line in strip_controls(value).splitlines()]
    return "<br/>".join(line for line in lines)


def amount(value: Decimal | float | int, currency: str = "") -> str:
    """A money amount as the export tables print it, the currency named in the column header: '1,234,567.89'.

    domain.money with no default currency; with one, 'USD 1,234,567.89'.
    """
    return money(value, currency)


def hours(value: float) -> str:
    """Hours with one decimal and thousands separators, e.g. '1,234.5'."""
    return f"{value:,.1f}"


def pct(value: float) -> str:
    """A percentage with one decimal, e.g. '87.5%'."""
    return f"{value:.1f}%"


def iso(value: date | datetime | None) -> str:
    """A date as YYYY-MM-DD, a datetime as YYYY-MM-DD HH:MM with its UTC offset; '-' when absent."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
        offset = value.utcoffset()
        if offset is None:
            return text
        return f"{text} UTC" if not offset else f"{text} {value.strftime('%z')}"
    return value.isoformat()
