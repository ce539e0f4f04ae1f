"""Escaping, fonts and formats used by every export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from planning_core.export.text import (
    amount,
    fit_text,
    has_rtl,
    hours,
    iso,
    markup,
    one_line,
    register_fonts,
    strip_controls,
    truncate,
    visual_order,
)


def test_markup_escapes_tags_and_ampersands() -> None:
    assert markup("<b>bold</b> & <font color=red>x</font>") == (
        "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;font color=red&gt;x&lt;/font&gt;"
    )


def test_markup_leaves_plain_text_alone() -> None:
    assert markup("Payroll service 12") == "Payroll service 12"


def test_markup_folds_newlines_and_drops_control_characters() -> None:
    assert markup("line one\nline\ttwo\x00\x07  end") == "line one line two end"


def test_markup_switches_cjk_runs_to_the_fallback_font() -> None:
    fonts = register_fonts()
    assert fonts.fallback == "PF-Fallback"
    assert markup("CRM 客户 & x") == 'CRM <font name="PF-Fallback">客户</font> &amp; x'


def test_markup_truncates_with_an_ellipsis_when_asked() -> None:
    assert markup("abcdefghij", limit=5) == "abcd\u2026"
    assert markup("abcde", limit=5) == "abcde"


def test_truncate_and_one_line() -> None:
    assert truncate("abcdef", 4) == "abc\u2026"
    assert truncate("abc", 4) == "abc"
    assert one_line("  a \n\n b  ") == "a b"
    assert strip_controls(None) == ""
    assert strip_controls("a\x0bb\x1fc\ufffe") == "abc"


def test_visual_order_reverses_runs_of_right_to_left_words_only() -> None:
    assert visual_order("نظام الفوترة Billing") == "الفوترة نظام Billing"
    assert visual_order("Billing system") == "Billing system"
    assert visual_order("a ب ج d هـ") == "a ج ب d هـ"


def test_has_rtl() -> None:
    assert has_rtl("نظام") is True
    assert has_rtl("עברית") is True
    assert has_rtl("客户 CRM") is False
    assert has_rtl("plain") is False


def test_fit_text_cuts_to_the_width() -> None:
    fonts = register_fonts()
    assert fit_text("short", fonts.regular, 8, 200) == "short"
    # DejaVu Sans "x" is 4.74 pt wide at 8 pt and the ellipsis 8 pt: ten of them and it fit in 60 pt
    assert fit_text("x" * 300, fonts.regular, 8, 60) == "x" * 10 + "\u2026"


def test_formats() -> None:
    assert amount(Decimal("1234567.891")) == "1,234,567.89"
    assert amount(Decimal("66944.19"), "USD") == "USD 66,944.19"
    assert amount(0) == "0.00"
    assert hours(1234.56) == "1,234.6"
    assert iso(date(2027, 1, 4)) == "2027-01-04"
    assert iso(datetime(2026, 11, 20, 14, 30, tzinfo=UTC)) == "2026-11-20 14:30 UTC"
    assert iso(None) == "-"


STYLE = ParagraphStyle("t", fontName="Helvetica")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_any_user_text_renders_and_reads_back(text: str) -> None:
    """Property: whatever an analyst types, the paragraph parses and shows exactly that text."""
    register_fonts()
    shown = Paragraph(markup(text), STYLE).getPlainText()
    expected = one_line(text)
    if has_rtl(expected):
        expected = visual_order(expected)
    assert shown == expected
