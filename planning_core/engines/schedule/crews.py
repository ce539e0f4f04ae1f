"""Crews: how many people of a role one activity uses, and how long the activity then lasts.

Bounds, per activity and role with ``h`` hours and one person's daily hours ``p`` (weekly hours / working
days per week):

- minimum crew: the pool's ``min_crew``, else ``DEFAULT_MIN_CREW`` (1);
- maximum crew: the pool's ``max_crew``, else ``max(1, floor(h / (MIN_PERSON_DAYS x p)))``: no more
  people than each gets at least ``MIN_PERSON_DAYS`` working days (a week) of the activity's hours;
- both are clamped to ``[1, headcount]``, and the maximum is raised to the minimum when below it.

Modes. For a target duration ``D`` each role gets ``ceil(h / (D x p))`` people within its bounds; the
activity then lasts the longest over its roles of ``ceil(h / (crew x p))`` working days (at least 1),
and books ``h / duration`` hours of the role on each of its days (at most crew x p: a crew's last person
may be part-time on it, working on another wave the rest of the day).
An activity's modes are the distinct (duration, crews) pairs from its largest crews (shortest) to its
smallest crews (longest), at most ``MAX_MODES`` of them spread over that range. Roles without capacity
(no pool, no headcount or no weekly hours) are one person at ``hours_per_day``, not capacity-checked:
their days are a floor on every mode's duration and they take no crew.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planning_core.domain import PlanningConfig, ResourcePool

DEFAULT_MIN_CREW = 1
MIN_PERSON_DAYS = 5
MAX_MODES = 12
EPS = 1e-9


@dataclass(frozen=True)
class Mode:
    """One way to staff an activity: its duration in working days and people per staffed role."""

    duration: int
    crew: tuple[tuple[str, int], ...]
    daily: tuple[tuple[str, float], ...] = ()  # hours per working day per role: hours / duration

    @property
    def people(self) -> dict[str, int]:
        return dict(self.crew)


def person_day_hours(pool: ResourcePool, config: PlanningConfig) -> float:
    """Hours one person of a pool works per working day."""
    return pool.capacity_hours_per_week / config.working_days_per_week


def crew_bounds(hours: float, pool: ResourcePool, config: PlanningConfig) -> tuple[int, int]:
    """(minimum, maximum) people of the pool's role for an activity with these hours."""
    head = max(pool.headcount, 1)
    low = min(max(pool.min_crew or DEFAULT_MIN_CREW, 1), head)
    if pool.max_crew is not None:
        high = pool.max_crew
    else:
        high = int(hours / (MIN_PERSON_DAYS * person_day_hours(pool, config)) + EPS)
    high = max(min(max(high, 1), head), low)
    return low, high


def days_for(hours: float, people: int, daily_hours: float) -> int:
    """Working days ``people`` need for ``hours`` at ``daily_hours`` each (at least 1)."""
    return max(1, math.ceil(hours / (people * daily_hours) - EPS))


def activity_modes(
    role_hours: dict[str, float], staffed: dict[str, ResourcePool], config: PlanningConfig
) -> list[Mode]:
    """The modes of a work activity, shortest first (see the module docstring)."""
    floor = 1
    work: list[tuple[str, float, float, int, int]] = []  # role, hours, person-day, low, high
    for role, hours in sorted(role_hours.items()):
        if hours <= 0:
            continue
        pool = staffed.get(role)
        if pool is None:
            floor = max(floor, days_for(hours, 1, config.hours_per_day))
            continue
        low, high = crew_bounds(hours, pool, config)
        work.append((role, hours, person_day_hours(pool, config), low, high))
    if not work:
        return [Mode(floor, ())]
    shortest = max([floor] + [days_for(h, high, p) for _, h, p, _, high in work])
    longest = max([floor] + [days_for(h, low, p) for _, h, p, low, _ in work])
    candidates = {shortest, longest}
    for _, h, p, low, high in work:
        for people in _spread(low, high):
            days = days_for(h, people, p)
            if shortest <= days <= longest:
                candidates.add(days)
    modes: dict[int, Mode] = {}
    for target in sorted(candidates):
        crew = tuple(
            (r, min(max(math.ceil(h / (target * p) - EPS), low), high)) for r, h, p, low, high in work
        )
        duration = max(
            [floor] + [days_for(h, c, p) for (_, h, p, _, _), (_, c) in zip(work, crew, strict=True)]
        )
        if duration not in modes:
            daily = tuple((r, h / duration) for r, h, *_ in work)
            modes[duration] = Mode(duration, crew, daily)
    ordered = [modes[d] for d in sorted(modes)]
    if len(ordered) > MAX_MODES:
        step = (len(ordered) - 1) / (MAX_MODES - 1)
        ordered = [ordered[round(i * step)] for i in range(MAX_MODES)]
    return ordered


def _spread(low: int, high: int, count: int = 24) -> list[int]:
    """Crew sizes from low to high: all of them when few, else a geometric spread."""
    if high - low < count:
        return list(range(low, high + 1))
    ratio = (high / low) ** (1 / (count - 1))
    return sorted({low, high} | {round(low * ratio**i) for i in range(count)})
