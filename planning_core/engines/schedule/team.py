"""Team for a deadline, and the earliest end date for a team.

``earliest_end_date``: the end date the scheduler gives the plan with the configured team (or with
given headcounts).

``team_for_deadline``: the smallest headcount per role, within the analyst's bounds ``{role: (min,
max)}`` (roles without bounds keep their headcount), whose schedule ends on or before the target date.
Smallest = fewest people in total, then the lowest weekly cost (headcount x weekly hours x hourly rate),
then the smaller headcounts in pool order. The schedule at the bounds' maxima is tried first: when it
ends after the target, the date cannot be met and its end is the earliest. When the bounds hold at most
``EXHAUSTIVE_LIMIT`` combinations every one is scheduled, in that order, and the first that meets the
date is the answer (exact for the scheduler). Otherwise, from the maxima, one person at a time is taken
from the role whose removal saves the most weekly cost while the date still holds, until none can go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import product

from planning_core.domain import PlanningConfig, Portfolio
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.schedule.engine import build_timeline
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import InvalidInput

EXHAUSTIVE_LIMIT = 256


@dataclass(frozen=True)
class TeamAnswer:
    """The team for a target date (or why there is none) and the end date it gives."""

    met: bool
    headcounts: dict[str, int]
    end_date: date  # the schedule's end with these headcounts
    earliest_end_date: date  # with the bounds' maxima
    message: str


def _with_team(config: PlanningConfig, headcounts: dict[str, int]) -> PlanningConfig:
    pools = [
        p.model_copy(update={"headcount": headcounts.get(p.role, p.headcount)}) for p in config.resource_pools
    ]
    return config.model_copy(update={"resource_pools": pools})


def earliest_end_date(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    config: PlanningConfig,
    headcounts: dict[str, int] | None = None,
) -> date:
    """The schedule's end date with the configured team (or these headcounts)."""
    return build_timeline(portfolio, wave_plan, allocation, _with_team(config, headcounts or {})).end_date


def team_for_deadline(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    config: PlanningConfig,
    target: date,
    bounds: dict[str, tuple[int, int]],
) -> TeamAnswer:
    """The smallest team within the bounds that ends by the target date (see the module docstring)."""
    pools = {p.role: p for p in config.resource_pools}
    for role, (low, high) in bounds.items():
        if role not in pools:
            raise InvalidInput(f"no resource pool for role {role!r} (roles: {', '.join(pools)})")
        if not 1 <= low <= high:
            raise InvalidInput(f"the bounds of {role} must satisfy 1 <= min <= max (got {low}, {high})")
    roles = [r for r in pools if r in bounds]
    weekly = {r: Decimal(str(pools[r].capacity_hours_per_week)) * pools[r].hourly_rate for r in roles}

    def end(team: dict[str, int]) -> date:
        return earliest_end_date(portfolio, wave_plan, allocation, config, team)

    def key(team: dict[str, int]) -> tuple[int, Decimal, tuple[int, ...]]:
        return (
            sum(team.values()),
            sum((weekly[r] * team[r] for r in roles), Decimal(0)),
            tuple(team[r] for r in roles),
        )

    largest = {r: bounds[r][1] for r in roles}
    earliest = end(largest)
    if earliest > target:
        return TeamAnswer(
            False,
            largest,
            earliest,
            earliest,
            f"{target} cannot be met within the bounds: the largest team ends on {earliest} at the earliest",
        )
    ranges = [range(bounds[r][0], bounds[r][1] + 1) for r in roles]
    count = 1
    for values in ranges:
        count *= len(values)
    if count <= EXHAUSTIVE_LIMIT:
        teams = sorted((dict(zip(roles, combo, strict=True)) for combo in product(*ranges)), key=key)
        for team in teams:
            finish = end(team)
            if finish <= target:
                return TeamAnswer(True, team, finish, earliest, _met(team, finish, target))
    team, finish = dict(largest), earliest
    while True:
        options = sorted((r for r in roles if team[r] > bounds[r][0]), key=lambda r: (-weekly[r], r))
        for role in options:
            trial = team | {role: team[role] - 1}
            trial_end = end(trial)
            if trial_end <= target:
                team, finish = trial, trial_end
                break
        else:
            return TeamAnswer(True, team, finish, earliest, _met(team, finish, target))


def _met(team: dict[str, int], finish: date, target: date) -> str:
    people = ", ".join(f"{r} {n}" for r, n in team.items())
    return f"{people}: ends on {finish}, on or before {target}"
