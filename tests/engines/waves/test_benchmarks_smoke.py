"""Smoke runs of the wave benchmarks on tiny inputs written here (the real data stays in ../shared)."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks import portfolio as portfolio_bench
from benchmarks import salbp

JACKSON_IN2 = (
    "11\r\n6\r\n2\r\n5\r\n7\r\n1\r\n2\r\n3\r\n6\r\n5\r\n5\r\n4\r\n"
    + "".join(
        f"{a},{b}\r\n"
        for a, b in [
            (1, 2),
            (1, 3),
            (1, 4),
            (1, 5),
            (2, 6),
            (3, 7),
            (4, 7),
            (5, 7),
            (6, 8),
            (7, 9),
            (8, 10),
            (9, 11),
            (10, 11),
        ]
    )
    + "-1,-1\r\n\x1a"
)

TINY_ALB = """<number of tasks>
4

<cycle time>
10

<order strength>
0,5

<task times>
1 6
2 4
3 7
4 3

<precedence relations>
1,2
1,3
3,4

<end>
"""


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_salbp_smoke_scholl_and_otto(tmp_path: Path, capsys):
    (tmp_path / "JACKSON.IN2").write_bytes(JACKSON_IN2.encode("latin-1"))
    (tmp_path / "tiny.alb").write_text(TINY_ALB)
    scholl = tmp_path / "scholl.csv"
    scholl.write_text(
        "graph_file,graph_name,n,cycle_time,m_star,optimum_known\n"
        "JACKSON.IN2,Jackson,11,7,8,1\nJACKSON.IN2,Jackson,11,10,5,1\n"
    )
    otto = tmp_path / "otto.csv"
    otto.write_text("instance,n,cycle_time,m_star,optimum_known\ntiny,4,10,2,1\n")
    salbp.main(["--instances", str(tmp_path), "--optima", str(scholl), "--time-limit", "5"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    got = fields(last)
    assert last.startswith("salbp ")
    assert {k: got[k] for k in ("instances", "matched_optimum", "extra_waves")} == {
        "instances": "2",
        "matched_optimum": "2",
        "extra_waves": "0",
    }
    salbp.main(["--instances", str(tmp_path), "--optima", str(otto), "--time-limit", "5"])
    got = fields(capsys.readouterr().out.strip().splitlines()[-1])
    assert (got["instances"], got["matched_optimum"], got["extra_waves"]) == ("1", "1", "0")


def test_salbp_reader_stops_at_the_end_mark(tmp_path: Path):
    path = tmp_path / "J.IN2"
    path.write_bytes((JACKSON_IN2 + "1,11\r\nfree text\r\n").encode("latin-1"))
    times, arcs = salbp.read_in2(path)
    assert times == [6, 2, 5, 7, 1, 2, 3, 6, 5, 5, 4]
    assert len(arcs) == 13 and arcs[-1] == (10, 11)


def test_portfolio_smoke(capsys):
    portfolio_bench.main(["--apps", "60", "--dependencies", "90", "--seed", "1", "--time-limit", "2"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    got = fields(last)
    assert last.startswith("portfolio apps=60 ")
    assert got["hard_violations"] == "0"
    assert int(got["lower_bound"]) <= int(got["waves"]) <= int(got["greedy_waves"]) + 1  # +1: a pilot wave
    assert int(got["chunk_waves"]) >= 1
