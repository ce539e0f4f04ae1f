"""Smoke run of the PSPLIB benchmark on two j30 instances (read from ../shared, never copied into the repo)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks.psplib import main, parse_sm, parse_solutions
from planning_core.engines.schedule.rcpsp import check_schedule, solve_rcpsp

PSPLIB = Path(os.environ.get("PSPLIB_DIR", Path(__file__).resolve().parents[4] / "shared/benchmarks/psplib"))
needs_data = pytest.mark.skipif(not (PSPLIB / "j30").is_dir(), reason=f"PSPLIB data not found at {PSPLIB}")


@needs_data
def test_parse_sm_reads_the_first_instance() -> None:
    problem = parse_sm((PSPLIB / "j30" / "j301_1.sm").read_text())
    assert (len(problem.durations), list(problem.capacities)) == (32, [12, 13, 4, 12])
    assert (problem.durations[:4], list(problem.demands[2]), len(problem.links)) == (
        [0, 8, 4, 6],
        [10, 0, 0, 0],
        48,
    )
    assert problem.links[:3] == [(0, 1, 0), (0, 2, 0), (0, 3, 0)]


@needs_data
def test_parse_solutions_reads_the_optima() -> None:
    refs = parse_solutions((PSPLIB / "solutions" / "j30opt.sm").read_text(errors="replace"))
    assert (len(refs), refs[(1, 1)], refs[(48, 10)]) == (480, 43, 54)


@needs_data
def test_benchmark_on_two_instances(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("j301_1.sm", "j301_2.sm"):
        shutil.copy(PSPLIB / "j30" / name, tmp_path / name)  # a temporary folder, outside the repo
    code = main(
        [
            "--instances",
            str(tmp_path),
            "--solutions",
            str(PSPLIB / "solutions" / "j30opt.sm"),
            "--time-limit",
            "2",
            "--workers",
            "1",
        ]
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert code == 0
    assert last.startswith("psplib instances=2 optimal=2 avg_gap_best_known_pct=0.000 avg_dev_cpm_pct=")


@needs_data
def test_solution_of_a_real_instance_is_feasible() -> None:
    problem = parse_sm((PSPLIB / "j30" / "j301_2.sm").read_text())
    solution = solve_rcpsp(problem, time_limit_seconds=2, num_workers=1)
    assert check_schedule(problem, solution.starts) == []
    assert (solution.makespan, solution.status) == (47, "optimal")


@needs_data
def test_benchmark_with_the_cp_sat_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("j301_1.sm", "j301_2.sm"):
        shutil.copy(PSPLIB / "j30" / name, tmp_path / name)
    code = main(
        [
            "--instances",
            str(tmp_path),
            "--solutions",
            str(PSPLIB / "solutions" / "j30opt.sm"),
            "--time-limit",
            "1",
            "--workers",
            "1",
            "--baseline",
            "cpsat",
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith("j301_1.sm makespan=43 ref=43 ") and lines[0].endswith(" baseline=43*")
    assert lines[-1].startswith("psplib instances=2 optimal=2 avg_gap_best_known_pct=0.000 avg_dev_cpm_pct=")
    assert lines[-1].endswith(" baseline_gap_pct=0.000 baseline_optimal=2")
