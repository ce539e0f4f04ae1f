"""Synthesis engine: executive summary, risks and recommendations from the plan's own numbers.

Every finding names the metric that triggered it (``metric="name=value"``) and every threshold is a
named constant below. Findings come out in a fixed order (by severity: high, medium, low; then in the
order of the checks), so the same plan always gives the same text.

Checks (risk -> recommendation):

- hard constraint violations of the wave plan -> fix them before approval;
- applications neither in a wave nor listed as not migrated;
- over-allocated roles (any wave over 100 %; high from ``HIGH_UTILISATION_PCT``) -> extra headcount;
- skill gaps (high when a gap is high) -> each gap's hire/train/contract advice;
- waves concentrating critical applications (``CRITICAL_APPS_PER_WAVE`` or more);
- waves near their effort capacity (``NEAR_CAPACITY_PCT`` or more of the wave effort capacity);
- little schedule slack (``CRITICAL_SHARE_PCT`` or more of activities on the critical path);
- a long programme (more than ``LONG_PROGRAMME_DAYS`` calendar days);
- cut-overs or waves overlapping blackout windows (a cut-over inside one is high);
- P80 above the total (the contingency does not cover the P80 of labour uncertainty);
- contingency below what the portfolio's complexity suggests
  (``CONTINGENCY_BASE_PCT + CONTINGENCY_PER_COMPLEXITY_PCT x (mean complexity - 3)``, 10-40 %);
- waves above the lower bound (the gap) -> review the wave plan.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

from planning_core.domain import Criticality, PlanningConfig, Portfolio
from planning_core.engines.costs.models import CostEstimate
from planning_core.engines.resources.models import Allocation, ResourceAllocation
from planning_core.engines.schedule.models import Timeline
from planning_core.engines.synthesis.models import ExecutiveSummary, Finding, Synthesis
from planning_core.engines.waves.models import WavePlan

HIGH_UTILISATION_PCT = 120.0
CRITICAL_APPS_PER_WAVE = 3
NEAR_CAPACITY_PCT = 90.0
CRITICAL_SHARE_PCT = 50.0
LONG_PROGRAMME_DAYS = 365
CONTINGENCY_BASE_PCT = 10.0
CONTINGENCY_PER_COMPLEXITY_PCT = 2.5
CONTINGENCY_MIN_PCT = 10.0
CONTINGENCY_MAX_PCT = 40.0
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

Pair = tuple[Finding | None, Finding | None]  # a risk and its recommendation, either may be absent


def synthesize(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline,
    costs: CostEstimate,
    config: PlanningConfig,
) -> Synthesis:
    """The plan's executive summary, its risks and recommendations, and its quality figures."""
    summary = executive_summary(portfolio, wave_plan, allocation, timeline, costs)
    pairs: list[tuple[Finding | None, Finding | None]] = [
        _violations(wave_plan),
        _unplanned(summary),
        *_over_allocation(allocation, config),
        _skill_gaps(allocation),
        *_critical_concentration(wave_plan),
        *_near_capacity(wave_plan, config),
        _little_slack(timeline),
        _long_waves(timeline, config),
        _long_programme(summary),
        *_blackouts(timeline, config),
        _p80_uncovered(costs),
        _contingency_low(wave_plan, costs),
        _lower_bound_gap(summary),
    ]
    risks = _ordered([risk for risk, _ in pairs if risk is not None])
    recommendations = _ordered([advice for _, advice in pairs if advice is not None])
    if not risks:
        recommendations.append(
            Finding(
                title="Proceed to approval",
                detail="No threshold is crossed: capacity, skills, schedule slack and contingency are within limits.",
                severity="low",
                metric="risks=0",
            )
        )
    return Synthesis(
        executive_summary=summary,
        risks=risks,
        recommendations=recommendations,
        quality=quality_figures(wave_plan, allocation, timeline, costs, summary),
    )


def executive_summary(
    portfolio: Portfolio,
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline,
    costs: CostEstimate,
) -> ExecutiveSummary:
    """Headline numbers: applications, waves, dates, duration, cost, effort, skill gaps, bounds."""
    migrated = sum(len(w.applications) for w in wave_plan.waves)
    waves = len(wave_plan.waves)
    bound = wave_plan.lower_bound
    return ExecutiveSummary(
        total_applications=len(portfolio.applications),
        migrated_applications=migrated,
        not_migrated_applications=len(wave_plan.not_migrated),
        total_waves=waves,
        start_date=timeline.start_date,
        end_date=timeline.end_date,
        total_duration_days=timeline.total_duration_days,
        total_cost=costs.total,
        currency=costs.currency,
        total_effort_hours=round(sum(a.effort_hours for w in wave_plan.waves for a in w.applications), 2),
        skill_gaps_identified=len(allocation.skill_gaps),
        critical_path=list(timeline.critical_path),
        lower_bound_waves=bound,
        wave_gap=max(waves - bound, 0) if bound else 0,
    )


def quality_figures(
    wave_plan: WavePlan,
    allocation: ResourceAllocation,
    timeline: Timeline,
    costs: CostEstimate,
    summary: ExecutiveSummary,
) -> dict[str, float | int | str]:
    """The plan's quality figures: bounds and gap, utilisation, slack, cost ratios."""
    used = [a.utilisation_pct for a in allocation.allocations if a.hours > 0]
    critical = sum(1 for a in timeline.activities if a.critical)
    activities = len(timeline.activities)
    return {
        "lower_bound_waves": summary.lower_bound_waves,
        "lower_bound_kind": wave_plan.lower_bound_kind,
        "wave_gap": summary.wave_gap,
        "wave_gap_pct": _pct(summary.wave_gap, summary.lower_bound_waves),
        "cut_weight": wave_plan.summary.cut_weight,
        "hard_violations": sum(1 for v in wave_plan.violations if v.hard),
        "peak_utilisation_pct": max(used, default=0.0),
        "mean_utilisation_pct": round(sum(used) / len(used), 1) if used else 0.0,
        "over_allocated_rows": sum(1 for a in allocation.allocations if a.over_allocated),
        "skill_gaps": len(allocation.skill_gaps),
        "critical_activities": critical,
        "critical_share_pct": _pct(critical, activities),
        "total_working_days": timeline.total_working_days,
        "cost_per_migrated_application": round(float(costs.total / summary.migrated_applications), 2)
        if summary.migrated_applications
        else 0.0,
        "contingency_covers_p80": "yes" if costs.total >= costs.p80_total else "no",
    }


def _violations(wave_plan: WavePlan) -> tuple[Finding | None, Finding | None]:
    """Hard constraint violations left in the wave plan."""
    hard = [v for v in wave_plan.violations if v.hard]
    if not hard:
        return None, None
    kinds = ", ".join(sorted({v.constraint for v in hard}))
    return (
        Finding(
            title="Hard constraints are violated",
            detail=f"The wave plan breaks {len(hard)} hard constraint(s) ({kinds}); it cannot be executed as is.",
            severity="high",
            metric=f"hard_violations={len(hard)}",
        ),
        Finding(
            title="Fix the wave plan before approval",
            detail=f"Resolve the {kinds} violation(s) on the wave board or re-run wave planning.",
            severity="high",
            metric=f"hard_violations={len(hard)}",
        ),
    )


def _unplanned(summary: ExecutiveSummary) -> tuple[Finding | None, None]:
    """Applications that are neither in a wave nor listed as not migrated."""
    missing = summary.total_applications - summary.migrated_applications - summary.not_migrated_applications
    if missing <= 0:
        return None, None
    return (
        Finding(
            title="Applications are not planned",
            detail=f"{missing} selected application(s) are in no wave and not listed as not migrated.",
            severity="high",
            metric=f"unplanned_applications={missing}",
        ),
        None,
    )


def _over_allocation(
    allocation: ResourceAllocation, config: PlanningConfig
) -> list[tuple[Finding | None, Finding | None]]:
    """One risk and one recommendation per role that is over capacity in some wave."""
    rows: dict[str, list[Allocation]] = defaultdict(list)
    for row in allocation.allocations:
        if row.over_allocated:
            rows[row.role].append(row)
    waves = len({a.wave_number for a in allocation.allocations})
    headcount = {p.role: p.headcount for p in config.resource_pools}
    found: list[Pair] = []
    for role in sorted(rows, key=lambda r: (-max(a.utilisation_pct for a in rows[r]), r)):
        peak = max(rows[role], key=lambda a: (a.utilisation_pct, -a.wave_number))
        metric = f"peak_utilisation_pct={peak.utilisation_pct:.1f}"
        severity = "high" if peak.utilisation_pct >= HIGH_UTILISATION_PCT else "medium"
        risk = Finding(
            title=f"{role} is over-allocated",
            detail=f"{role} is over capacity in {len(rows[role])} of {waves} wave(s); peak "
            f"{peak.utilisation_pct:.1f}% in wave {peak.wave_number} ({peak.hours:,.2f} h of "
            f"{peak.capacity_hours:,.2f} h).",
            severity=severity,
            metric=metric,
        )
        people = headcount.get(role, 0)
        per_person = peak.capacity_hours / people if people else 0.0
        extra = math.ceil(peak.hours / per_person) - people if per_person else 1
        advice = Finding(
            title=f"Add {role} capacity",
            detail=f"Add {extra} {role}(s) (from {people} to {people + extra}) for the peak wave, "
            "or move applications to waves with spare capacity.",
            severity=severity,
            metric=metric,
        )
        found.append((risk, advice))
    return found


def _skill_gaps(allocation: ResourceAllocation) -> tuple[Finding | None, Finding | None]:
    """All skill gaps as one risk; their hire/train/contract advice as one recommendation."""
    gaps = allocation.skill_gaps
    if not gaps:
        return None, None
    apps = len({a for g in gaps for a in g.application_ids})
    severity = "high" if any(g.severity == "high" for g in gaps) else "medium"
    metric = f"skill_gaps={len(gaps)}"
    return (
        Finding(
            title="Skills missing from every pool",
            detail=f"{len(gaps)} skill(s) ({', '.join(g.skill for g in gaps)}) are needed by {apps} "
            "application(s) and no resource pool has them.",
            severity=severity,
            metric=metric,
        ),
        Finding(
            title="Close the skill gaps",
            detail=" ".join(f"{g.skill}: {g.recommendation}." for g in gaps),
            severity=severity,
            metric=metric,
        ),
    )


def _critical_concentration(wave_plan: WavePlan) -> list[tuple[Finding | None, Finding | None]]:
    """Waves with many critical applications: a bad day there hurts the business most."""
    found: list[Pair] = []
    for wave in sorted(wave_plan.waves, key=lambda w: w.wave_number):
        critical = sorted(
            a.application_id for a in wave.applications if a.business_criticality == Criticality.CRITICAL
        )
        if len(critical) < CRITICAL_APPS_PER_WAVE:
            continue
        metric = f"critical_apps_wave_{wave.wave_number}={len(critical)}"
        found.append(
            (
                Finding(
                    title=f"Wave {wave.wave_number} concentrates critical applications",
                    detail=f"Wave {wave.wave_number} moves {len(critical)} critical applications "
                    f"({', '.join(critical[:5])}{', ...' if len(critical) > 5 else ''}).",
                    severity="high",
                    metric=metric,
                ),
                Finding(
                    title=f"Spread the critical applications of wave {wave.wave_number}",
                    detail=f"Keep at most {CRITICAL_APPS_PER_WAVE - 1} critical applications per wave, or give "
                    f"wave {wave.wave_number} a rehearsed rollback plan and extended hypercare.",
                    severity="medium",
                    metric=metric,
                ),
            )
        )
    return found


def _near_capacity(wave_plan: WavePlan, config: PlanningConfig) -> list[tuple[Finding | None, None]]:
    """Waves whose effort is close to what a wave can absorb: no room for estimate overruns."""
    capacity = config.wave_effort_capacity_hours
    found: list[tuple[Finding | None, None]] = []
    if capacity <= 0:
        return found
    for wave in sorted(wave_plan.waves, key=lambda w: w.wave_number):
        pct = round(wave.total_effort_hours / capacity * 100, 1)
        if pct < NEAR_CAPACITY_PCT:
            continue
        found.append(
            (
                Finding(
                    title=f"Wave {wave.wave_number} is near its effort capacity",
                    detail=f"Wave {wave.wave_number} needs {wave.total_effort_hours:,.1f} h of the "
                    f"{capacity:,.1f} h a wave can absorb ({pct:.1f}%); an overrun delays later waves.",
                    severity="medium" if pct <= 100 else "high",
                    metric=f"effort_capacity_pct_wave_{wave.wave_number}={pct:.1f}",
                ),
                None,
            )
        )
    return found


def _little_slack(timeline: Timeline) -> tuple[Finding | None, Finding | None]:
    """Most activities on the critical path: any slip moves the end date."""
    total = len(timeline.activities)
    critical = sum(1 for a in timeline.activities if a.critical)
    share = _pct(critical, total)
    if not total or share < CRITICAL_SHARE_PCT:
        return None, None
    metric = f"critical_share_pct={share:.1f}"
    return (
        Finding(
            title="Little schedule slack",
            detail=f"{critical} of {total} activities are on the critical path "
            f"({' -> '.join(timeline.critical_path[:4])}{' -> ...' if len(timeline.critical_path) > 4 else ''}); "
            "any slip moves the end date.",
            severity="medium",
            metric=metric,
        ),
        Finding(
            title="Protect the critical path",
            detail="Staff the critical activities first, track them weekly and add a schedule buffer before "
            "the final cut-over.",
            severity="medium",
            metric=metric,
        ),
    )


def _long_waves(timeline: Timeline, config: PlanningConfig) -> Pair:
    """Waves whose calendar span exceeds the wave duration limit: the capacity assumption does not hold."""
    limit = config.wave_duration_limit_days
    spans = {w.wave_number: (w.end - w.start).days + 1 for w in timeline.waves}
    long = sorted(n for n, days in spans.items() if days > limit)
    if not long:
        return None, None
    longest = max(long, key=lambda n: (spans[n], -n))
    metric = f"waves_over_duration_limit={len(long)}"
    return (
        Finding(
            title="Waves run longer than the wave duration limit",
            detail=f"{len(long)} wave(s) ({', '.join(map(str, long[:10]))}{', ...' if len(long) > 10 else ''}) "
            f"run longer than {limit} days; the longest, wave {longest}, runs {spans[longest]} days.",
            severity="medium",
            metric=metric,
        ),
        Finding(
            title="Shorten the long waves",
            detail="Add people to the busiest roles, lower the maximum applications per wave, or raise the wave "
            "duration limit so that the plan's capacity assumption holds.",
            severity="medium",
            metric=metric,
        ),
    )


def _long_programme(summary: ExecutiveSummary) -> tuple[Finding | None, None]:
    """A programme longer than a year: priorities and people change on the way."""
    if summary.total_duration_days <= LONG_PROGRAMME_DAYS:
        return None, None
    return (
        Finding(
            title="Long programme",
            detail=f"The plan runs {summary.total_duration_days} calendar days ({summary.start_date} to "
            f"{summary.end_date}); re-plan at each wave gate.",
            severity="medium",
            metric=f"total_duration_days={summary.total_duration_days}",
        ),
        None,
    )


def _blackouts(timeline: Timeline, config: PlanningConfig) -> list[tuple[Finding | None, Finding | None]]:
    """Cut-overs inside a blackout window (high) and waves spanning one (low)."""
    found: list[tuple[Finding | None, Finding | None]] = []
    for window in config.blackout_windows:
        label = f"{window.reason or 'blackout'} ({window.start} to {window.end})"
        cutovers = [
            a.id
            for a in timeline.activities
            if a.kind == "cutover" and _overlap_days(a.start, a.end, window.start, window.end) > 0
        ]
        if cutovers:
            metric = f"cutovers_in_blackout={len(cutovers)}"
            found.append(
                (
                    Finding(
                        title="Cut-over during a blackout window",
                        detail=f"{', '.join(cutovers)} fall(s) in the {label}.",
                        severity="high",
                        metric=metric,
                    ),
                    Finding(
                        title="Move cut-overs out of the blackout",
                        detail=f"Re-run the timeline or move {', '.join(cutovers)} outside the {label}.",
                        severity="high",
                        metric=metric,
                    ),
                )
            )
        for wave in timeline.waves:
            days = _overlap_days(wave.start, wave.end, window.start, window.end)
            if days > 0:
                found.append(
                    (
                        Finding(
                            title=f"Wave {wave.wave_number} spans a blackout window",
                            detail=f"Wave {wave.wave_number} ({wave.start} to {wave.end}) overlaps the {label} "
                            f"by {days} day(s); work pauses and hand-overs are at risk.",
                            severity="low",
                            metric=f"blackout_overlap_days_wave_{wave.wave_number}={days}",
                        ),
                        None,
                    )
                )
    return found


def _p80_uncovered(costs: CostEstimate) -> tuple[Finding | None, Finding | None]:
    """The total (with contingency) below the P80 cost: the contingency is too thin for the uncertainty."""
    if costs.total >= costs.p80_total:
        return None, None
    shortfall = costs.p80_total - costs.total
    metric = f"p80_shortfall={shortfall}"
    needed = (
        math.ceil(float((costs.p80_total - costs.subtotal) / costs.subtotal * 100)) if costs.subtotal else 0
    )
    return (
        Finding(
            title="Contingency does not cover P80",
            detail=f"The P80 cost ({costs.currency} {costs.p80_total:,.2f}) exceeds the total with "
            f"{costs.contingency_percentage:g}% contingency ({costs.currency} {costs.total:,.2f}) by "
            f"{costs.currency} {shortfall:,.2f}.",
            severity="high",
            metric=metric,
        ),
        Finding(
            title="Raise contingency to cover P80",
            detail=f"A contingency of at least {needed}% covers the P80 estimate.",
            severity="high",
            metric=metric,
        ),
    )


def _contingency_low(wave_plan: WavePlan, costs: CostEstimate) -> tuple[Finding | None, Finding | None]:
    """Contingency below what the portfolio's mean complexity suggests."""
    complexities = [a.complexity for w in wave_plan.waves for a in w.applications]
    if not complexities:
        return None, None
    mean = sum(complexities) / len(complexities)
    suggested = CONTINGENCY_BASE_PCT + CONTINGENCY_PER_COMPLEXITY_PCT * (mean - 3)
    suggested = round(min(max(suggested, CONTINGENCY_MIN_PCT), CONTINGENCY_MAX_PCT), 1)
    if costs.contingency_percentage >= suggested:
        return None, None
    metric = f"mean_complexity={mean:.1f}"
    return (
        Finding(
            title="Contingency is low for the complexity",
            detail=f"Mean complexity {mean:.1f} suggests {suggested:g}% contingency; the plan carries "
            f"{costs.contingency_percentage:g}%.",
            severity="medium",
            metric=metric,
        ),
        Finding(
            title=f"Raise contingency to {suggested:g}%",
            detail=f"Set the contingency percentage to {suggested:g}% (10% + 2.5% per complexity point above 3).",
            severity="medium",
            metric=metric,
        ),
    )


def _lower_bound_gap(summary: ExecutiveSummary) -> tuple[None, Finding | None]:
    """More waves than the lower bound: a shorter plan may exist."""
    if summary.wave_gap <= 0:
        return None, None
    return (
        None,
        Finding(
            title="Review the wave plan for fewer waves",
            detail=f"The plan uses {summary.total_waves} waves; no valid plan can use fewer than "
            f"{summary.lower_bound_waves}. Relaxing pins, move-together groups or capacity may close the gap.",
            severity="low" if summary.wave_gap == 1 else "medium",
            metric=f"wave_gap={summary.wave_gap}",
        ),
    )


def _ordered(findings: list[Finding]) -> list[Finding]:
    """High before medium before low; stable within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def _overlap_days(start: date, end: date, other_start: date, other_end: date) -> int:
    """Calendar days (inclusive) two periods share."""
    first, last = max(start, other_start), min(end, other_end)
    return (last - first + timedelta(days=1)).days if last >= first else 0


def _pct(part: float, whole: float) -> float:
    """Part of whole in percent, one decimal (0 for an empty whole)."""
    return round(part / whole * 100, 1) if whole else 0.0
