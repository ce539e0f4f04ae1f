"""Report benchmark: build a plan of N applications and time the PDF.

    python -m benchmarks.report --apps 1000 [--out DIR]

prints `report apps=<n> pdf_seconds=<t> pages=<n>`. The plan comes from the phase engines when they
are importable, otherwise it is synthesised directly (seeded, deterministic, internally consistent).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from planning_core.costs.models import CategoryCost, CostEstimate, RoleCost, WaveCost
from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
    PlanningConfig,
    SixR,
    to_money,
)
from planning_core.plan import AgentRun, PlanDocument
from planning_core.resources.models import Allocation, ApplicationRoleHours, ResourceAllocation, SkillGap
from planning_core.schedule.models import Activity, Milestone, ResourceLoad, Timeline, WaveWindow
from planning_core.synthesis.models import ExecutiveSummary, Finding, Synthesis
from planning_core.waves.models import NotMigrated, Wave, WaveAssignment, WavePlan, WavePlanSummary

ROLE_SPLIT: dict[SixR, dict[str, float]] = {
    SixR.REHOST: {"migration_engineer": 0.7, "tester": 0.2, "project_manager": 0.1},
    SixR.RELOCATE: {"migration_engineer": 0.8, "tester": 0.1, "project_manager": 0.1},
    SixR.REPLATFORM: {
        "migration_engineer": 0.3,
        "developer": 0.3,
        "dba": 0.2,
        "tester": 0.1,
        "project_manager": 0.1,
    },
    SixR.REFACTOR: {"developer": 0.55, "cloud_architect": 0.15, "tester": 0.2, "project_manager": 0.1},
    SixR.REPURCHASE: {"cloud_architect": 0.3, "dba": 0.3, "tester": 0.3, "project_manager": 0.1},
}
STAGES = (
    ("plan", "Plan and design", 0.1),
    ("migrate", "Migrate", 0.6),
    ("test", "Test", 0.2),
    ("cutover", "Cut-over", 0.0),
    ("hypercare", "Hypercare", 0.1),
)
WORDS = (
    "Billing",
    "Ledger",
    "Portal",
    "Claims",
    "Payroll",
    "Inventory",
    "CRM",
    "Data Lake",
    "Gateway",
    "Reporting",
    "Identity",
    "Search",
    "Pricing",
    "Orders",
    "Logistics",
    "Analytics",
    "HR",
    "Archive",
)
SKILLS = ("java", ".net", "oracle", "linux", "windows", "mainframe", "sap", "kafka", "cobol")
TODAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Mon-Fri) after start; start itself must be a working day."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _applications(n_apps: int, rng: random.Random) -> list[Application]:
    strategies = (
        [SixR.REHOST] * 40
        + [SixR.REPLATFORM] * 25
        + [SixR.REFACTOR] * 12
        + [SixR.REPURCHASE] * 8
        + [SixR.RELOCATE] * 7
        + [SixR.RETIRE] * 5
        + [SixR.RETAIN] * 3
    )
    apps = []
    for index in range(1, n_apps + 1):
        apps.append(
            Application(
                application_id=f"APP-{index:04d}",
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} service {index}",
                business_unit=rng.choice(("Finance", "Retail", "Operations", "Corporate")),
                six_r_strategy=rng.choice(strategies),
                complexity=rng.randint(1, 10),
                business_criticality=rng.choice(list(Criticality)),
                server_count=rng.randint(1, 6),
                data_size_gb=float(rng.randint(5, 2000)),
                required_skills=rng.sample(SKILLS, 2),
            )
        )
    return apps


def _waves(apps: list[Application], per_wave: int) -> tuple[list[Wave], list[NotMigrated]]:
    migrated = [a for a in apps if a.migrated]
    pilot = sorted(migrated[:12], key=lambda a: a.complexity)[:3]
    rest = [a for a in migrated if a not in pilot]
    groups = [pilot] + [rest[i : i + per_wave] for i in range(0, len(rest), per_wave)]
    waves = []
    for number, group in enumerate(groups, start=1):
        waves.append(
            Wave(
                wave_number=number,
                name="Pilot" if number == 1 else f"Wave {number}",
                is_pilot=number == 1,
                applications=[
                    WaveAssignment(
                        application_id=a.application_id,
                        name=a.name,
                        six_r_strategy=a.six_r_strategy,
                        complexity=a.complexity,
                        business_criticality=a.business_criticality,
                        effort_hours=a.effort,
                        rationale=(
                            "low complexity, pilot candidate"
                            if number == 1
                            else f"fits wave capacity; {a.business_criticality.value} criticality"
                        ),
                        confidence=0.9,
                    )
                    for a in group
                ],
            )
        )
    not_migrated = [
        NotMigrated(
            application_id=a.application_id,
            name=a.name,
            six_r_strategy=a.six_r_strategy,
            reason=f"{a.six_r_strategy.value}: not migrated",
        )
        for a in apps
        if not a.migrated
    ]
    return waves, not_migrated


def _schedule(waves: list[Wave], config: PlanningConfig) -> list[Activity]:
    """Five chained activities per wave; a wave plans once the previous wave has migrated."""
    daily = config.weekly_team_capacity_hours / config.working_days_per_week
    rows: list[tuple[str, int, str, str, int, int, list[str], dict[str, float]]] = []
    previous_migrate_end = -1
    for wave in waves:
        effort = wave.total_effort_hours
        day = previous_migrate_end + 1
        prev = f"W{wave.wave_number - 1}-migrate" if wave.wave_number > 1 else None
        for kind, label, share in STAGES:
            length = 1 if kind == "cutover" else max(3, math.ceil(effort * share / daily))
            act_id = f"W{wave.wave_number}-{kind}"
            preds = [prev] if prev else []
            role_hours: dict[str, float] = {}
            for app in wave.applications:
                for role, part in ROLE_SPLIT[app.six_r_strategy].items():
                    role_hours[role] = round(role_hours.get(role, 0.0) + app.effort_hours * part * share, 1)
            rows.append(
                (
                    act_id,
                    wave.wave_number,
                    f"{label} (wave {wave.wave_number})",
                    kind,
                    day,
                    day + length - 1,
                    preds,
                    role_hours,
                )
            )
            if kind == "migrate":
                previous_migrate_end = day + length - 1
            prev = act_id
            day += length
    return _cpm(rows, config)


def _cpm(
    rows: list[tuple[str, int, str, str, int, int, list[str], dict[str, float]]], config: PlanningConfig
) -> list[Activity]:
    finish = max(r[5] for r in rows)
    latest_finish: dict[str, int] = {r[0]: finish for r in rows}
    successors: dict[str, list[str]] = {}
    for r in rows:
        for p in r[6]:
            successors.setdefault(p, []).append(r[0])
    by_id = {r[0]: r for r in rows}
    for r in reversed(rows):
        for s in successors.get(r[0], []):
            latest_finish[r[0]] = min(latest_finish[r[0]], latest_finish[s] - (by_id[s][5] - by_id[s][4] + 1))
    start = config.migration_start_date
    activities = []
    for act_id, wave, name, kind, s, e, preds, role_hours in rows:
        duration = e - s + 1
        latest_start = latest_finish[act_id] - duration + 1
        slack = latest_start - s
        activities.append(
            Activity(
                id=act_id,
                wave_number=wave,
                name=name,
                kind=kind,
                start=add_working_days(start, s),
                end=add_working_days(start, e),
                duration_days=duration,
                predecessors=preds,
                role_hours=role_hours,
                earliest_start=add_working_days(start, s),
                latest_start=add_working_days(start, latest_start),
                slack_days=slack,
                critical=slack == 0,
            )
        )
    return activities


def synthetic_plan(n_apps: int, *, seed: int = 7) -> PlanDocument:
    """A consistent, completed plan of n applications, built without the engines."""
    rng = random.Random(seed)
    config = PlanningConfig(holidays=[date(2027, 5, 31)])
    apps = _applications(n_apps, rng)
    deps = [
        Dependency(
            source_application_id=apps[i].application_id,
            target_application_id=apps[i + 1].application_id,
            dependency_type=DependencyType.PRECEDES,
        )
        for i in range(0, n_apps - 1, 7)
    ]
    waves, not_migrated = _waves(apps, config.max_apps_per_wave)
    activities = _schedule(waves, config)
    windows = [
        WaveWindow(
            wave_number=w.wave_number,
            start=min(a.start for a in activities if a.wave_number == w.wave_number),
            end=max(a.end for a in activities if a.wave_number == w.wave_number),
        )
        for w in waves
    ]
    start, end = activities[0].start, max(a.end for a in activities)
    milestones = []
    for act in activities:
        if act.kind in ("plan", "cutover", "hypercare"):
            kind = {"plan": "gate_review", "cutover": "cutover", "hypercare": "go_live"}[act.kind]
            milestones.append(
                Milestone(
                    id=f"M-{act.id}",
                    name=f"Wave {act.wave_number} {kind.replace('_', ' ')}",
                    date=act.end,
                    wave_number=act.wave_number,
                    kind=kind,
                )
            )
    milestones.append(Milestone(id="M-complete", name="Migration complete", date=end, kind="completion"))
    timeline = Timeline(
        start_date=start,
        end_date=end,
        total_working_days=max((a.end - start).days for a in activities) * 5 // 7 + 1,
        total_duration_days=(end - start).days + 1,
        waves=windows,
        activities=activities,
        milestones=milestones,
        critical_path=[a.id for a in activities if a.critical],
        resource_load=[
            ResourceLoad(role="migration_engineer", week_start=start, hours=120.0, capacity_hours=160.0)
        ],
    )
    allocation = _allocation(waves, windows, config)
    wave_plan = WavePlan(
        waves=waves,
        not_migrated=not_migrated,
        summary=WavePlanSummary(
            total_waves=len(waves),
            total_applications=n_apps,
            migrated_applications=sum(len(w.applications) for w in waves),
            not_migrated_applications=len(not_migrated),
            total_effort_hours=round(sum(w.total_effort_hours for w in waves), 1),
            effort_capacity_hours=config.wave_effort_capacity_hours,
            max_apps_per_wave=config.max_apps_per_wave,
        ),
        lower_bound=math.ceil(sum(len(w.applications) for w in waves) / config.max_apps_per_wave),
        lower_bound_kind="capacity",
        solver={"engine": "synthetic"},
    )
    wave_plan.gap = wave_plan.summary.total_waves - wave_plan.lower_bound
    costs = _costs(waves, allocation, apps, config)
    synthesis = Synthesis(
        executive_summary=ExecutiveSummary(
            total_applications=n_apps,
            migrated_applications=wave_plan.summary.migrated_applications,
            not_migrated_applications=len(not_migrated),
            total_waves=len(waves),
            start_date=start,
            end_date=end,
            total_duration_days=timeline.total_duration_days,
            total_cost=costs.total,
            total_effort_hours=wave_plan.summary.total_effort_hours,
            skill_gaps_identified=len(allocation.skill_gaps),
            critical_path=timeline.critical_path,
            lower_bound_waves=wave_plan.lower_bound,
            wave_gap=wave_plan.gap,
        ),
        risks=[
            Finding(
                title="Over-allocated roles",
                detail="Developers exceed capacity in several waves.",
                severity="high",
                metric="3 waves",
            )
        ],
        recommendations=[
            Finding(
                title="Contract mainframe skills", detail="No pool covers mainframe work.", severity="medium"
            )
        ],
        narrative="The plan migrates the portfolio in sequential waves after a low-risk pilot.",
    )
    return PlanDocument(
        planning_flow_id=f"bench-{n_apps}",
        name=f"Benchmark plan ({n_apps} applications)",
        client_account_id=1,
        engagement_id=1,
        client_account_name="Contoso Ltd",
        engagement_name="Data-centre exit 2027",
        revision=3,
        current_phase=Phase.COMPLETED,
        phase_status=PhaseStatus.COMPLETED,
        phase_statuses={p: PhaseStatus.COMPLETED for p in Phase},
        planning_config=config,
        selected_applications=[a.application_id for a in apps],
        applications=apps,
        dependencies=deps,
        wave_plan=wave_plan,
        resource_allocation=allocation,
        timeline=timeline,
        cost_estimation=costs,
        synthesis=synthesis,
        agent_execution_log=[
            AgentRun(
                agent="WavePlanningSpecialist",
                phase=Phase.WAVE_PLANNING,
                started_at=TODAY,
                outcome="skipped",
                narrative="No LLM configured.",
            )
        ],
        created_at=TODAY,
        updated_at=TODAY,
        planning_completed_at=TODAY,
    )


def _allocation(waves: list[Wave], windows: list[WaveWindow], config: PlanningConfig) -> ResourceAllocation:
    pools = {p.role: p for p in config.resource_pools}
    allocations, app_hours = [], []
    for wave, window in zip(waves, windows, strict=True):
        weeks = max(((window.end - window.start).days + 1) / 7, 1)
        per_role: dict[str, float] = {}
        for app in wave.applications:
            for role, part in ROLE_SPLIT[app.six_r_strategy].items():
                hours = round(app.effort_hours * part, 1)
                per_role[role] = per_role.get(role, 0.0) + hours
                app_hours.append(
                    ApplicationRoleHours(
                        application_id=app.application_id,
                        wave_number=wave.wave_number,
                        role=role,
                        hours=hours,
                    )
                )
        for role, hours in per_role.items():
            capacity = round(pools[role].weekly_capacity_hours * weeks, 1)
            util = round(100 * hours / capacity, 1)
            allocations.append(
                Allocation(
                    wave_number=wave.wave_number,
                    role=role,
                    hours=round(hours, 1),
                    capacity_hours=capacity,
                    utilisation_pct=util,
                    over_allocated=util > 100,
                )
            )
    gaps = [
        SkillGap(
            skill="mainframe",
            application_ids=["APP-0001", "APP-0002"],
            recommendation="contract: no pool covers mainframe",
            severity="high",
        )
    ]
    return ResourceAllocation(
        allocations=allocations,
        application_hours=app_hours,
        skill_gaps=gaps,
        total_hours=round(sum(a.hours for a in allocations), 1),
    )


def _costs(
    waves: list[Wave], allocation: ResourceAllocation, apps: list[Application], config: PlanningConfig
) -> CostEstimate:
    pools = {p.role: p for p in config.resource_pools}
    data = {a.application_id: a for a in apps}
    by_wave = []
    for wave in waves:
        labour = sum(
            (
                to_money(Decimal(str(a.hours)) * pools[a.role].hourly_rate)
                for a in allocation.allocations
                if a.wave_number == wave.wave_number
            ),
            Decimal("0"),
        )
        transfer = to_money(
            sum(Decimal(str(data[x.application_id].data_size_gb)) for x in wave.applications)
            * config.cost_inputs.data_transfer_cost_per_gb
        )
        dual = to_money(
            sum(data[x.application_id].server_count for x in wave.applications)
            * config.cost_inputs.dual_running_cost_per_server_per_month
        )
        by_wave.append(
            WaveCost(
                wave_number=wave.wave_number,
                labour=labour,
                one_off=Decimal("0"),
                dual_running=dual,
                data_transfer=transfer,
                total=labour + dual + transfer,
            )
        )
    by_role = []
    for role, pool in pools.items():
        hours = round(sum(a.hours for a in allocation.allocations if a.role == role), 1)
        amount = sum(
            (
                to_money(Decimal(str(a.hours)) * pool.hourly_rate)
                for a in allocation.allocations
                if a.role == role
            ),
            Decimal("0"),
        )
        by_role.append(RoleCost(role=role, hours=hours, hourly_rate=pool.hourly_rate, amount=amount))
    labour = sum((w.labour for w in by_wave), Decimal("0"))
    transfer = sum((w.data_transfer for w in by_wave), Decimal("0"))
    dual = sum((w.dual_running for w in by_wave), Decimal("0"))
    one_off = Decimal("45000.00")
    subtotal = labour + transfer + dual + one_off
    contingency = to_money(subtotal * Decimal(str(config.contingency_percentage)) / 100)
    return CostEstimate(
        labour_total=labour,
        one_off_total=one_off,
        data_transfer_total=transfer,
        dual_running_total=dual,
        subtotal=subtotal,
        contingency_percentage=config.contingency_percentage,
        contingency=contingency,
        total=subtotal + contingency,
        by_wave=by_wave,
        by_role=by_role,
        by_category=[
            CategoryCost(category="labour", amount=labour),
            CategoryCost(category="one_off:tooling", amount=one_off),
            CategoryCost(category="data_transfer", amount=transfer),
            CategoryCost(category="dual_running", amount=dual),
        ],
        p50_total=subtotal + contingency,
        p80_total=to_money((subtotal + contingency) * Decimal("1.12")),
    )


def engine_plan(n_apps: int, *, seed: int = 7) -> PlanDocument | None:
    """A completed plan of a demo portfolio from the phase engines; None when they are not importable."""
    try:
        from planning_core.costs.engine import estimate_costs
        from planning_core.demo import demo_planning_config, generate_portfolio
        from planning_core.resources.engine import allocate_resources
        from planning_core.schedule.engine import build_timeline
        from planning_core.synthesis.engine import synthesize
        from planning_core.waves.engine import plan_waves
    except ImportError:
        return None
    portfolio = generate_portfolio(apps=n_apps, seed=seed)
    config = demo_planning_config(today=TODAY.date())
    waves = plan_waves(portfolio, config, time_limit_s=10)
    allocation = allocate_resources(portfolio, waves, config)
    timeline = build_timeline(portfolio, waves, allocation, config)
    costs = estimate_costs(portfolio, waves, allocation, timeline, config)
    synthesis = synthesize(portfolio, waves, allocation, timeline, costs, config)
    return PlanDocument(
        planning_flow_id=f"demo-{n_apps}",
        name=f"Demo migration plan ({n_apps} applications)",
        client_account_id=1,
        engagement_id=1,
        client_account_name="Contoso Ltd",
        engagement_name="Data-centre exit",
        revision=1,
        current_phase=Phase.COMPLETED,
        phase_status=PhaseStatus.COMPLETED,
        phase_statuses={p: PhaseStatus.COMPLETED for p in Phase},
        planning_config=config,
        selected_applications=[a.application_id for a in portfolio.applications],
        applications=portfolio.applications,
        dependencies=portfolio.dependencies,
        wave_plan=waves,
        resource_allocation=allocation,
        timeline=timeline,
        cost_estimation=costs,
        synthesis=synthesis,
        created_at=TODAY,
        updated_at=TODAY,
        planning_completed_at=TODAY,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one result line."""
    from planning_core.export import write_all
    from planning_core.export.pdf import build_pdf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="also write every export to this folder")
    parser.add_argument("--synthetic", action="store_true", help="skip the engines; synthesise the plan")
    args = parser.parse_args(argv)
    plan = None if args.synthetic else engine_plan(args.apps, seed=args.seed)
    source = "engines"
    if plan is None:
        plan, source = synthetic_plan(args.apps, seed=args.seed), "synthetic"
    started, cpu_started = time.perf_counter(), time.process_time()
    pdf, pages = build_pdf(plan)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if args.out is not None:
        write_all(plan, args.out)
    print(
        f"report apps={args.apps} pdf_seconds={seconds:.2f} pages={pages} "
        f"cpu_seconds={cpu:.2f} bytes={len(pdf)} plan={source}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
