"""Lower bounds on hand-computed cases."""

from __future__ import annotations

from planning_core.domain import Portfolio
from planning_core.engines.waves.bounds import (
    best_bound,
    half_bound,
    lower_bounds,
    martello_toth_l2,
    third_bound,
)


def test_half_bound_counts_big_items_and_halves():
    assert half_bound([6, 6, 6, 5, 5, 1], 10) == 4
    assert half_bound([4, 4, 4], 10) == 0


def test_third_bound_weights_thirds():
    assert (
        third_bound([7, 7, 5, 5, 4, 4], 12) == 3
    )  # 7 > 6? no: 7 is in (4, 8): 1/2 each -> 4 * 1/2 + 2/3 * 0
    assert third_bound([9, 9, 6, 6, 6], 12) == 4  # 1 + 1 + 1/2 * 3 = 3.5 -> 4


def test_martello_toth_l2_beats_the_effort_bound():
    weights = [6, 6, 6, 4, 4, 4]  # sum 30 -> 3 bins, but the three 6s need a bin each and 4+4 fit one more
    assert martello_toth_l2(weights, 10) == 3
    assert martello_toth_l2([7, 7, 7, 3, 3, 3, 3], 10) == 4  # sum 33 -> 4
    assert martello_toth_l2([6, 6, 6, 5], 10) == 4  # four items over half: 4, the sum gives 3


def test_lower_bounds_of_the_jackson_line(b):
    assert lower_bounds(b.jackson(), b.config(10)) == {
        "capacity": 1,
        "effort": 5,
        "half": 5,
        "third": 4,
        "bin_packing_l2": 5,
        "precedence_chain": 5,
    }


def test_precedence_chain_bound_beats_the_effort_bound(b):
    # a(5), b(5) -> x(3) -> c(5), d(5) at capacity 12: x cannot start before wave ceil(13/12) = 2 and
    # needs ceil(13/12) = 2 waves from there: 3 waves, while the effort gives ceil(23/12) = 2.
    portfolio = Portfolio(
        applications=[b.app("a", 5), b.app("b", 5), b.app("x", 3), b.app("c", 5), b.app("d", 5)],
        dependencies=[b.precedes("a", "x"), b.precedes("b", "x"), b.precedes("x", "c"), b.precedes("x", "d")],
    )
    assert lower_bounds(portfolio, b.config(12)) == {
        "capacity": 1,
        "effort": 2,
        "half": 0,
        "third": 2,
        "bin_packing_l2": 2,
        "precedence_chain": 3,
    }


def test_capacity_and_pinned_bounds(b):
    portfolio = Portfolio(applications=[b.app(f"A{i}", 1) for i in range(7)] + [b.app("P", 1, pinned_wave=6)])
    bounds = lower_bounds(portfolio, b.config(100, 3))
    assert (bounds["capacity"], bounds["pinned"]) == (3, 6)
    assert best_bound(bounds) == (6, "pinned")


def test_best_bound_prefers_the_first_named_on_ties():
    assert best_bound({"capacity": 3, "effort": 4, "half": 4}) == (4, "effort")
    assert best_bound({}) == (0, "")
