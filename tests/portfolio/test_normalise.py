"""The documented value mapping: each word maps to one value; unknown words are refused by name."""

from __future__ import annotations

import pytest

from planning_core.domain import Criticality, SixR
from planning_core.portfolio import normalise


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Rehost", SixR.REHOST),
        ("Lift and Shift", SixR.REHOST),
        ("lift & shift", SixR.REHOST),
        ("RE-HOST", SixR.REHOST),
        ("Re-Platform", SixR.REPLATFORM),
        ("Lift, Tinker and Shift", SixR.REPLATFORM),
        ("Refactor/Rearchitect", SixR.REFACTOR),
        ("Re-architect", SixR.REFACTOR),
        ("Rewrite", SixR.REFACTOR),
        ("Repurchase", SixR.REPURCHASE),
        ("Drop and Shop", SixR.REPURCHASE),
        ("SaaS", SixR.REPURCHASE),
        ("Relocate", SixR.RELOCATE),
        ("Retire", SixR.RETIRE),
        ("Decommission", SixR.RETIRE),
        ("Retain", SixR.RETAIN),
        ("Revisit", SixR.RETAIN),
        ("TBC", None),
        ("tbd", None),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_strategies(word: str | None, expected: SixR | None) -> None:
    assert normalise.strategy(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Tier 1", Criticality.CRITICAL),
        ("Mission Critical", Criticality.CRITICAL),
        ("tier 0", Criticality.CRITICAL),
        ("Business Critical", Criticality.HIGH),
        ("HIGH", Criticality.HIGH),
        ("Tier 2", Criticality.HIGH),
        ("Moderate", Criticality.MEDIUM),
        ("Tier 3", Criticality.MEDIUM),
        ("low", Criticality.LOW),
        ("Tier 4", Criticality.LOW),
        ("", None),
    ],
)
def test_criticality(word: str, expected: Criticality | None) -> None:
    assert normalise.criticality(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("x", True),
        ("In Scope", True),
        ("No", False),
        ("false", False),
        ("0", False),
        ("out of scope", False),
        ("", None),
    ],
)
def test_yes_no(word: str, expected: bool | None) -> None:
    assert normalise.yes_no(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5 TB", 1536.0),
        ("200GB", 200.0),
        ("512 MB", 0.5),
        ("10 GiB", 10.0),
        ("1,024 GB", 1024.0),
        ("1,5 TB", 1536.0),
        ("2 PB", 2097152.0),
        ("75", 75.0),
        ("1024 KB", 0.000977),
        ("", None),
    ],
)
def test_sizes(text: str, expected: float | None) -> None:
    assert normalise.size_gb(text) == expected


@pytest.mark.parametrize(
    ("function", "text", "message"),
    [
        (normalise.strategy, "Teleport", "unknown migration strategy 'Teleport'"),
        (normalise.criticality, "Tier 9", "unknown business criticality 'Tier 9'"),
        (normalise.yes_no, "maybe", "expected yes or no, got 'maybe'"),
        (normalise.size_gb, "big", "expected a size such as '200 GB' or '1.5 TB', got 'big'"),
        (normalise.size_gb, "5 XB", "expected a size such as '200 GB' or '1.5 TB', got '5 XB'"),
        (normalise.number, "nan", "expected a number, got 'nan'"),
        (normalise.number, "1e400", "expected a number, got '1e400'"),
        (normalise.integer, "2.5", "expected a whole number, got '2.5'"),
    ],
)
def test_unknown_values_are_refused_by_name(function, text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        function(text)
    assert str(caught.value) == message


def test_numbers() -> None:
    assert [normalise.number(t) for t in ("12.5", "1,024", "1,5", " 7 ", "-3")] == [
        12.5,
        1024.0,
        1.5,
        7.0,
        -3.0,
    ]
    assert [normalise.integer(t) for t in ("3", "3.0", "")] == [3, 3, None]


def test_slugs_are_stable_and_collisions_numbered() -> None:
    assert [normalise.slug(n) for n in ("Café Crème", "  Web  App ", "###", "A" * 100)] == [
        "cafe-creme",
        "web-app",
        "app-56dc6d47",  # no letter or digit: "app-" and a hash of the name (issue 12), never bare "app"
        "a" * 80,
    ]
    registry = normalise.SlugRegistry()
    assert [registry.id_for(n) for n in ("Web App", "web-app", "WEB  APP", "Web_App")] == [
        ("web-app", False),
        ("web-app-2", True),
        ("web-app", False),
        ("web-app-3", True),
    ]
