"""planning_core.views: the pure view models behind the pages, with whole expected values."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest

from planning_core import views
from planning_core.domain import (
    Application,
    Criticality,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
    PlanningConfig,
    Portfolio,
    SixR,
)
from planning_core.engines.costs.models import CategoryCost, CostEstimate
from planning_core.engines.schedule.models import Activity, Milestone, Timeline, WaveWindow
from planning_core.engines.waves.models import (
    Source,
    Violation,
    Wave,
    WaveAssignment,
    WavePlan,
    WavePlanSummary,
)
from planning_core.plan import PlanDocument


def _portfolio() -> Portfolio:
    return Portfolio(
        applications=[
            Application(
                application_id="A1",
                name="Billing",
                business_unit="Finance",
                complexity=3,
                six_r_strategy=SixR.REHOST,
                business_criticality=Criticality.HIGH,
                effort_hours=100,
                required_skills=["Java", "linux"],
            ),
            Application(
                application_id="A2",
                name="Ledger",
                business_unit="Finance",
                complexity=8,
                six_r_strategy=SixR.REFACTOR,
                business_criticality=Criticality.LOW,
                effort_hours=400,
            ),
            Application(
                application_id="A3",
                name="Intranet",
                business_unit="HR",
                complexity=5,
                six_r_strategy=SixR.RETIRE,
                business_criticality=Criticality.LOW,
                effort_hours=16,
            ),
        ],
        dependencies=[
            Dependency(
                source_application_id="A1",
                target_application_id="A2",
                dependency_type=DependencyType.PRECEDES,
                weight=2,
            ),
        ],
    )


def _assignment(app_id: str, *, pinned: bool = False, source: Source = Source.OPTIMIZER) -> WaveAssignment:
    app = _portfolio().by_id()[app_id]
    return WaveAssignment(
        application_id=app_id,
        name=app.name,
        six_r_strategy=app.six_r_strategy,
        complexity=app.complexity,
        business_criticality=app.business_criticality,
        effort_hours=app.effort,
        rationale=f"why {app_id}",
        pinned=pinned,
        source=source,
    )


def _wave_plan(violations: list[Violation] | None = None) -> WavePlan:
    return WavePlan(
        waves=[
            Wave(wave_number=1, name="Pilot", applications=[_assignment("A1", pinned=True)], is_pilot=True),
            Wave(wave_number=2, applications=[_assignment("A2", source=Source.ANALYST)], locked=True),
        ],
        summary=WavePlanSummary(
            total_waves=2,
            total_applications=3,
            migrated_applications=2,
            not_migrated_applications=1,
            total_effort_hours=500.0,
            effort_capacity_hours=300.0,
            max_apps_per_wave=10,
        ),
        lower_bound=2,
        lower_bound_kind="capacity",
        gap=0,
        violations=violations or [],
    )


def _plan(**documents: object) -> PlanDocument:
    statuses = {phase: PhaseStatus.PENDING for phase in Phase}
    statuses[Phase.WAVE_PLANNING] = PhaseStatus.COMPLETED
    statuses[Phase.RESOURCE_ALLOCATION] = PhaseStatus.STALE
    statuses[Phase.TIMELINE_GENERATION] = PhaseStatus.FAILED
    return PlanDocument(
        planning_flow_id="p-1",
        name="Q3 / Finance: plan",
        client_account_id=1,
        engagement_id=1,
        current_phase=Phase.RESOURCE_ALLOCATION,
        phase_status=PhaseStatus.STALE,
        phase_statuses=statuses,
        planning_config=PlanningConfig(),
        selected_applications=["A1", "A2", "A3"],
        **documents,
    )


# --------------------------------------------------------------------------- phases and banners
def test_phase_strip_without_a_plan_is_six_pending_steps() -> None:
    steps = views.phase_strip(None)
    assert [(s.label, s.status, s.color, s.current) for s in steps] == [
        ("Wave planning", PhaseStatus.PENDING, "gray", False),
        ("Resource allocation", PhaseStatus.PENDING, "gray", False),
        ("Timeline", PhaseStatus.PENDING, "gray", False),
        ("Cost estimation", PhaseStatus.PENDING, "gray", False),
        ("Synthesis", PhaseStatus.PENDING, "gray", False),
        ("Completed", PhaseStatus.PENDING, "gray", False),
    ]


def test_phase_strip_shows_each_status_and_the_current_phase() -> None:
    steps = views.phase_strip(_plan())
    assert [(s.status, s.icon, s.current) for s in steps] == [
        (PhaseStatus.COMPLETED, ":material/check_circle:", False),
        (PhaseStatus.STALE, ":material/update:", True),
        (PhaseStatus.FAILED, ":material/error:", False),
        (PhaseStatus.PENDING, ":material/radio_button_unchecked:", False),
        (PhaseStatus.PENDING, ":material/radio_button_unchecked:", False),
        (PhaseStatus.PENDING, ":material/radio_button_unchecked:", False),
    ]
    assert views.failed_phases(_plan()) == ["Timeline"]
    assert views.failed_phases(None) == []


def test_hard_violations_are_the_stored_hard_ones_only() -> None:
    hard = Violation(
        constraint="precedence", message="A1 after A2", application_ids=["A1", "A2"], wave_numbers=[1, 2]
    )
    soft = Violation(constraint="balance", message="uneven", hard=False)
    plan = _plan(wave_plan=_wave_plan([hard, soft]))
    assert views.hard_violations(plan) == [hard]
    assert views.hard_violations(_plan(wave_plan=_wave_plan())) == []
    assert views.hard_violations(None) == []
    assert views.violations_frame([hard, soft]).to_dict("records") == [
        {
            "constraint": "precedence",
            "severity": "hard",
            "message": "A1 after A2",
            "waves": "1, 2",
            "applications": "A1, A2",
        },
        {"constraint": "balance", "severity": "soft", "message": "uneven", "waves": "", "applications": ""},
    ]


# --------------------------------------------------------------------------- portfolio
def test_portfolio_filters_combine() -> None:
    frame = views.portfolio_frame(_portfolio())
    ids = lambda f: list(views.filter_applications(frame, f)["application_id"])  # noqa: E731
    assert ids(views.PortfolioFilter()) == ["A1", "A2", "A3"]
    assert ids(views.PortfolioFilter(business_units=("Finance",))) == ["A1", "A2"]
    assert ids(views.PortfolioFilter(strategies=("refactor", "retire"))) == ["A2", "A3"]
    assert ids(views.PortfolioFilter(criticalities=("low",), complexity=(6, 10))) == ["A2"]
    assert ids(views.PortfolioFilter(text="JAVA")) == ["A1"]
    assert ids(views.PortfolioFilter(text="hr")) == ["A3"]
    assert ids(views.PortfolioFilter(text="nothing like this")) == []


def test_selection_summary_counts_and_effort() -> None:
    summary = views.selection_summary(_portfolio(), ["A1", "A3", "unknown"])
    assert summary == views.SelectionSummary(selected=2, migrated=1, not_migrated=1, effort_hours=100.0)
    assert views.selection_summary(_portfolio(), []) == views.SelectionSummary(0, 0, 0, 0.0)


def test_dependencies_frame_names_both_ends() -> None:
    frame = views.dependencies_frame(_portfolio(), ["A2"])
    assert frame.to_dict("records") == [
        {
            "source": "A1",
            "source_name": "Billing",
            "type": "precedes",
            "target": "A2",
            "target_name": "Ledger",
            "weight": 2.0,
        }
    ]
    assert views.dependencies_frame(_portfolio(), ["A3"]).empty


def test_paging() -> None:
    frame = pd.DataFrame({"n": range(250)})
    assert views.page_count(250, 100) == 3
    assert views.page_count(0, 100) == 1
    assert list(views.page_slice(frame, page=3, page_size=100)["n"]) == list(range(200, 250))
    assert list(views.page_slice(frame, page=9, page_size=100)["n"]) == list(range(200, 250))


# --------------------------------------------------------------------------- configuration form
def test_config_errors_name_the_field() -> None:
    config, errors = views.config_errors(
        {"max_apps_per_wave": 0, "wave_duration_limit_days": 20, "contingency_percentage": 101}
    )
    assert config is None
    assert errors == {
        "max_apps_per_wave": "max apps per wave must be at least 1",
        "wave_duration_limit_days": "wave duration limit must be at least 30 days",
        "contingency_percentage": "contingency percentage must be between 0 and 100",
    }


def test_config_errors_inside_tables_give_the_row() -> None:
    _, errors = views.config_errors(
        {
            "blackout_windows": [{"start": date(2027, 2, 10), "end": date(2027, 2, 1), "reason": "freeze"}],
            "resource_pools": [{"role": "dba", "headcount": -1}],
        }
    )
    assert errors == {
        "blackout_windows": "row 1: blackout window ends (2027-02-01) before it starts (2027-02-10)",
        "resource_pools": "row 1, headcount: must be at least 0",
    }
    _, errors = views.config_errors({"resource_pools": [{"role": "dba"}, {"role": "dba"}]})
    assert errors == {"resource_pools": "each resource pool role may appear only once"}


def test_config_errors_satisfied() -> None:
    config, errors = views.config_errors(
        {"max_apps_per_wave": 1, "wave_duration_limit_days": 30, "contingency_percentage": 0}
    )
    assert errors == {}
    assert (config.max_apps_per_wave, config.wave_duration_limit_days, config.contingency_percentage) == (
        1,
        30,
        0,
    )


def test_pool_rows_round_trip_and_blank_rows_are_skipped() -> None:
    frame = views.pools_frame(PlanningConfig().resource_pools[:1])
    frame.loc[1] = [None, None, None, None, None, None]
    assert views.pool_records(frame) == [
        {
            "role": "migration_engineer",
            "headcount": 4,
            "capacity_hours_per_week": 40.0,
            "hourly_rate": 110.0,
            "currency": "USD",
            "skills": ["linux", "networking", "rehost", "vmware", "windows"],
        }
    ]


def test_parse_dates() -> None:
    assert views.parse_dates("2027-12-25\n2027-01-01, 2027-12-25") == (
        [date(2027, 1, 1), date(2027, 12, 25)],
        "",
    )
    assert views.parse_dates("") == ([], "")
    assert views.parse_dates("2027-13-01") == (
        [],
        "'2027-13-01' is not a date; write dates as YYYY-MM-DD, one per line.",
    )


# --------------------------------------------------------------------------- wave board
def test_wave_cards_totals_dates_and_flags() -> None:
    violation = Violation(constraint="capacity", message="too much", wave_numbers=[2], application_ids=["A2"])
    timeline = Timeline(
        start_date=date(2027, 1, 4),
        end_date=date(2027, 3, 1),
        total_working_days=41,
        total_duration_days=57,
        waves=[WaveWindow(wave_number=1, start=date(2027, 1, 4), end=date(2027, 1, 29))],
    )
    cards = views.wave_cards(_plan(wave_plan=_wave_plan([violation]), timeline=timeline))
    assert cards == [
        views.WaveCard(
            wave_number=1,
            name="Pilot",
            applications=1,
            effort_hours=100.0,
            start=date(2027, 1, 4),
            end=date(2027, 1, 29),
            locked=False,
            is_pilot=True,
            violations=0,
            over_capacity=False,
            strategies={"rehost": 1},
            criticalities={"high": 1},
        ),
        views.WaveCard(
            wave_number=2,
            name="Wave 2",
            applications=1,
            effort_hours=400.0,
            start=None,
            end=None,
            locked=True,
            is_pilot=False,
            violations=1,
            over_capacity=True,
            strategies={"refactor": 1},
            criticalities={"low": 1},
        ),
    ]


def test_board_frame_has_wave_lock_source_and_issues() -> None:
    violation = Violation(constraint="precedence", message="x", application_ids=["A2"], wave_numbers=[2])
    frame = views.board_frame(_wave_plan([violation]))
    assert frame[["application_id", "wave", "locked", "source", "issues"]].to_dict("records") == [
        {"application_id": "A1", "wave": 1, "locked": True, "source": "optimizer", "issues": ""},
        {"application_id": "A2", "wave": 2, "locked": False, "source": "analyst", "issues": "precedence"},
    ]
    assert list(views.filter_board(frame, only_issues=True)["application_id"]) == ["A2"]
    assert list(views.filter_board(frame, waves=[1])["application_id"]) == ["A1"]
    assert list(views.filter_board(frame, text="ledg")["application_id"]) == ["A2"]


def test_board_edits_translate_positions_to_applications() -> None:
    frame = views.board_frame(_wave_plan())
    edit = views.board_edits(frame, {0: {"locked": False}, "1": {"wave": 1}, 5: {"wave": 3}})
    assert edit == views.BoardEdit(moves={"A2": 1}, locks={"A1": False})
    assert views.board_edits(frame, {1: {"wave": 2, "locked": False}}).empty


def test_flagged_applications_lists_each_constraint_once() -> None:
    plan = _wave_plan(
        [
            Violation(constraint="precedence", message="a", application_ids=["A1", "A2"]),
            Violation(constraint="max_apps", message="b", application_ids=["A2"]),
            Violation(constraint="precedence", message="c", application_ids=["A2"]),
        ]
    )
    assert views.flagged_applications(plan) == {"A1": "precedence", "A2": "precedence, max_apps"}


def test_quality_line() -> None:
    assert views.quality_line(_wave_plan()) == "2 waves; lower bound 2 (capacity); gap 0"


def test_undo_redo_stacks() -> None:
    history = views.record_edit(views.EditHistory(), planning_flow_id="p", before=3, after=5)
    history = views.record_edit(history, planning_flow_id="p", before=5, after=7)
    target, history = views.undo_target(history)
    assert (target, history) == (5, views.EditHistory("p", ((3, 5),), ((5, 7),)))
    target, history = views.redo_target(history)
    assert (target, history) == (7, views.EditHistory("p", ((3, 5), (5, 7)), ()))
    assert views.redo_target(history) == (None, history)
    # a new edit clears the redo stack; another plan starts a new history
    _, undone = views.undo_target(history)
    assert views.record_edit(undone, planning_flow_id="p", before=9, after=11) == views.EditHistory(
        "p", ((3, 5), (9, 11)), ()
    )
    assert views.record_edit(history, planning_flow_id="q", before=1, after=2) == views.EditHistory(
        "q", ((1, 2),), ()
    )
    assert views.undo_target(views.EditHistory()) == (None, views.EditHistory())


# --------------------------------------------------------------------------- timeline and costs
def _timeline() -> Timeline:
    def activity(id_: str, wave: int, kind: str, start: date, end: date, critical: bool) -> Activity:
        return Activity(
            id=id_,
            wave_number=wave,
            name=f"{kind} <b>{wave}</b>",
            kind=kind,
            start=start,
            end=end,
            duration_days=(end - start).days + 1,
            earliest_start=start,
            latest_start=start,
            slack_days=0 if critical else 2,
            critical=critical,
        )

    return Timeline(
        start_date=date(2027, 1, 4),
        end_date=date(2027, 1, 15),
        total_working_days=10,
        total_duration_days=12,
        activities=[
            activity("W1-plan", 1, "plan", date(2027, 1, 4), date(2027, 1, 5), True),
            activity("W1-migrate", 1, "migrate", date(2027, 1, 6), date(2027, 1, 8), True),
            activity("W2-plan", 2, "plan", date(2027, 1, 4), date(2027, 1, 4), False),
        ],
        milestones=[
            Milestone(id="M1", name="Go-live", date=date(2027, 1, 8), wave_number=1, kind="go_live"),
            Milestone(id="M2", name="Done", date=date(2027, 1, 15), kind="completion"),
        ],
        critical_path=["W1-plan", "W1-migrate"],
    )


def test_gantt_outlines_the_critical_path_and_escapes_names() -> None:
    fig = views.gantt_figure(
        _timeline(), today=date(2027, 1, 6), blackouts=[(date(2027, 1, 11), date(2027, 1, 12), "freeze")]
    )
    plan_bars, migrate_bars, milestones = fig.data
    assert list(plan_bars.y) == ["Wave 1", "Wave 2"]
    assert list(plan_bars.base) == ["2027-01-04", "2027-01-04"]
    assert list(plan_bars.x) == [2 * 86_400_000, 86_400_000]
    assert list(plan_bars.marker.line.width) == [3, 0]
    assert list(migrate_bars.marker.line.width) == [3]
    assert plan_bars.customdata[0][0] == "plan &lt;b&gt;1&lt;/b&gt;"
    assert list(milestones.y) == ["Wave 1", "Programme"]
    assert [(s.type, s.x0, s.x1) for s in fig.layout.shapes] == [
        ("rect", "2027-01-11", "2027-01-13"),
        ("line", "2027-01-06", "2027-01-06"),
    ]
    only_two = views.gantt_figure(_timeline(), waves=[2])
    assert [list(t.y) for t in only_two.data] == [["Wave 2"]]
    assert list(views.activities_frame(_timeline())["critical"]) == [True, True, False]


def _cost(subtotal: str, pct: float) -> CostEstimate:
    amount = Decimal(subtotal)
    contingency = (amount * Decimal(str(pct)) / 100).quantize(Decimal("0.01"))
    return CostEstimate(
        labour_total=amount,
        one_off_total=Decimal(0),
        data_transfer_total=Decimal(0),
        dual_running_total=Decimal(0),
        subtotal=amount,
        contingency_percentage=pct,
        contingency=contingency,
        total=amount + contingency,
        by_category=[CategoryCost(category="labour", amount=amount)],
    )


def test_contingency_effect_to_the_cent() -> None:
    cost = _cost("1000.05", 15)
    assert views.contingency_effect(cost, 10) == views.ContingencyEffect(
        percentage=10, subtotal=Decimal("1000.05"), contingency=Decimal("100.01"), total=Decimal("1100.06")
    )
    assert views.contingency_effect(cost, 0).total == Decimal("1000.05")
    steps = views.contingency_figure(cost, steps=(0, 10)).data[0]
    assert list(steps.x) == ["0%", "10%", "15%"]
    assert list(steps.y) == [1000.05, 1100.06, 1150.06]


def test_waterfall_ends_at_the_total() -> None:
    fig = views.cost_waterfall_figure(_cost("200", 10))
    assert list(fig.data[0].x) == ["labour", "subtotal", "contingency 10%", "total"]
    assert list(fig.data[0].y) == [200.0, 200.0, 20.0, 220.0]
    assert list(fig.data[0].measure) == ["relative", "total", "relative", "total"]


def test_money_formats() -> None:
    assert views.money(Decimal("1234567.895"), "EUR") == "EUR 1,234,567.90"
    assert views.compact_money(Decimal("5767830.61")) == "USD 5.77M"
    assert views.compact_money(752325.73) == "USD 752.3K"
    assert views.compact_money(950) == "USD 950"
    assert views.compact_money(2.5e9, "") == "2.50B"


# --------------------------------------------------------------------------- exports
def test_available_exports_and_bytes() -> None:
    module = SimpleNamespace(
        render_json=lambda plan: '{"a": 1}',
        render_csv_tables=lambda plan: {"waves": "w\n1\n", "costs.csv": b"c\n"},
    )
    options = views.available_exports(module)
    assert [o.renderer for o in options] == ["render_json", "render_csv_tables"]
    plan = _plan()
    assert views.export_bytes(module, options[0], plan) == b'{"a": 1}'
    with zipfile.ZipFile(io.BytesIO(views.export_bytes(module, options[1], plan))) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == {
            "waves.csv": b"w\n1\n",
            "costs.csv": b"c\n",
        }
    assert views.file_name(plan, ".pdf") == "q3-finance-plan.pdf"
    with pytest.raises(TypeError, match="render_json returned int"):
        views.export_bytes(SimpleNamespace(render_json=lambda plan: 3), options[0], plan)
