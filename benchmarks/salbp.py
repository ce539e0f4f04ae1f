"""SALBP-1 benchmark of the wave planner (Scholl 1993 `.IN2`, Otto et al. 2013 `.alb`).

    python -m benchmarks.salbp --instances DIR --optima CSV --time-limit S [--sample K] [--only NAME]
        [--baseline cpsat]

Each task becomes an application (effort = task time), each precedence a `precedes` dependency, the
cycle time the effort cap per wave; no app-count limit, no pilot. Prints one line per instance that
misses its optimum, then `salbp instances=<n> matched_optimum=<k> extra_waves=<e> seconds=<t>`.
With `--baseline cpsat` each instance is also solved by a plain CP-SAT model (station binaries, one
capacity row per station, precedence as station order; minimise the stations used) under the same
time limit, and the last line ends with `baseline_gap_pct=<x> baseline_matched=<k>`: the planner's
waves over the baseline's, in percent above it (negative: fewer waves), and how many instances the
baseline solved to the optimum.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from planning_core.domain import Application, Dependency, PlanningConfig, Portfolio
from planning_core.engines.waves.constraints import hard_violations
from planning_core.engines.waves.engine import plan_waves
from planning_core.engines.waves.greedy import best_greedy
from planning_core.engines.waves.units import build_problem

MAX_APPS = 10_000


@dataclass
class Instance:
    name: str
    times: list[int]
    arcs: list[tuple[int, int]]
    cycle_time: int
    optimum: int | None


def read_in2(path: Path) -> tuple[list[int], list[tuple[int, int]]]:
    """Task times and direct precedences of a Scholl `.IN2` file (stops at the `-1,-1` end mark)."""
    lines = [ln.strip().strip("\x1a") for ln in path.read_bytes().decode("latin-1").splitlines()]
    lines = [ln for ln in lines if ln]
    n = int(lines[0])
    times = [int(lines[1 + i]) for i in range(n)]
    arcs = []
    for ln in lines[1 + n :]:
        a, b = (int(x) for x in ln.split(",")[:2])
        if a == -1 and b == -1:
            break
        arcs.append((a, b))
    return times, arcs


def read_alb(path: Path) -> tuple[list[int], list[tuple[int, int]], int]:
    """Task times, precedences and cycle time of an Otto `.alb` file."""
    section = ""
    times: dict[int, int] = {}
    arcs: list[tuple[int, int]] = []
    cycle = 0
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("<"):
            section = line
            continue
        if section == "<cycle time>":
            cycle = int(line)
        elif section == "<task times>":
            task, value = line.split()
            times[int(task)] = int(value)
        elif section == "<precedence relations>":
            a, b = line.split(",")
            arcs.append((int(a), int(b)))
    return [times[i] for i in sorted(times)], arcs, cycle


def load(instances: Path, optima: Path) -> list[Instance]:
    """Every instance listed in the optima table."""
    out: list[Instance] = []
    with optima.open(newline="") as fh:
        for row in csv.DictReader(fh):
            known = row.get("optimum_known", "1").strip() in ("1", "")
            best = row.get("m_star") if known else row.get("m_ub")  # open case: the best known plan
            optimum = int(best) if best else None
            if "graph_file" in row:
                times, arcs = read_in2(instances / row["graph_file"])
                cycle = int(row["cycle_time"])
                name = f"{row['graph_file']}@{cycle}"
            else:
                times, arcs, cycle = read_alb(instances / f"{row['instance']}.alb")
                cycle = int(row.get("cycle_time") or cycle)
                name = row["instance"]
            out.append(Instance(name, times, arcs, cycle, optimum))
    return out


def to_portfolio(instance: Instance) -> Portfolio:
    """Tasks as applications, precedences as `precedes` dependencies."""
    apps = [
        Application(application_id=f"T{i}", name=f"T{i}", effort_hours=t)
        for i, t in enumerate(instance.times, 1)
    ]
    deps = [
        Dependency(source_application_id=f"T{a}", target_application_id=f"T{b}") for a, b in instance.arcs
    ]
    return Portfolio(applications=apps, dependencies=deps)


def sample(items: list[Instance], k: int | None) -> list[Instance]:
    """k instances spread evenly over the list (all when k is None)."""
    if k is None or k >= len(items):
        return items
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def cpsat_baseline(instance: Instance, time_limit: float, upper: int) -> int:
    """Stations of a plain CP-SAT model: x[i, k] binaries, capacity per station, precedence as
    station(i) <= station(j), minimise the stations used; `upper` stations are offered (a priority
    rule's count). Returns the best count found (`upper` when none within the time limit)."""
    from ortools.sat.python import cp_model

    n = len(instance.times)
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{k}") for k in range(upper)] for i in range(n)]
    used = [model.new_bool_var(f"y{k}") for k in range(upper)]
    station = []
    for i in range(n):
        model.add_exactly_one(x[i])
        s = model.new_int_var(0, upper - 1, f"s{i}")
        model.add(s == sum(k * x[i][k] for k in range(upper)))
        station.append(s)
    for k in range(upper):
        model.add(sum(instance.times[i] * x[i][k] for i in range(n)) <= instance.cycle_time * used[k])
        if k:
            model.add_implication(used[k], used[k - 1])
    for a, b in instance.arcs:
        model.add(station[a - 1] <= station[b - 1])
    model.minimize(sum(used))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(round(solver.objective_value))
    return upper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True)
    parser.add_argument("--optima", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--only", default=None, help="only instances whose name contains this text")
    parser.add_argument("--baseline", choices=["cpsat"], default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    items = load(args.instances, args.optima)
    if args.only:
        items = [inst for inst in items if args.only in inst.name]
    chosen = sample(items, args.sample)
    matched = extra = 0
    base_matched = 0
    ours_total = base_total = 0
    base_seconds = 0.0  # not counted in `seconds`: the planner's time only
    started = time.perf_counter()
    slowest = 0.0
    for inst in chosen:
        portfolio = to_portfolio(inst)
        config = PlanningConfig(
            max_apps_per_wave=MAX_APPS,
            max_effort_hours_per_wave=inst.cycle_time,
            pilot_wave=False,
            solver_time_limit_seconds=min(max(args.time_limit, 0.01), 600),
        )
        t0 = time.perf_counter()
        plan = plan_waves(portfolio, config, time_limit_s=args.time_limit)
        seconds = time.perf_counter() - t0
        slowest = max(slowest, seconds)
        waves = plan.summary.total_waves
        bad = hard_violations(plan, portfolio, config)
        target = inst.optimum if inst.optimum is not None else plan.lower_bound
        if bad:
            print(f"INVALID {inst.name}: {bad[0].message}", file=sys.stderr)
        if waves <= target and not bad:
            matched += 1
        else:
            extra += max(waves - target, 0)
        base = ""
        if args.baseline == "cpsat":
            rule = best_greedy(build_problem(portfolio, config))
            upper = max(rule[0], default=1) if rule is not None else len(inst.times)
            b0 = time.perf_counter()
            base_waves = cpsat_baseline(inst, args.time_limit, max(upper, 1))
            base_seconds += time.perf_counter() - b0
            base_matched += base_waves <= target
            ours_total += waves
            base_total += base_waves
            base = f" baseline={base_waves}"
        if args.verbose or waves > target:
            print(
                f"{inst.name} n={len(inst.times)} waves={waves} optimum={inst.optimum} "
                f"lb={plan.lower_bound}({plan.lower_bound_kind}) status={plan.solver.get('status')} "
                f"seconds={seconds:.2f}{base}"
            )
    total = time.perf_counter() - started - base_seconds
    print(f"max_seconds_per_instance={slowest:.2f}")
    line = f"salbp instances={len(chosen)} matched_optimum={matched} extra_waves={extra} seconds={total:.1f}"
    if args.baseline == "cpsat":
        gap = 100.0 * (ours_total - base_total) / base_total if base_total else 0.0
        line += f" baseline_gap_pct={gap:.2f} baseline_matched={base_matched}"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
