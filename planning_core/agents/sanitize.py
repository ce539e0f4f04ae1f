"""Agent text is untrusted: plain text only, no markup, bounded length, wherever it is shown."""

from __future__ import annotations

import re
import unicodedata

RATIONALE_MAX_CHARS = 500
NOTE_MAX_CHARS = 1000
NARRATIVE_MAX_CHARS = 4000
ELLIPSIS = "…"

_SCRIPT_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"</?[A-Za-z!?/][^<>]*>")
_LINK_TARGET = r"\((?:[^()]|\([^()]*\))*\)"
_MD_IMAGES = re.compile(r"!\[([^\]]*)\]" + _LINK_TARGET)
_MD_LINKS = re.compile(r"\[([^\]]*)\]" + _LINK_TARGET)
_URL_SCHEMES = re.compile(r"\b(?:javascript|data|vbscript)\s*:", re.IGNORECASE)
_MARKUP_CHARS = str.maketrans({c: None for c in "<>`*#|~[]{}\\$"})
_LOOSE_UNDERSCORES = re.compile(r"(?<!\w)_+|_+(?!\w)")  # emphasis marks; snake_case ids are kept
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _printable(text: str) -> str:
    """Drop control and format characters (zero-width, bidi overrides) except newlines and tabs."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")
    )


def clean_identifier(text: object, max_chars: int = 100) -> str:
    """An id or role named by an agent: printable, no markup characters, trimmed, length-bounded."""
    value = _printable("" if text is None else str(text)).translate(_MARKUP_CHARS)
    return " ".join(value.split())[:max_chars]


def clean_text(text: object, max_chars: int = NOTE_MAX_CHARS) -> str:
    """Plain text from an agent's answer: tags, markdown and control characters removed, length-bounded."""
    value = "" if text is None else str(text)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _printable(value)
    value = _SCRIPT_BLOCKS.sub(" ", value)
    value = _TAGS.sub(" ", value)
    value = _MD_IMAGES.sub(r"\1", value)
    value = _MD_LINKS.sub(r"\1", value)
    value = _URL_SCHEMES.sub("", value)
    value = _LOOSE_UNDERSCORES.sub("", value.translate(_MARKUP_CHARS)).replace("&", " and ")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    value = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if len(value) > max_chars:
        value = value[: max_chars - 1].rstrip() + ELLIPSIS
    return value
