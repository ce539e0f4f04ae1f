"""Working calendar: weekdays, holidays, blackout windows (inclusive) and offset/date conversions."""

from __future__ import annotations

from datetime import date

import pytest

from planning_core.domain import BlackoutWindow, PlanningConfig
from planning_core.engines.schedule.calendar import WorkingCalendar
from planning_core.errors import InvalidInput


def calendar(**overrides: object) -> WorkingCalendar:
    """Start Friday 2027-01-01; holiday Tuesday 5 January; blackout 11-13 January."""
    values: dict[str, object] = {
        "migration_start_date": date(2027, 1, 1),
        "holidays": [date(2027, 1, 5)],
        "blackout_windows": [BlackoutWindow(start=date(2027, 1, 11), end=date(2027, 1, 13), reason="freeze")],
    }
    values.update(overrides)
    return WorkingCalendar(PlanningConfig(**values))


def test_weekend_is_not_working_and_weekday_is() -> None:
    cal = calendar()
    assert [cal.is_working(date(2027, 1, d)) for d in (1, 2, 3, 4)] == [True, False, False, True]


def test_holiday_is_not_working() -> None:
    cal = calendar()
    assert (cal.is_working(date(2027, 1, 5)), cal.is_working(date(2027, 1, 6))) == (False, True)


def test_blackout_window_is_inclusive_at_both_ends() -> None:
    cal = calendar()
    days = [date(2027, 1, d) for d in (8, 11, 12, 13, 14)]
    assert [cal.is_working(d) for d in days] == [True, False, False, False, True]
    assert cal.blackout_reason(date(2027, 1, 13)) == "freeze"
    assert cal.blackout_reason(date(2027, 1, 14)) is None


def test_six_day_week_counts_saturday_but_not_sunday() -> None:
    cal = calendar(working_days_per_week=6)
    assert (cal.is_working(date(2027, 1, 2)), cal.is_working(date(2027, 1, 3))) == (True, False)


def test_nth_working_day_skips_weekend_holiday_and_blackout() -> None:
    cal = calendar()
    assert [cal.nth_working_day(k) for k in range(7)] == [
        date(2027, 1, 1),
        date(2027, 1, 4),
        date(2027, 1, 6),
        date(2027, 1, 7),
        date(2027, 1, 8),
        date(2027, 1, 14),
        date(2027, 1, 15),
    ]


def test_offset_of_is_the_inverse_of_nth_working_day() -> None:
    cal = calendar()
    assert [cal.offset_of(cal.nth_working_day(k)) for k in range(40)] == list(range(40))
    # A non-working day maps to the offset of the next working day.
    assert cal.offset_of(date(2027, 1, 12)) == 5


def test_add_working_days_rolls_forward_then_counts() -> None:
    cal = calendar()
    assert cal.add_working_days(date(2027, 1, 2), 0) == date(2027, 1, 4)
    assert cal.add_working_days(date(2027, 1, 4), 1) == date(2027, 1, 6)
    assert cal.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 14)


def test_working_days_between_counts_both_ends() -> None:
    cal = calendar()
    assert cal.working_days_between(date(2027, 1, 1), date(2027, 1, 14)) == 6
    assert cal.working_days_between(date(2027, 1, 14), date(2027, 1, 1)) == 0


def test_start_date_on_a_weekend_starts_on_monday() -> None:
    cal = calendar(migration_start_date=date(2027, 1, 2))
    assert cal.nth_working_day(0) == date(2027, 1, 4)


def test_negative_values_are_refused() -> None:
    cal = calendar()
    with pytest.raises(InvalidInput, match="negative"):
        cal.nth_working_day(-1)
    with pytest.raises(InvalidInput, match="negative"):
        cal.add_working_days(date(2027, 1, 4), -2)
    with pytest.raises(InvalidInput, match="before the migration start date"):
        cal.offset_of(date(2026, 12, 31))


def test_a_calendar_without_working_days_is_refused() -> None:
    window = BlackoutWindow(start=date(2027, 1, 1), end=date(2100, 12, 31), reason="forever")
    cal = calendar(blackout_windows=[window])
    with pytest.raises(InvalidInput, match="no working day"):
        cal.nth_working_day(0)


def test_week_start_is_monday() -> None:
    cal = calendar()
    assert [cal.week_start(date(2027, 1, d)) for d in (3, 4, 10)] == [
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 4),
    ]
