"""The working calendar: which days count, and conversions between working-day offsets and dates.

Conventions used by the whole scheduler:
- A day is *working* when its weekday is among the first ``working_days_per_week`` days counting
  Monday on (5 -> Monday to Friday), it is not a holiday and it is not inside a blackout window
  (windows are inclusive at both ends).
- Offset 0 is the first working day on or after ``migration_start_date``; offset ``k`` is the k-th
  working day after it. An activity that starts at offset ``s`` and lasts ``d`` working days occupies
  offsets ``s .. s + d - 1``; its inclusive end date is the date of offset ``s + d - 1``.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from planning_core.domain import PlanningConfig
from planning_core.errors import InvalidInput

# No plan runs for more than this many calendar days: protects against calendars with no working day.
MAX_CALENDAR_DAYS = 366 * 60


class WorkingCalendar:
    """Working days of a plan: weekdays, holidays and blackout windows from the config."""

    def __init__(self, config: PlanningConfig) -> None:
        self.origin: date = config.migration_start_date
        self.working_days_per_week: int = config.working_days_per_week
        self.holidays: frozenset[date] = frozenset(config.holidays)
        self.blackouts: tuple[tuple[date, date, str], ...] = tuple(
            sorted((w.start, w.end, w.reason) for w in config.blackout_windows)
        )
        self._days: list[date] = []  # working dates from the origin on, extended lazily
        self._cursor: date = self.origin

    def is_working(self, day: date) -> bool:
        """True when work can be scheduled on this day."""
        if day.weekday() >= self.working_days_per_week or day in self.holidays:
            return False
        return self.blackout_reason(day) is None

    def blackout_reason(self, day: date) -> str | None:
        """The reason of the blackout window containing the day (None when there is none)."""
        for start, end, reason in self.blackouts:
            if start <= day <= end:
                return reason or "blackout window"
        return None

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        limit = day + timedelta(days=MAX_CALENDAR_DAYS)
        while not self.is_working(day):
            day += timedelta(days=1)
            if day > limit:
                raise InvalidInput(
                    "the calendar has no working day: check working days, holidays and blackouts"
                )
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The working day ``n`` working days after ``start`` (rolled forward to a working day first)."""
        if n < 0:
            raise InvalidInput(f"cannot add a negative number of working days ({n})")
        day = self.next_working_day(start)
        for _ in range(n):
            day = self.next_working_day(day + timedelta(days=1))
        return day

    def working_days_between(self, first: date, last: date) -> int:
        """Number of working days from ``first`` to ``last``, both inclusive (0 when last < first)."""
        count = 0
        day = first
        while day <= last:
            count += self.is_working(day)
            day += timedelta(days=1)
        return count

    def _extend(self, count: int) -> None:
        """Make sure the first ``count`` working days from the origin are known."""
        while len(self._days) < count:
            day = self.next_working_day(self._cursor)
            self._days.append(day)
            self._cursor = day + timedelta(days=1)
            if (day - self.origin).days > MAX_CALENDAR_DAYS:
                raise InvalidInput("the schedule runs for more than 60 years: check durations and capacities")

    def nth_working_day(self, k: int) -> date:
        """The date of working-day offset ``k`` (0 = first working day on or after the start date)."""
        if k < 0:
            raise InvalidInput(f"working-day offset must not be negative ({k})")
        self._extend(k + 1)
        return self._days[k]

    def offset_of(self, day: date) -> int:
        """Working-day offset of a date: working days from the plan start strictly before ``day``."""
        if day < self.origin:
            raise InvalidInput(f"{day} is before the migration start date {self.origin}")
        while not self._days or self._days[-1] < day:
            self._extend(len(self._days) + 64)
        return bisect_left(self._days, day)

    def week_start(self, day: date) -> date:
        """Monday of the day's week."""
        return day - timedelta(days=day.weekday())
