"""PSPLIB single-mode RCPSP benchmark for the scheduler.

    python -m benchmarks.psplib --instances DIR --solutions FILE --time-limit S [--sample K]
        [--baseline cpsat]

Reads every ``*.sm`` instance of DIR (or a deterministic sample of K of them), solves it with
``planning_core.engines.schedule.rcpsp.solve_rcpsp`` and compares with the reference makespans of FILE
(``j30opt.sm``: proven optima; ``*hrs.sm``: best known). Last line:

    psplib instances=<n> optimal=<k> avg_gap_best_known_pct=<x> avg_dev_cpm_pct=<y> seconds=<t>

``optimal`` counts instances whose makespan is proven optimal by the solver (CP-SAT's bound, or a lower
bound met) OR equals the reference when the reference list is a list of proven optima (``*opt.sm``);
``proven=`` on the last-but-one line gives the solver-proven count alone.

With ``--baseline cpsat`` each instance is also solved by a plain CP-SAT model (one interval per
activity, one cumulative per resource, precedence, minimise the makespan; no hint, no redundant
constraints) with the same time limit and workers, and the last line ends with
``baseline_gap_pct=<x> baseline_optimal=<k>``: the scheduler's makespans summed over the baseline's, in
percent above it (negative: shorter), and how many instances the baseline proved optimal. ``seconds``
counts the scheduler's time only.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from ortools.sat.python import cp_model

from planning_core.engines.schedule.rcpsp import RcpspProblem, check_schedule, solve_rcpsp


def parse_sm(text: str) -> RcpspProblem:
    """An RCPSP from the text of a PSPLIB single-mode ``.sm`` file."""
    lines = text.splitlines()
    match = re.search(r"jobs \(incl\. supersource/sink \)\s*:\s*(\d+)", text)
    if match is None:
        raise ValueError("not a PSPLIB .sm file: no 'jobs (incl. supersource/sink )' line")
    n_jobs = int(match.group(1))
    i = next(k for k, line in enumerate(lines) if line.startswith("PRECEDENCE RELATIONS"))
    links: list[tuple[int, int, int]] = []
    for line in lines[i + 2 : i + 2 + n_jobs]:
        parts = [int(x) for x in line.split()]
        job, count = parts[0], parts[2]
        links.extend((job - 1, s - 1, 0) for s in parts[3 : 3 + count])
    i = next(k for k, line in enumerate(lines) if line.startswith("REQUESTS/DURATIONS"))
    durations: list[int] = []
    demands: list[list[int]] = []
    for line in lines[i + 3 : i + 3 + n_jobs]:
        parts = [int(x) for x in line.split()]
        durations.append(parts[2])
        demands.append(parts[3:])
    i = next(k for k, line in enumerate(lines) if line.startswith("RESOURCEAVAILABILITIES"))
    capacities = [int(x) for x in lines[i + 2].split()]
    return RcpspProblem(durations=durations, demands=demands, capacities=capacities, links=links)


def parse_solutions(text: str) -> dict[tuple[int, int], int]:
    """(parameter, instance) -> reference makespan, from a ``*opt.sm`` or ``*hrs.sm`` list."""
    refs: dict[tuple[int, int], int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit():
            refs[(int(parts[0]), int(parts[1]))] = int(parts[2])
    return refs


def _key_for(path: Path, set_size: str) -> tuple[int, int]:
    """(parameter, instance) given the set size prefix (``30`` in ``j3012_7``)."""
    stem = path.stem[1 + len(set_size) :]
    par, inst = stem.split("_")
    return int(par), int(inst)


def sample_paths(paths: list[Path], k: int | None) -> list[Path]:
    """Every instance, or K spread evenly over the sorted list (deterministic)."""
    if k is None or k >= len(paths):
        return paths
    step = len(paths) / k
    return [paths[int(i * step)] for i in range(k)]


def cpsat_baseline(problem: RcpspProblem, time_limit: float, workers: int, seed: int) -> tuple[int, bool]:
    """(makespan, proven optimal) of a plain CP-SAT model (see the module docstring); the sum of the
    durations (a serial schedule) when it finds nothing within the time limit."""
    n = len(problem.durations)
    horizon = sum(problem.durations)
    model = cp_model.CpModel()
    starts = [model.new_int_var(0, horizon, f"s{j}") for j in range(n)]
    intervals = [
        model.new_fixed_size_interval_var(starts[j], problem.durations[j], f"i{j}") for j in range(n)
    ]
    for pred, succ, lag in problem.links:
        model.add(starts[succ] >= starts[pred] + problem.durations[pred] + lag)
    for k, cap in enumerate(problem.capacities):
        users = [j for j in range(n) if problem.demands[j][k] > 0 and problem.durations[j] > 0]
        model.add_cumulative([intervals[j] for j in users], [problem.demands[j][k] for j in users], cap)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, [starts[j] + problem.durations[j] for j in range(n)])
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(round(solver.objective_value)), status == cp_model.OPTIMAL
    return horizon, False


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one line per instance and the summary line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.psplib", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", required=True, type=Path)
    parser.add_argument("--solutions", required=True, type=Path)
    parser.add_argument("--time-limit", required=True, type=float)
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=0, help="children of the genetic heuristic")
    parser.add_argument(
        "--heuristic-share",
        type=float,
        default=0.2,
        help="share of the time limit for the heuristic before CP-SAT",
    )
    parser.add_argument(
        "--delay-share",
        type=float,
        default=0.0,
        help="share of the time limit for bounding resource-forced delays between activities",
    )
    parser.add_argument(
        "--baseline", choices=["cpsat"], default=None, help="also solve with a plain CP-SAT model"
    )
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument(
        "--cp-sat-param", action="append", default=[], metavar="NAME=VALUE", help="extra CP-SAT parameter"
    )
    args = parser.parse_args(argv)
    refs = parse_solutions(args.solutions.read_text(errors="replace"))
    proven_reference = "opt" in args.solutions.name
    paths = sorted(args.instances.glob("*.sm"), key=lambda p: _natural(p.name))
    if not paths:
        print(f"no .sm files in {args.instances}", file=sys.stderr)
        return 2
    size = _set_size(paths)
    chosen = sample_paths(paths, args.sample)
    total_start = time.perf_counter()
    optimal = proven = 0
    gaps: list[float] = []
    devs: list[float] = []
    ours_total = base_total = base_optimal = 0
    base_seconds = 0.0  # not counted in `seconds`: the scheduler's time only
    for path in chosen:
        problem = parse_sm(path.read_text())
        t0 = time.perf_counter()
        solution = solve_rcpsp(
            problem,
            time_limit_seconds=args.time_limit,
            num_workers=args.workers,
            seed=args.seed,
            samples=args.samples,
            heuristic_share=args.heuristic_share,
            delay_share=args.delay_share,
            cp_sat_parameters=_cp_sat_parameters(args.cp_sat_param),
            deterministic=False,
        )
        elapsed = time.perf_counter() - t0
        errors = check_schedule(problem, solution.starts)
        if errors:
            print(f"{path.name} INFEASIBLE: {errors[0]}", file=sys.stderr)
            return 1
        ref = refs.get(_key_for(path, size))
        is_proven = solution.status == "optimal"
        proven += is_proven
        optimal += is_proven or (proven_reference and ref is not None and solution.makespan == ref)
        if ref:
            gaps.append(100.0 * (solution.makespan - ref) / ref)
        devs.append(100.0 * (solution.makespan - solution.cpm_lower_bound) / max(solution.cpm_lower_bound, 1))
        base = ""
        if args.baseline == "cpsat":
            b0 = time.perf_counter()
            base_makespan, base_proven = cpsat_baseline(problem, args.time_limit, args.workers, args.seed)
            base_seconds += time.perf_counter() - b0
            ours_total += solution.makespan
            base_total += base_makespan
            base_optimal += base_proven
            base = f" baseline={base_makespan}{'*' if base_proven else ''}"
        if not args.quiet:
            print(
                f"{path.name} makespan={solution.makespan} ref={ref} lb={solution.lower_bound} "
                f"heur={solution.heuristic_makespan} status={solution.status} seconds={elapsed:.2f}{base}",
                flush=True,
            )
    seconds = time.perf_counter() - total_start - base_seconds
    avg_gap = sum(gaps) / len(gaps) if gaps else float("nan")
    avg_dev = sum(devs) / len(devs) if devs else float("nan")
    print(f"proven={proven} reference={'optima' if proven_reference else 'best known'}")
    line = (
        f"psplib instances={len(chosen)} optimal={optimal} avg_gap_best_known_pct={avg_gap:.3f} "
        f"avg_dev_cpm_pct={avg_dev:.3f} seconds={seconds:.1f}"
    )
    if args.baseline == "cpsat":
        gap = 100.0 * (ours_total - base_total) / base_total if base_total else 0.0
        line += f" baseline_gap_pct={gap:.3f} baseline_optimal={base_optimal}"
    print(line)
    return 0


def _cp_sat_parameters(pairs: list[str]) -> dict[str, object]:
    """NAME=VALUE strings as CP-SAT parameters (ints, floats and true/false understood)."""
    result: dict[str, object] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        value: object = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            for kind in (int, float):
                try:
                    value = kind(raw)
                    break
                except ValueError:
                    continue
        result[name.strip()] = value
    return result


def _set_size(paths: list[Path]) -> str:
    """The set-size prefix shared by all names (``30`` for j30 files)."""
    names = [p.stem[1:] for p in paths]
    for length in (3, 2):
        prefixes = {name[:length] for name in names}
        if len(prefixes) == 1 and all(name[length:].split("_")[0].isdigit() for name in names):
            candidate = next(iter(prefixes))
            if all(name[length:].split("_")[0] for name in names):
                return candidate
    return names[0][:2]


def _natural(name: str) -> list[int | str]:
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", name)]


if __name__ == "__main__":
    raise SystemExit(main())
