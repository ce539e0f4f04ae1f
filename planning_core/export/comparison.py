"""The comparison of two to four plans (a plan and its scenarios): key figures side by side, the
applications whose wave differs, cumulative applications migrated over time, and the variance of a plan
against a saved baseline.

Pure: built from stored plans (and baselines), read by the compare page, the command line's
`planning-flow compare` (its JSON) and the comparison's PDF and XLSX (`planning_core.export.compare`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from pydantic import Field

from planning_core.domain import Model, Money
from planning_core.engines.schedule.models import Timeline
from planning_core.errors import InvalidInput
from planning_core.plan import Baseline, PlanDocument

MIN_PLANS = 2
MAX_PLANS = 4
# Milestones that mark a wave's applications as migrated, best first (else the wave's window end).
MIGRATED_KINDS = ("go_live", "cutover")


class PlanFigures(Model):
    """One column of the comparison: a plan's key figures (None where its phase has not run)."""

    planning_flow_id: str
    name: str
    revision: int = 0
    family_id: str = ""
    scenario_of: str | None = None
    changed_settings: list[str] = Field(default_factory=list)
    applications: int = 0
    waves: int | None = None
    lower_bound: int | None = None
    gap: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    duration_days: int | None = None  # calendar days, start to end inclusive
    working_days: int | None = None
    peak_headcount: dict[str, int] = Field(default_factory=dict)  # role -> most people at once
    currency: str = "USD"
    total_cost: Money | None = None
    total_cost_p50: Money | None = None
    total_cost_p80: Money | None = None
    total_cost_p95: Money | None = None
    end_date_p50: date | None = None
    end_date_p80: date | None = None
    end_date_p95: date | None = None
    contingency_covers_p80: bool | None = None
    hard_violations: int = 0
    skill_gaps: list[str] = Field(default_factory=list)
    not_migrated: int = 0
    migrated_by_date: list[tuple[date, int]] = Field(default_factory=list)  # cumulative applications


class MovedApplication(Model):
    """An application in different waves in the plans compared (None: not migrated in that plan)."""

    application_id: str
    name: str = ""
    waves: dict[str, int | None]


class WaveVariance(Model):
    """A wave's dates now against the baseline (working-calendar-free: calendar days, later is positive)."""

    wave_number: int
    baseline_start: date | None = None
    baseline_end: date | None = None
    start: date | None = None
    end: date | None = None
    start_variance_days: int | None = None
    end_variance_days: int | None = None


class BaselineVariance(Model):
    """The current plan against one of its baselines."""

    planning_flow_id: str
    baseline_id: int
    baseline_name: str
    baseline_revision: int
    baseline_end_date: date | None = None
    end_date: date | None = None
    end_variance_days: int | None = None
    baseline_total_cost: Money | None = None
    total_cost: Money | None = None
    cost_variance: Money | None = None
    moved_applications: int = 0
    waves: list[WaveVariance] = Field(default_factory=list)


class Comparison(Model):
    """Plans side by side (in the order asked), with the applications whose wave differs."""

    plans: list[PlanFigures]
    moved_applications: list[MovedApplication] = Field(default_factory=list)
    baselines: list[BaselineVariance] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def cli_document(self) -> dict[str, object]:
        """The command line's `compare --out` JSON: plans and moved applications."""
        return self.model_dump(mode="json", include={"plans", "moved_applications", "baselines", "warnings"})


def peak_headcount(timeline: Timeline | None) -> dict[str, int]:
    """Most people of each role working at once over the schedule (the activities' crews summed by day)."""
    if timeline is None:
        return {}
    changes: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for activity in timeline.activities:
        for role, people in activity.crew.items():
            changes[role][activity.start] += people
            changes[role][activity.end + timedelta(days=1)] -= people
    peaks: dict[str, int] = {}
    for role, by_day in changes.items():
        running = peak = 0
        for day in sorted(by_day):
            running += by_day[day]
            peak = max(peak, running)
        peaks[role] = peak
    return dict(sorted(peaks.items()))


def migrated_by_date(plan: PlanDocument) -> list[tuple[date, int]]:
    """Cumulative applications migrated by date: each wave's applications count from its go-live (or
    cut-over, else the end of its window)."""
    if plan.wave_plan is None or plan.timeline is None:
        return []
    when: dict[int, date] = {w.wave_number: w.end for w in plan.timeline.waves}
    for kind in reversed(MIGRATED_KINDS):
        for milestone in plan.timeline.milestones:
            if milestone.kind == kind and milestone.wave_number is not None:
                when[milestone.wave_number] = milestone.date
    counts: dict[date, int] = defaultdict(int)
    for wave in plan.wave_plan.waves:
        if wave.wave_number in when and wave.applications:
            counts[when[wave.wave_number]] += len(wave.applications)
    series: list[tuple[date, int]] = []
    total = 0
    for day in sorted(counts):
        total += counts[day]
        series.append((day, total))
    return series


def plan_figures(plan: PlanDocument) -> PlanFigures:
    """A plan's column of the comparison."""
    figures = PlanFigures(
        planning_flow_id=plan.planning_flow_id,
        name=plan.name,
        revision=plan.revision,
        family_id=plan.scenario.family_id if plan.scenario else plan.planning_flow_id,
        scenario_of=plan.scenario.source_plan_id if plan.scenario else None,
        changed_settings=list(plan.scenario.changed_settings) if plan.scenario else [],
        applications=len(plan.selected_applications),
        peak_headcount=peak_headcount(plan.timeline),
        migrated_by_date=migrated_by_date(plan),
    )
    if plan.wave_plan is not None:
        figures.waves = plan.wave_plan.summary.total_waves
        figures.lower_bound = plan.wave_plan.lower_bound
        figures.gap = plan.wave_plan.gap
        figures.hard_violations = sum(1 for v in plan.wave_plan.violations if v.hard)
        figures.not_migrated = len(plan.wave_plan.not_migrated)
    if plan.timeline is not None:
        figures.start_date = plan.timeline.start_date
        figures.end_date = plan.timeline.end_date
        figures.duration_days = plan.timeline.total_duration_days
        figures.working_days = plan.timeline.total_working_days
    if plan.resource_allocation is not None:
        figures.skill_gaps = sorted(g.skill for g in plan.resource_allocation.skill_gaps)
    if plan.cost_estimation is not None:
        figures.currency = plan.cost_estimation.currency
        figures.total_cost = plan.cost_estimation.total
    if plan.risk is not None:
        figures.total_cost_p50 = plan.risk.total_cost_p50
        figures.total_cost_p80 = plan.risk.total_cost_p80
        figures.total_cost_p95 = plan.risk.total_cost_p95
        figures.end_date_p50 = plan.risk.end_date_p50
        figures.end_date_p80 = plan.risk.end_date_p80
        figures.end_date_p95 = plan.risk.end_date_p95
        figures.contingency_covers_p80 = plan.risk.contingency_covers_p80
    return figures


def moved_applications(plans: list[PlanDocument]) -> list[MovedApplication]:
    """The applications of the plans whose wave is not the same in all of them, by application id."""
    waves_of = [p.wave_plan.wave_of() if p.wave_plan else {} for p in plans]
    names: dict[str, str] = {}
    for plan in plans:
        for wave in plan.wave_plan.waves if plan.wave_plan else []:
            for assignment in wave.applications:
                names.setdefault(assignment.application_id, assignment.name)
    every = sorted({app for p in plans for app in p.selected_applications} | set(names))
    moved: list[MovedApplication] = []
    for app in every:
        waves = {p.planning_flow_id: of.get(app) for p, of in zip(plans, waves_of, strict=True)}
        if len(set(waves.values())) > 1:
            moved.append(MovedApplication(application_id=app, name=names.get(app, ""), waves=waves))
    return moved


def baseline_variance(plan: PlanDocument, baseline: Baseline) -> BaselineVariance:
    """The plan now against a baseline of it: end date, total cost, waves' dates, applications moved."""
    end = plan.timeline.end_date if plan.timeline else None
    total = plan.cost_estimation.total if plan.cost_estimation else None
    windows = {w.wave_number: w for w in plan.timeline.waves} if plan.timeline else {}
    numbers = sorted({w.wave_number for w in baseline.waves} | set(windows))
    before = {w.wave_number: w for w in baseline.waves}
    waves = []
    for number in numbers:
        old, new = before.get(number), windows.get(number)
        waves.append(
            WaveVariance(
                wave_number=number,
                baseline_start=old.start if old else None,
                baseline_end=old.end if old else None,
                start=new.start if new else None,
                end=new.end if new else None,
                start_variance_days=_days(old.start if old else None, new.start if new else None),
                end_variance_days=_days(old.end if old else None, new.end if new else None),
            )
        )
    now = plan.wave_plan.wave_of() if plan.wave_plan else {}
    moved = sum(1 for app, wave in baseline.wave_of.items() if now.get(app) != wave)
    moved += sum(1 for app in now if app not in baseline.wave_of)
    return BaselineVariance(
        planning_flow_id=plan.planning_flow_id,
        baseline_id=baseline.baseline_id,
        baseline_name=baseline.name,
        baseline_revision=baseline.revision,
        baseline_end_date=baseline.end_date,
        end_date=end,
        end_variance_days=_days(baseline.end_date, end),
        baseline_total_cost=baseline.total_cost,
        total_cost=total,
        cost_variance=None if total is None or baseline.total_cost is None else total - baseline.total_cost,
        moved_applications=moved,
        waves=waves,
    )


def _days(before: date | None, after: date | None) -> int | None:
    return None if before is None or after is None else (after - before).days


def compare_plans(plans: list[PlanDocument], baselines: dict[str, Baseline] | None = None) -> Comparison:
    """Two to four distinct plans side by side, in the order given; `baselines` (plan id -> its latest
    baseline) adds each plan's variance against it."""
    ids = [p.planning_flow_id for p in plans]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Compare distinct plans: a plan was given twice.")
    if not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise InvalidInput(f"Compare {MIN_PLANS} to {MAX_PLANS} plans, not {len(plans)}.")
    warnings: list[str] = []
    selections = {frozenset(p.selected_applications) for p in plans}
    if len(selections) > 1:
        warnings.append(
            "The plans do not plan the same applications: applications missing from a plan show no wave there."
        )
    currencies = {p.cost_estimation.currency for p in plans if p.cost_estimation}
    if len(currencies) > 1:
        warnings.append(f"The plans' costs are in different currencies ({', '.join(sorted(currencies))}).")
    variances = [
        baseline_variance(plan, baselines[plan.planning_flow_id])
        for plan in plans
        if baselines and plan.planning_flow_id in baselines
    ]
    return Comparison(
        plans=[plan_figures(p) for p in plans],
        moved_applications=moved_applications(plans),
        baselines=variances,
        warnings=warnings,
    )


def baseline_of(plan: PlanDocument, *, name: str, created_by: str, created_at: object) -> Baseline:
    """The plan's current dates, waves and cost as a baseline (not yet stored: id 0)."""
    timeline = plan.timeline
    windows = {w.wave_number: w for w in timeline.waves} if timeline else {}
    waves = [
        {
            "wave_number": w.wave_number,
            "name": w.name,
            "start": windows[w.wave_number].start if w.wave_number in windows else None,
            "end": windows[w.wave_number].end if w.wave_number in windows else None,
            "applications": len(w.applications),
        }
        for w in (plan.wave_plan.waves if plan.wave_plan else [])
    ]
    return Baseline.model_validate(
        {
            "planning_flow_id": plan.planning_flow_id,
            "name": name,
            "revision": plan.revision,
            "created_at": created_at,
            "created_by": created_by,
            "start_date": timeline.start_date if timeline else None,
            "end_date": timeline.end_date if timeline else None,
            "total_cost": plan.cost_estimation.total if plan.cost_estimation else None,
            "currency": plan.cost_estimation.currency if plan.cost_estimation else "USD",
            "total_cost_p80": plan.risk.total_cost_p80 if plan.risk else None,
            "end_date_p80": plan.risk.end_date_p80 if plan.risk else None,
            "waves": waves,
            "wave_of": plan.wave_plan.wave_of() if plan.wave_plan else {},
            "activities": {a.id: (a.start, a.end) for a in timeline.activities} if timeline else {},
        }
    )


def risk_figures(plan: PlanDocument) -> list[tuple[str, str, str]]:
    """The risk simulation's key figures as (label, value, detail), for the Timeline and Costs pages and
    the PDF's executive summary; empty when the plan has no simulation yet."""
    risk = plan.risk
    if risk is None:
        return []
    currency = risk.currency
    covers = "yes" if risk.contingency_covers_p80 else "no"
    shortfall = (
        "" if risk.contingency_covers_p80 else f"; short by {currency} {risk.contingency_shortfall_p80:,.2f}"
    )
    return [
        (
            "End date P50 / P80",
            f"{risk.end_date_p50.isoformat()} / {risk.end_date_p80.isoformat()}",
            f"P95 {risk.end_date_p95.isoformat()}; planned {risk.deterministic_end_date.isoformat()}",
        ),
        (
            "Total cost P50 / P80",
            f"{currency} {risk.total_cost_p50:,.0f} / {risk.total_cost_p80:,.0f}",
            f"P95 {currency} {risk.total_cost_p95:,.0f}; planned {currency} {risk.deterministic_total:,.0f}",
        ),
        (
            "Contingency covers P80",
            covers,
            f"contingency {currency} {risk.contingency:,.2f} against the simulated P80 subtotal "
            f"{currency} {risk.subtotal_p80:,.2f}{shortfall}",
        ),
        (
            "Chance of the planned end date",
            f"{risk.probability_meeting_target:.0%}",
            f"ending on or before {risk.target_date.isoformat()}; {risk.iterations:,} iterations, seed {risk.seed}",
        ),
    ]
