"""CPM on hand-built networks: whole expected values."""

from __future__ import annotations

import pytest

from planning_core.engines.schedule.cpm import (
    CpmResult,
    critical_path_method,
    resource_links,
    topological_order,
)
from planning_core.errors import InvalidInput

DURATIONS = {"A": 3, "B": 2, "C": 4, "D": 2}
LINKS = [("A", "B", 0), ("A", "C", 1), ("B", "D", 0), ("C", "D", 0)]


def test_forward_backward_pass_slack_and_critical_path() -> None:
    assert critical_path_method(DURATIONS, LINKS) == CpmResult(
        earliest_start={"A": 0, "B": 3, "C": 4, "D": 8},
        earliest_finish={"A": 3, "B": 5, "C": 8, "D": 10},
        latest_start={"A": 0, "B": 6, "C": 4, "D": 8},
        latest_finish={"A": 3, "B": 8, "C": 8, "D": 10},
        total_slack={"A": 0, "B": 3, "C": 0, "D": 0},
        makespan=10,
        critical_path=["A", "C", "D"],
        critical=["A", "C", "D"],
    )


def test_lag_moves_the_critical_path() -> None:
    result = critical_path_method(DURATIONS, [("A", "B", 5), ("A", "C", 1), ("B", "D", 0), ("C", "D", 0)])
    assert (result.makespan, result.critical_path, result.total_slack) == (
        12,
        ["A", "B", "D"],
        {"A": 0, "B": 0, "C": 2, "D": 0},
    )


def test_a_later_deadline_gives_every_activity_slack_and_no_critical_path() -> None:
    result = critical_path_method(DURATIONS, LINKS, deadline=12)
    assert (result.total_slack, result.critical_path) == ({"A": 2, "B": 5, "C": 2, "D": 2}, [])


def test_release_dates_hold_activities_back() -> None:
    result = critical_path_method(DURATIONS, LINKS, release={"B": 7})
    assert (result.earliest_start, result.critical_path) == (
        {"A": 0, "B": 7, "C": 4, "D": 9},
        ["B", "D"],
    )


def test_independent_activities_each_end_the_project() -> None:
    result = critical_path_method({"X": 2, "Y": 5}, [])
    assert (result.makespan, result.total_slack, result.critical_path) == (5, {"X": 3, "Y": 0}, ["Y"])


def test_empty_network() -> None:
    result = critical_path_method({}, [])
    assert (result.makespan, result.critical_path) == (0, [])


def test_cycle_is_refused_with_the_activities_named() -> None:
    with pytest.raises(InvalidInput, match="cycle through: A, B"):
        critical_path_method({"A": 1, "B": 1}, [("A", "B", 0), ("B", "A", 0)])


def test_unknown_activity_negative_duration_and_self_link_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown activity 'Z'"):
        critical_path_method({"A": 1}, [("A", "Z", 0)])
    with pytest.raises(InvalidInput, match="negative duration"):
        critical_path_method({"A": -1}, [])
    with pytest.raises(InvalidInput, match="linked to itself"):
        critical_path_method({"A": 1}, [("A", "A", 0)])


def test_topological_order_keeps_input_order_among_free_activities() -> None:
    assert topological_order(["C", "A", "B"], [("B", "C", 0)]) == ["A", "B", "C"]


def test_resource_links_keep_the_order_of_non_overlapping_users() -> None:
    starts = {"a": 0, "b": 2, "c": 2, "d": 5}
    durations = {"a": 2, "b": 3, "c": 2, "d": 1}
    demands = {"a": {"r": 1}, "b": {"r": 1}, "c": {"r": 1, "q": 1}, "d": {"r": 1}}
    assert resource_links(starts, durations, demands) == [
        ("a", "b", 0),
        ("a", "c", 0),
        ("b", "d", 0),
        ("c", "d", 0),
    ]


def test_resource_links_ignore_activities_that_share_nothing() -> None:
    starts = {"a": 0, "b": 2}
    assert resource_links(starts, {"a": 2, "b": 2}, {"a": {"r": 1}, "b": {"q": 1}}) == []
