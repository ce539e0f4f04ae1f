"""Microsoft Project XML (MSPDI): waves as summary tasks, activities and milestones under them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree as ET

from planning_core.domain import PlanningConfig
from planning_core.engines.schedule.models import Activity, Milestone, Timeline, WaveWindow
from planning_core.errors import InvalidInput
from planning_core.export.text import one_line, strip_controls
from planning_core.plan import PlanDocument

NAMESPACE = "http://schemas.microsoft.com/project"
WORK_START = time(8, 0)
LUNCH = (time(12, 0), time(13, 0))
# MSPDI day types: 1 = Sunday ... 7 = Saturday; our working week starts on Monday.
_MONDAY_FIRST_DAY_TYPES = (2, 3, 4, 5, 6, 7, 1)
_FINISH_TO_START = "1"
_LAG_FORMAT_DAYS = "7"


@dataclass(frozen=True)
class _Task:
    uid: int
    name: str
    level: int
    outline: str
    start: datetime
    finish: datetime
    work_days: int
    summary: bool = False
    milestone: bool = False
    critical: bool = False
    slack_days: int = 0
    predecessors: tuple[int, ...] = ()
    notes: str = ""


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _at(minutes: float) -> time:
    whole = int(round(minutes))
    return time(min(whole // 60, 23), whole % 60) if whole < 24 * 60 else time(23, 59)


def work_blocks(hours_per_day: float) -> list[tuple[time, time]]:
    """The working periods of one day: 08:00-12:00 and 13:00 onwards, or one block for long days."""
    minutes = hours_per_day * 60
    morning = _minutes(LUNCH[0]) - _minutes(WORK_START)
    if minutes <= morning:
        return [(WORK_START, _at(_minutes(WORK_START) + minutes))]
    afternoon_end = _minutes(LUNCH[1]) + minutes - morning
    if afternoon_end <= 23 * 60 + 59:
        return [(WORK_START, LUNCH[0]), (LUNCH[1], _at(afternoon_end))]
    return [(time(0, 0), _at(minutes))]


def _duration(hours_total: float) -> str:
    whole = int(hours_total)
    minutes = int(round((hours_total - whole) * 60))
    return f"PT{whole}H{minutes}M0S"


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _start_of(day: date, config: PlanningConfig) -> datetime:
    return datetime.combine(day, work_blocks(config.hours_per_day)[0][0])


def _finish_of(day: date, config: PlanningConfig) -> datetime:
    return datetime.combine(day, work_blocks(config.hours_per_day)[-1][1])


def _wave_task(
    uid: int, outline: str, name: str, acts: list[Activity], window: WaveWindow | None, config: PlanningConfig
) -> _Task:
    start = window.start if window else min(a.start for a in acts)
    end = window.end if window else max(a.end for a in acts)
    return _Task(
        uid=uid,
        name=one_line(name),
        level=1,
        outline=outline,
        start=_start_of(start, config),
        finish=_finish_of(end, config),
        work_days=working_days_between(start, end, config),
        summary=True,
        critical=any(a.critical for a in acts),
    )


def _activity_task(
    uid: int, outline: str, act: Activity, uid_of: dict[str, int], config: PlanningConfig
) -> _Task:
    return _Task(
        uid=uid,
        name=one_line(act.name),
        level=2,
        outline=outline,
        start=_start_of(act.start, config),
        finish=_finish_of(act.end, config),
        work_days=act.duration_days,
        critical=act.critical,
        slack_days=act.slack_days,
        predecessors=tuple(uid_of[p] for p in act.predecessors if p in uid_of),
        notes=f"Activity {act.id} ({act.kind})",
    )


def _milestone_task(uid: int, outline: str, level: int, ms: Milestone, config: PlanningConfig) -> _Task:
    moment = _finish_of(ms.date, config)
    return _Task(
        uid=uid,
        name=one_line(ms.name),
        level=level,
        outline=outline,
        start=moment,
        finish=moment,
        work_days=0,
        milestone=True,
        notes=one_line(ms.description),
    )


def _tasks(
    timeline: Timeline, config: PlanningConfig, wave_names: dict[int, str]
) -> tuple[list[_Task], dict[str, int]]:
    """Waves (level 1) with their activities and milestones (level 2), in outline order, UIDs from 1."""
    by_wave: dict[int, list[Activity]] = {}
    for activity in timeline.activities:
        by_wave.setdefault(activity.wave_number, []).append(activity)
    windows = {w.wave_number: w for w in timeline.waves}
    wave_numbers = sorted(set(windows) | set(by_wave))
    milestones: dict[int, list[Milestone]] = {}
    loose: list[Milestone] = []
    for milestone in timeline.milestones:
        if milestone.wave_number in wave_numbers:
            milestones.setdefault(milestone.wave_number, []).append(milestone)
        else:
            loose.append(milestone)
    uid_of = {act.id: index for index, act in enumerate(timeline.activities, start=len(wave_numbers) + 1)}
    next_uid = len(wave_numbers) + len(timeline.activities) + 1
    tasks: list[_Task] = []
    for wave_index, number in enumerate(wave_numbers, start=1):
        acts = by_wave.get(number, [])
        name = wave_names.get(number) or f"Wave {number}"
        tasks.append(_wave_task(wave_index, str(wave_index), name, acts, windows.get(number), config))
        for child, act in enumerate(acts, start=1):
            tasks.append(_activity_task(uid_of[act.id], f"{wave_index}.{child}", act, uid_of, config))
        for child, ms in enumerate(milestones.get(number, []), start=len(acts) + 1):
            tasks.append(_milestone_task(next_uid, f"{wave_index}.{child}", 2, ms, config))
            next_uid += 1
    for index, ms in enumerate(loose, start=len(wave_numbers) + 1):
        tasks.append(_milestone_task(next_uid, str(index), 1, ms, config))
        next_uid += 1
    return tasks, uid_of


def working_days_between(start: date, end: date, config: PlanningConfig) -> int:
    """Working days from start to end inclusive on the plan's calendar (holidays excluded)."""
    holidays = set(config.holidays)
    count = 0
    day = start
    while day <= end:
        if day.weekday() < config.working_days_per_week and day not in holidays:
            count += 1
        day += timedelta(days=1)
    return count


def _calendar(parent: ET.Element, config: PlanningConfig) -> None:
    calendars = _sub(parent, "Calendars")
    calendar = _sub(calendars, "Calendar")
    _sub(calendar, "UID", 1)
    _sub(calendar, "Name", "Standard")
    _sub(calendar, "IsBaseCalendar", 1)
    _sub(calendar, "BaseCalendarUID", -1)
    weekdays = _sub(calendar, "WeekDays")
    working = set(_MONDAY_FIRST_DAY_TYPES[: config.working_days_per_week])
    for day_type in range(1, 8):
        day = _sub(weekdays, "WeekDay")
        _sub(day, "DayType", day_type)
        _sub(day, "DayWorking", 1 if day_type in working else 0)
        if day_type in working:
            times = _sub(day, "WorkingTimes")
            for start, finish in work_blocks(config.hours_per_day):
                block = _sub(times, "WorkingTime")
                _sub(block, "FromTime", start.strftime("%H:%M:%S"))
                _sub(block, "ToTime", finish.strftime("%H:%M:%S"))
    for holiday in sorted(set(config.holidays)):
        day = _sub(weekdays, "WeekDay")
        _sub(day, "DayType", 0)
        _sub(day, "DayWorking", 0)
        period = _sub(day, "TimePeriod")
        _sub(period, "FromDate", _stamp(datetime.combine(holiday, time(0, 0))))
        _sub(period, "ToDate", _stamp(datetime.combine(holiday, time(23, 59))))


def _task_element(parent: ET.Element, task: _Task, task_id: int, config: PlanningConfig) -> None:
    element = _sub(parent, "Task")
    _sub(element, "UID", task.uid)
    _sub(element, "ID", task_id)
    _sub(element, "Name", task.name)
    _sub(element, "Type", 0 if task.summary else 1)
    _sub(element, "IsNull", 0)
    _sub(element, "WBS", task.outline)
    _sub(element, "OutlineNumber", task.outline)
    _sub(element, "OutlineLevel", task.level)
    _sub(element, "Priority", 500)
    _sub(element, "Start", _stamp(task.start))
    _sub(element, "Finish", _stamp(task.finish))
    _sub(element, "Duration", _duration(task.work_days * config.hours_per_day))
    _sub(element, "DurationFormat", 7)
    _sub(element, "Estimated", 0)
    _sub(element, "Milestone", int(task.milestone))
    _sub(element, "Summary", int(task.summary))
    _sub(element, "Critical", int(task.critical))
    _sub(element, "TotalSlack", int(task.slack_days * config.hours_per_day * 600))
    _sub(element, "ConstraintType", 0)
    if task.notes:
        _sub(element, "Notes", task.notes)
    for predecessor in task.predecessors:
        link = _sub(element, "PredecessorLink")
        _sub(link, "PredecessorUID", predecessor)
        _sub(link, "Type", _FINISH_TO_START)
        _sub(link, "CrossProject", 0)
        _sub(link, "LinkLag", 0)
        _sub(link, "LagFormat", _LAG_FORMAT_DAYS)


def render_mspdi(plan: PlanDocument) -> bytes:
    """The schedule as MS Project XML: tasks, dates, durations, predecessors, resources, assignments."""
    timeline = plan.timeline
    if timeline is None:
        raise InvalidInput("the timeline phase has not been run yet, so there is no schedule to export")
    config = plan.planning_config
    wave_names = {}
    if plan.wave_plan is not None:
        wave_names = {w.wave_number: w.name or f"Wave {w.wave_number}" for w in plan.wave_plan.waves}
    project = ET.Element("Project", {"xmlns": NAMESPACE})
    title = one_line(plan.name or plan.planning_flow_id)
    _sub(project, "SaveVersion", 14)
    _sub(project, "Name", f"{title}.xml")
    _sub(project, "Title", title)
    _sub(project, "Company", one_line(plan.client_account_name or plan.client_account_id))
    _sub(project, "Author", "Planning Flow")
    _sub(project, "Revision", plan.revision)
    _sub(project, "ScheduleFromStart", 1)
    _sub(project, "StartDate", _stamp(_start_of(timeline.start_date, config)))
    _sub(project, "FinishDate", _stamp(_finish_of(timeline.end_date, config)))
    currency = plan.cost_estimation.currency if plan.cost_estimation else "USD"
    _sub(project, "CurrencyCode", strip_controls(currency)[:3])
    _sub(project, "CalendarUID", 1)
    _sub(project, "DefaultStartTime", work_blocks(config.hours_per_day)[0][0].strftime("%H:%M:%S"))
    _sub(project, "DefaultFinishTime", work_blocks(config.hours_per_day)[-1][1].strftime("%H:%M:%S"))
    _sub(project, "MinutesPerDay", int(round(config.hours_per_day * 60)))
    _sub(project, "MinutesPerWeek", int(round(config.hours_per_day * 60 * config.working_days_per_week)))
    _sub(project, "DaysPerMonth", 20)
    _sub(project, "DurationFormat", 7)
    _sub(project, "WorkFormat", 2)
    _sub(project, "WeekStartDay", 1)
    _calendar(project, config)
    tasks, uid_of = _tasks(timeline, config, wave_names)
    tasks_element = _sub(project, "Tasks")
    for task_id, task in enumerate(tasks, start=1):
        _task_element(tasks_element, task, task_id, config)
    _resources_and_assignments(project, plan, {t.uid: t for t in tasks}, uid_of)
    ET.indent(project, space="  ")
    body = ET.tostring(project, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + "\n").encode("utf-8")


def _resources_and_assignments(
    project: ET.Element, plan: PlanDocument, tasks: dict[int, _Task], uid_of: dict[str, int]
) -> None:
    config = plan.planning_config
    timeline = plan.timeline
    assert timeline is not None
    roles = [pool.role for pool in config.resource_pools]
    for activity in timeline.activities:
        roles += [role for role in activity.role_hours if role not in roles]
    pools = {pool.role: pool for pool in config.resource_pools}
    resources = _sub(project, "Resources")
    resource_uid = {}
    for index, role in enumerate(roles, start=1):
        resource_uid[role] = index
        element = _sub(resources, "Resource")
        _sub(element, "UID", index)
        _sub(element, "ID", index)
        _sub(element, "Name", one_line(role))
        _sub(element, "Type", 1)
        _sub(element, "IsNull", 0)
        pool = pools.get(role)
        _sub(element, "MaxUnits", f"{(pool.headcount if pool else 1):.2f}")
        _sub(element, "StandardRate", f"{(pool.hourly_rate if pool else 0):.2f}")
        _sub(element, "StandardRateFormat", 2)
        _sub(element, "CalendarUID", 1)
    assignments = _sub(project, "Assignments")
    next_uid = 1
    for activity in timeline.activities:
        task = tasks[uid_of[activity.id]]
        available = max(activity.duration_days * config.hours_per_day, 1e-9)
        for role, role_hours in activity.role_hours.items():
            if role_hours <= 0:
                continue
            element = _sub(assignments, "Assignment")
            _sub(element, "UID", next_uid)
            _sub(element, "TaskUID", task.uid)
            _sub(element, "ResourceUID", resource_uid[role])
            _sub(element, "Finish", _stamp(task.finish))
            _sub(element, "Start", _stamp(task.start))
            _sub(element, "Units", f"{role_hours / available:.2f}")
            _sub(element, "Work", _duration(role_hours))
            next_uid += 1
