"""The one documented mapping from the words migration tools use to the domain's values.

Every importer calls these functions; each returns ``None`` for a blank cell and raises ``ValueError``
(with a message an analyst understands) for a value it does not know, so that callers can report the
row and column and say what they will do about it.

Strategies (6R), compared after lower-casing and dropping everything but letters and digits:

- rehost: rehost, re-host, lift and shift, lift & shift, lift-and-shift, migrate, iaas
- replatform: replatform, re-platform, lift tinker and shift, lift and reshape, lift and optimise
- refactor: refactor, re-factor, rearchitect, re-architect, refactor/rearchitect, rebuild, rewrite,
  modernise/modernize, re-engineer
- repurchase: repurchase, re-purchase, replace, drop and shop, saas
- relocate: relocate, re-locate, hypervisor-level lift and shift, vmware cloud
- retire: retire, decommission, decommissioned, sunset, eliminate
- retain: retain, keep, revisit, keep on premises, on premises, stay
- "TBC", "TBD", "unknown", "n/a", "?" are treated like a blank cell (strategy not decided yet).

Criticality: critical <- critical, mission critical, very high, tier 0, tier 1, p1, severity 1;
high <- high, business critical, important, tier 2, p2; medium <- medium, moderate, normal, average,
business operational, tier 3, p3; low <- low, minor, very low, administrative, tier 4, tier 5, p4.

Yes/no cells: yes, y, true, t, 1, x, in scope, in-scope -> True; no, n, false, f, 0, out of scope -> False.

Sizes: a number with an optional unit B, KB, MB, GB, TB, PB (or KiB... PiB); units are binary
(1 TB = 1,024 GB); a bare number is taken in the column's own unit (GB unless the column says MB/TB).
Thousands separators ("1,024") are understood; a lone comma followed by other than three digits is a
decimal comma ("1,5 TB").
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

from planning_core.domain import Criticality, SixR

BLANK_WORDS = frozenset({"", "tbc", "tbd", "unknown", "na", "none", "null", "notdecided", "undecided"})

_STRATEGY_WORDS: dict[SixR, tuple[str, ...]] = {
    SixR.REHOST: (
        "rehost",
        "lift and shift",
        "lift & shift",
        "lift-and-shift",
        "migrate",
        "iaas",
        "rehost lift and shift",
    ),
    SixR.REPLATFORM: (
        "replatform",
        "lift tinker and shift",
        "lift, tinker and shift",
        "lift and reshape",
        "lift and optimise",
        "lift and optimize",
        "move and improve",
    ),
    SixR.REFACTOR: (
        "refactor",
        "rearchitect",
        "refactor/rearchitect",
        "refactor / re-architect",
        "refactor rearchitect",
        "re-architect",
        "rebuild",
        "rewrite",
        "modernise",
        "modernize",
        "re-engineer",
        "reengineer",
        "rearchitect refactor",
    ),
    SixR.REPURCHASE: ("repurchase", "replace", "drop and shop", "saas"),
    SixR.RELOCATE: ("relocate", "hypervisor-level lift and shift", "vmware cloud", "vmc"),
    SixR.RETIRE: ("retire", "decommission", "decommissioned", "sunset", "eliminate", "retired"),
    SixR.RETAIN: (
        "retain",
        "keep",
        "revisit",
        "keep on premises",
        "on premises",
        "on-premises",
        "stay",
        "retained",
    ),
}

_CRITICALITY_WORDS: dict[Criticality, tuple[str, ...]] = {
    Criticality.CRITICAL: (
        "critical",
        "mission critical",
        "mission-critical",
        "very high",
        "tier 0",
        "tier 1",
        "tier0",
        "tier1",
        "p1",
        "p0",
        "severity 1",
        "sev1",
        "highest",
    ),
    Criticality.HIGH: (
        "high",
        "business critical",
        "business-critical",
        "important",
        "tier 2",
        "tier2",
        "p2",
    ),
    Criticality.MEDIUM: (
        "medium",
        "moderate",
        "normal",
        "average",
        "business operational",
        "tier 3",
        "tier3",
        "p3",
        "med",
    ),
    Criticality.LOW: (
        "low",
        "minor",
        "very low",
        "administrative",
        "administrative services",
        "tier 4",
        "tier 5",
        "tier4",
        "tier5",
        "p4",
        "lowest",
        "minimal",
    ),
}

_TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x", "inscope", "include", "included"})
_FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "outofscope", "exclude", "excluded"})

_SIZE_UNITS_GB = {
    "b": 1 / 1024**3,
    "kb": 1 / 1024**2,
    "mb": 1 / 1024,
    "gb": 1.0,
    "tb": 1024.0,
    "pb": 1024.0**2,
}
_SIZE_RE = re.compile(r"^\s*([-+]?[0-9][0-9.,\s]*)\s*([kmgtp]?i?b(?:ytes?)?)?\s*$", re.IGNORECASE)
_THOUSANDS_RE = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def compact(text: str) -> str:
    """Lower-case letters and digits only: the key every word lookup uses."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _lookup(words: dict) -> dict[str, object]:
    return {compact(word): key for key, items in words.items() for word in items} | {
        compact(str(key)): key for key in words
    }


_STRATEGIES = _lookup(_STRATEGY_WORDS)
_CRITICALITIES = _lookup(_CRITICALITY_WORDS)


def _word_key(value: str) -> str:
    """``compact`` of a cell; a cell of ASCII punctuation only ("?", "-") is undecided (blank), but one
    of other symbols (an emoji) is not a word at all and gets a key no lookup holds."""
    key = compact(value)
    if not key and not all(ch.isascii() for ch in value.strip()):
        return "\x00" + value.strip()
    return key


def is_blank(value: str | None) -> bool:
    """True for a missing or whitespace-only cell."""
    return value is None or not value.strip()


def strategy(value: str | None) -> SixR | None:
    """The 6R strategy a cell names; None when blank or undecided (TBC); ValueError when unknown."""
    if value is None or not value.strip():
        return None
    key = _word_key(value)
    if key in BLANK_WORDS:
        return None
    found = _STRATEGIES.get(key)
    if found is None:
        raise ValueError(f"unknown migration strategy {value.strip()!r}")
    return found  # type: ignore[return-value]


def criticality(value: str | None) -> Criticality | None:
    """The business criticality a cell names; None when blank; ValueError when unknown."""
    if value is None or not value.strip():
        return None
    key = _word_key(value)
    if key in BLANK_WORDS:
        return None
    found = _CRITICALITIES.get(key)
    if found is None:
        raise ValueError(f"unknown business criticality {value.strip()!r}")
    return found  # type: ignore[return-value]


def yes_no(value: str | None) -> bool | None:
    """A yes/no cell as a bool; None when blank; ValueError when neither."""
    if value is None or not value.strip():
        return None
    key = compact(value)
    if key in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS:
        return False
    raise ValueError(f"expected yes or no, got {value.strip()!r}")


def _plain_number(text: str) -> float:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS_RE.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number


def number(value: str | None) -> float | None:
    """A number cell ("1,024", "12.5", "1,5"); None when blank; ValueError when not a number."""
    if value is None or not value.strip():
        return None
    try:
        return _plain_number(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value.strip()[:60]!r}") from None


def integer(value: str | None) -> int | None:
    """A whole-number cell ("3", "3.0"); None when blank; ValueError otherwise."""
    result = number(value)
    if result is None:
        return None
    if not result.is_integer():
        raise ValueError(f"expected a whole number, got {value.strip()[:60]!r}")  # type: ignore[union-attr]
    return int(result)


def size_gb(value: str | None, *, default_unit: str = "gb") -> float | None:
    """A size cell in GB ("1.5 TB" -> 1536, "200GB" -> 200, "512 MB" -> 0.5); None when blank."""
    if value is None or not value.strip():
        return None
    match = _SIZE_RE.match(value)
    if match is None:
        raise ValueError(f"expected a size such as '200 GB' or '1.5 TB', got {value.strip()[:60]!r}")
    unit = (match.group(2) or default_unit).lower().replace("i", "")
    unit = unit.replace("bytes", "b").replace("byte", "b")
    try:
        amount = _plain_number(match.group(1))
    except ValueError:
        raise ValueError(
            f"expected a size such as '200 GB' or '1.5 TB', got {value.strip()[:60]!r}"
        ) from None
    if amount < 0:
        raise ValueError(f"a size cannot be negative, got {value.strip()[:60]!r}")
    return round(amount * _SIZE_UNITS_GB[unit], 6)


def skills(value: str | None) -> list[str]:
    """A skills cell split on ';' (also ',' and '|'), blanks dropped."""
    if value is None or not value.strip():
        return []
    return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]


def name_key(name: str) -> str:
    """How names are compared: Unicode NFKC, case-folded, spaces collapsed ("Ｐａｙｒｏｌｌ " == "payroll")."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _slug_char(ch: str) -> str:
    """One character of a slug: ASCII letters and digits kept; accented Latin letters without their
    accent; other letters, digits and marks (Chinese, Arabic, Devanagari...) kept; anything else '-'."""
    if ch.isascii():
        return ch if ch.isalnum() else "-"
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
    if base.isalnum():
        return base.lower()
    return ch if unicodedata.category(ch)[0] in "LMN" else "-"


def slug(name: str) -> str:
    """A stable id from a name: lower case, words joined by '-', at most 80 characters.

    Latin letters lose their accents ("Café Crème" -> "cafe-creme"); letters of other scripts are kept
    ("工资系统" -> "工资系统"); a name with no letter or digit at all (emoji, punctuation) gets "app-" and
    a short hash of the name, so two such names never share an id.
    """
    text = "".join(_slug_char(ch) for ch in name_key(name))
    text = re.sub(r"-+", "-", text).strip("-")[:80].strip("-")
    if text:
        return text
    digest = hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:8]
    return f"app-{digest}"


class SlugRegistry:
    """Hands out ids for names: the same name (see ``name_key``) always gets the same id; two
    different names whose slugs collide get '-2', '-3'... in order of first appearance."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set(taken or ())

    def id_for(self, name: str) -> tuple[str, bool]:
        """The id for a name and whether it had to be disambiguated (a slug collision)."""
        key = name_key(name)
        if key in self._by_key:
            return self._by_key[key], False
        base = slug(name)
        candidate, counter = base, 1
        while candidate in self._taken:
            counter += 1
            candidate = f"{base}-{counter}"
        self._by_key[key] = candidate
        self._taken.add(candidate)
        return candidate, counter > 1
