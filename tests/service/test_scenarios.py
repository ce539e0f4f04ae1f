"""Scenarios, comparison, baselines and the risk simulation of the flow, on SQLite and Postgres; the
`scenario` and `compare` commands on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planning_core.cli import main
from planning_core.domain import Application, Criticality, Phase, Portfolio, SixR
from planning_core.engines.risk.engine import simulate_plan_risk
from planning_core.errors import InvalidInput, NotFound
from planning_core.export import render_json
from planning_core.export.compare import render_comparison_pdf, render_comparison_xlsx
from planning_core.service.scenarios import ScenarioService
from tests.conftest import make_tenant

CONFIG = {"max_apps_per_wave": 3, "pilot_wave": False, "wave_duration_limit_days": 120}
RISK_KEYS = {
    "iterations",
    "seed",
    "end_date_p50",
    "end_date_p80",
    "end_date_p95",
    "total_cost_p50",
    "total_cost_p80",
    "total_cost_p95",
    "contingency_covers_p80",
}


def ten_apps() -> Portfolio:
    """Ten independent applications of 100 hours: four waves of at most three (2, 3, 3, 2)."""
    return Portfolio(
        applications=[
            Application(
                application_id=f"A{i:02d}",
                name=f"App {i}",
                six_r_strategy=SixR.REHOST,
                complexity=3,
                business_criticality=Criticality.MEDIUM,
                effort_hours=100.0,
                server_count=1,
                data_size_gb=10.0,
            )
            for i in range(1, 11)
        ]
    )


@pytest.fixture
def service(database, tenant) -> ScenarioService:
    svc = ScenarioService(database, tenant)
    svc.import_portfolio(ten_apps())
    return svc


def new_plan(service: ScenarioService, config: dict | None = None, name: str = "Main"):
    ids = [a.application_id for a in ten_apps().applications]
    return service.initialize(selected_application_ids=ids, config={**CONFIG, **(config or {})}, name=name)


def worked_plan(service: ScenarioService):
    """A plan with the analyst's work: wave 2 locked, an application moved into the last wave, one
    locked in wave 1, and the developers' hours of the last wave set by hand."""
    plan = new_plan(service)
    waves = plan.wave_plan.waves
    last = waves[-1].wave_number
    assert len(waves[-1].applications) < 3 and len(waves[0].applications) <= 3
    plan_id = plan.planning_flow_id
    plan = service.edit_waves(
        plan_id, plan.version, "set_wave_lock", reason="agreed", wave_number=2, locked=True
    ).plan
    moved = waves[2].applications[0].application_id
    plan = service.edit_waves(
        plan_id, plan.version, "move_application", reason="same team", application_id=moved, to_wave=last
    ).plan
    pinned = plan.wave_plan.waves[0].applications[0].application_id
    plan = service.edit_waves(
        plan_id, plan.version, "set_application_lock", reason="fixed", application_id=pinned, locked=True
    ).plan
    plan = service.override_allocation(
        plan_id, plan.version, wave_number=last, role="developer", hours=55.0, reason="contractor"
    ).plan
    assert plan.current_phase == Phase.COMPLETED
    return plan, moved, pinned, last


# ----------------------------------------------------------------------------------------------- risk
def test_risk_is_computed_with_the_costs_and_stored(service: ScenarioService) -> None:
    plan = new_plan(service)
    risk = plan.risk
    assert risk is not None
    assert (risk.iterations, risk.seed) == (
        plan.planning_config.risk_iterations,
        plan.planning_config.random_seed,
    )
    assert risk.iterations == 200  # the documented default
    assert risk.end_date_p50 <= risk.end_date_p80 <= risk.end_date_p95
    assert risk.total_cost_p50 <= risk.total_cost_p80 <= risk.total_cost_p95
    assert risk.deterministic_end_date == plan.timeline.end_date
    assert risk.deterministic_total == plan.cost_estimation.total
    assert risk.contingency_covers_p80 == (plan.cost_estimation.total >= risk.subtotal_p80)
    assert service.get_plan(plan.planning_flow_id).risk == risk
    document = json.loads(render_json(plan))
    assert RISK_KEYS <= set(document["risk"])
    assert document["risk"]["seed"] == plan.planning_config.random_seed


def test_risk_is_deterministic_for_a_seed(service: ScenarioService) -> None:
    first = new_plan(service, {"random_seed": 11})
    second = new_plan(service, {"random_seed": 11})
    assert first.risk == second.risk
    assert simulate_plan_risk(first, iterations=first.planning_config.risk_iterations, seed=11) == first.risk


def test_zero_uncertainty_gives_the_deterministic_figures_exactly(service: ScenarioService) -> None:
    plan = new_plan(service, {"cost_inputs": {"effort_uncertainty_pct": 0}})
    risk = plan.risk
    assert risk is not None
    assert risk.end_date_p50 == risk.end_date_p80 == risk.end_date_p95 == plan.timeline.end_date
    assert risk.total_cost_p50 == risk.total_cost_p80 == risk.total_cost_p95 == plan.cost_estimation.total


def test_no_simulation_with_zero_iterations(service: ScenarioService) -> None:
    assert new_plan(service, {"risk_iterations": 0}).risk is None


# ----------------------------------------------------------------------------------------------- scenarios
def test_scenario_keeps_the_analysts_work_when_it_still_holds(service: ScenarioService) -> None:
    plan, moved, pinned, last = worked_plan(service)
    scenario = service.create_scenario(plan.planning_flow_id, {"contingency_percentage": 25})
    origin = scenario.scenario
    assert origin is not None
    assert (origin.source_plan_id, origin.family_id, origin.source_revision) == (
        plan.planning_flow_id,
        plan.planning_flow_id,
        plan.revision,
    )
    assert origin.changed_settings == ["contingency_percentage"]
    assert origin.dropped == []
    assert origin.kept == [
        f"Wave 2 locked ({len(plan.wave_plan.waves[1].applications)} applications)",
        f"{pinned} locked in wave 1",
        f"{moved} moved in wave {last}",
        f"developer in wave {last} set to 55 h",
    ]
    assert scenario.current_phase == Phase.COMPLETED
    assert scenario.selected_applications == plan.selected_applications
    assert scenario.wave_plan.wave_of() == plan.wave_plan.wave_of()
    assert scenario.wave_plan.waves[1].locked
    manual = [a for a in scenario.resource_allocation.allocations if a.source.value == "manual"]
    assert [(a.wave_number, a.role, a.hours) for a in manual] == [(last, "developer", 55.0)]
    assert scenario.planning_config.contingency_percentage == 25
    assert scenario.risk is not None and scenario.risk.contingency > plan.risk.contingency
    assert service.get_plan(plan.planning_flow_id).version == plan.version  # the source is untouched


def test_scenario_reports_the_manual_changes_it_cannot_keep(service: ScenarioService) -> None:
    plan, moved, _pinned, last = worked_plan(service)
    scenario = service.create_scenario(plan.planning_flow_id, {"max_apps_per_wave": 5}, name="Bigger waves")
    origin = scenario.scenario
    assert scenario.name == "Bigger waves"
    assert len(scenario.wave_plan.waves) < last
    assert origin.kept[0].startswith("Wave 2 locked")
    assert f"{moved} moved in wave {last}: There is no wave {last}" in " | ".join(origin.dropped)
    assert any(
        line.startswith(f"developer in wave {last} set to 55 h: wave {last} is not in")
        for line in origin.dropped
    )
    assert not [v for v in scenario.wave_plan.violations if v.hard]
    assert scenario.current_phase == Phase.COMPLETED


def test_scenario_of_a_scenario_stays_in_the_family_and_settings_merge(service: ScenarioService) -> None:
    plan = new_plan(service)
    first = service.create_scenario(plan.planning_flow_id, {"cost_inputs": {"effort_uncertainty_pct": 40}})
    second = service.create_scenario(first.planning_flow_id, {"migration_start_date": "2027-03-01"})
    assert second.scenario.family_id == plan.planning_flow_id
    assert second.scenario.source_plan_id == first.planning_flow_id
    assert second.planning_config.cost_inputs.effort_uncertainty_pct == 40
    assert second.scenario.changed_settings == ["migration_start_date"]
    assert first.name == "Main — scenario 1" and second.name == "Main — scenario 2"
    assert [p.planning_flow_id for p in service.family(second.planning_flow_id)] == [
        plan.planning_flow_id,
        first.planning_flow_id,
        second.planning_flow_id,
    ]
    with pytest.raises(InvalidInput, match="max_apps_per_wave"):
        service.create_scenario(plan.planning_flow_id, {"max_apps_per_wave": 0})


# ----------------------------------------------------------------------------------------------- comparison
def test_compare_plans_of_one_family(service: ScenarioService) -> None:
    plan = new_plan(service)
    scenario = service.create_scenario(plan.planning_flow_id, {"max_apps_per_wave": 5})
    comparison = service.compare([plan.planning_flow_id, scenario.planning_flow_id])
    main, other = comparison.plans
    assert (main.planning_flow_id, other.planning_flow_id) == (
        plan.planning_flow_id,
        scenario.planning_flow_id,
    )
    assert (main.waves, other.waves) == (len(plan.wave_plan.waves), len(scenario.wave_plan.waves))
    assert main.end_date == plan.timeline.end_date and main.total_cost == plan.cost_estimation.total
    assert main.total_cost_p80 == plan.risk.total_cost_p80 and main.end_date_p80 == plan.risk.end_date_p80
    assert other.scenario_of == plan.planning_flow_id and other.changed_settings == ["max_apps_per_wave"]
    assert main.peak_headcount and all(n >= 1 for n in main.peak_headcount.values())
    assert main.migrated_by_date[-1][1] == 10 and other.migrated_by_date[-1][1] == 10
    before, after = plan.wave_plan.wave_of(), scenario.wave_plan.wave_of()
    assert [m.application_id for m in comparison.moved_applications] == sorted(
        a for a in before if before[a] != after[a]
    )
    for moved in comparison.moved_applications:
        assert moved.waves == {
            plan.planning_flow_id: before[moved.application_id],
            scenario.planning_flow_id: after[moved.application_id],
        }
    document = comparison.cli_document()
    assert {"plans", "moved_applications"} <= set(document)
    assert render_comparison_pdf(comparison).startswith(b"%PDF")
    assert render_comparison_xlsx(comparison)[:2] == b"PK"
    with pytest.raises(InvalidInput, match="Compare 2 to 4 plans, not 1"):
        service.compare([plan.planning_flow_id])
    with pytest.raises(InvalidInput, match="distinct"):
        service.compare([plan.planning_flow_id, plan.planning_flow_id])


def test_compare_refuses_plans_of_another_workspace(database, service: ScenarioService) -> None:
    plan = new_plan(service)
    elsewhere = ScenarioService(database, make_tenant(database, "elsewhere"))
    elsewhere.import_portfolio(ten_apps())
    foreign = new_plan(elsewhere)
    with pytest.raises(NotFound, match=f"Plan {foreign.planning_flow_id} does not exist in this engagement"):
        service.compare([plan.planning_flow_id, foreign.planning_flow_id])
    with pytest.raises(NotFound):
        service.create_scenario(foreign.planning_flow_id, {})


def test_adopting_a_scenario_makes_it_a_revision_of_the_main_plan(service: ScenarioService) -> None:
    plan = new_plan(service)
    scenario = service.create_scenario(plan.planning_flow_id, {"max_apps_per_wave": 5})
    with pytest.raises(InvalidInput, match="not a scenario"):
        service.adopt_scenario(plan.planning_flow_id)
    adopted = service.adopt_scenario(scenario.planning_flow_id)
    assert adopted.planning_flow_id == plan.planning_flow_id and adopted.name == "Main"
    assert adopted.scenario is None
    assert adopted.revision == plan.revision + 1
    assert adopted.planning_config == scenario.planning_config
    assert adopted.wave_plan == scenario.wave_plan and adopted.risk == scenario.risk
    assert adopted.cost_estimation == scenario.cost_estimation
    history = service.revisions(plan.planning_flow_id)
    assert history[-1].action == "adopt_scenario"
    assert service.get_plan(scenario.planning_flow_id).scenario.adopted_at is not None
    # The previous state stays in the history: a rollback brings it back.
    restored = service.rollback(
        planning_flow_id=plan.planning_flow_id, revision=plan.revision, expected_version=adopted.version
    )
    assert restored.planning_config == plan.planning_config and restored.risk == plan.risk


def test_baseline_variance(service: ScenarioService) -> None:
    plan = new_plan(service)
    baseline = service.save_baseline(plan.planning_flow_id)
    assert baseline.baseline_id > 0 and baseline.name == f"Baseline 1 (revision {plan.revision})"
    assert baseline.end_date == plan.timeline.end_date and baseline.total_cost == plan.cost_estimation.total
    assert baseline.wave_of == plan.wave_plan.wave_of()
    changed = service.update(
        planning_flow_id=plan.planning_flow_id,
        expected_version=plan.version,
        config={**plan.planning_config.model_dump(mode="json"), "migration_start_date": "2027-02-01"},
        reason="later start",
    )
    scenario = service.create_scenario(plan.planning_flow_id, {})
    comparison = service.compare([plan.planning_flow_id, scenario.planning_flow_id])
    [variance] = comparison.baselines
    assert variance.baseline_name == baseline.name
    assert variance.end_variance_days == (changed.timeline.end_date - baseline.end_date).days > 0
    assert variance.cost_variance == changed.cost_estimation.total - baseline.total_cost
    assert all(w.start_variance_days and w.start_variance_days > 0 for w in variance.waves)
    assert [b.name for b in service.baselines(plan.planning_flow_id)] == [baseline.name]


# ----------------------------------------------------------------------------------------------- commands
def test_scenario_and_compare_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{(tmp_path / 'cli.db').as_posix()}"
    common = ["--database-url", url, "--client", "Acme", "--engagement", "Cloud"]
    assert main(["demo", "--apps", "30", "--out", str(tmp_path / "demo.xlsx")]) == 0
    assert main(["plan", "--portfolio", str(tmp_path / "demo.xlsx"), "--name", "Base", *common]) == 0
    base_id = capsys.readouterr().out.strip().splitlines()[-1].split()[1]
    (tmp_path / "bigger.json").write_text(json.dumps({"max_apps_per_wave": 15}), encoding="utf-8")
    assert (
        main(["scenario", base_id, "--config", str(tmp_path / "bigger.json"), "--name", "Bigger", *common])
        == 0
    )
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("plan ") and "phase=completed" in line and "total_cost=" in line
    scenario_id = line.split()[1]
    assert scenario_id != base_id
    out = tmp_path / "compare.json"
    assert main(["compare", base_id, scenario_id, "--out", str(out), "--report", *common]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [p["planning_flow_id"] for p in document["plans"]] == [base_id, scenario_id]
    fields = {
        "name",
        "waves",
        "lower_bound",
        "end_date",
        "total_cost",
        "total_cost_p50",
        "total_cost_p80",
        "end_date_p50",
        "end_date_p80",
        "hard_violations",
    }
    assert fields <= set(document["plans"][0])
    assert document["plans"][1]["name"] == "Bigger"
    for moved in document["moved_applications"]:
        assert set(moved["waves"]) == {base_id, scenario_id}
    assert (tmp_path / "compare.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "compare.xlsx").exists()
    assert main(["compare", base_id, "--out", str(out), *common]) == 2
    assert "Compare 2 to 4 plans" in capsys.readouterr().err
    assert main(["scenario", "no-such-plan", "--config", str(tmp_path / "bigger.json"), *common]) == 2
