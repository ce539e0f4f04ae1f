"""Scenarios, comparison and baselines: what-if copies of a plan with settings changed, plans side by side,
making a scenario the family's chosen plan, and baselines to measure a plan's variance against.

A **scenario** is a new plan made from a source plan: the same selection and sources, the source's
settings with some changed (any setting: pools, dates, rates...), planned like any plan, and then the
analyst's work on the source carried over where it still holds: locked waves (kept by wave planning),
manual moves and locked applications (each moved back if the wave exists and the move breaks no further
hard constraint), the waves' date overrides and the manual resource allocations. What does not hold is
reported in `scenario.dropped`, each with why. A plan and its scenarios form a **family**: the main
plan is `scenario.family_id` (a scenario of a scenario belongs to the same family).

A scenario is always planned inline (the command line and the compare page wait for it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from planning_core import limits
from planning_core.access import Action, config_action
from planning_core.domain import PHASE_ORDER, Phase, PlanningConfig, Portfolio
from planning_core.engines.resources.engine import apply_manual_allocation
from planning_core.engines.resources.models import AllocationSource, ResourceAllocation
from planning_core.engines.waves import edits as wave_edits
from planning_core.engines.waves.models import Source, WavePlan
from planning_core.errors import InvalidInput, NotFound
from planning_core.export.comparison import Comparison, baseline_of, compare_plans
from planning_core.plan import Baseline, PlanDocument, ScenarioOrigin
from planning_core.service.edits import MAX_NAME_LENGTH, parse_config
from planning_core.service.flow import PlanningService
from planning_core.service.revisions import check_version, restored, snapshot
from planning_core.service.store import ProgressCallback

# What a scenario report line may hold, at most (a long list of dropped moves is summarised).
MAX_REPORT_LINES = 200


def merged_settings(base: PlanningConfig, changes: PlanningConfig | dict[str, Any]) -> dict[str, Any]:
    """The base settings with the changes on top: a key of `changes` replaces the base's, except that
    nested settings (cost_inputs) are merged one level deep. A PlanningConfig replaces everything."""
    if isinstance(changes, PlanningConfig):
        return changes.model_dump(mode="json")
    if not isinstance(changes, dict):
        raise InvalidInput("A scenario's settings must be an object of planning settings.")
    values = base.model_dump(mode="json")
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(values.get(key), dict):
            values[key] = {**values[key], **value}
        else:
            values[key] = value
    return values


def changed_settings(before: PlanningConfig, after: PlanningConfig) -> list[str]:
    """The settings that differ, as dotted names ('max_apps_per_wave', 'cost_inputs.dual_running_months')."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    names: list[str] = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            names += [
                f"{key}.{sub}"
                for sub in sorted(set(old[key]) | set(new[key]))
                if old[key].get(sub) != new[key].get(sub)
            ]
        else:
            names.append(key)
    return names


def carry_wave_work(
    source: WavePlan, planned: WavePlan, portfolio: Portfolio, config: PlanningConfig
) -> tuple[WavePlan, list[str], list[str]]:
    """The scenario's wave plan with the source's manual moves, locked applications and wave date
    overrides put back where they still hold; (wave plan, kept, dropped), each line saying what."""
    kept = [
        f"Wave {w.wave_number} locked ({len(w.applications)} applications)" for w in source.waves if w.locked
    ]
    dropped: list[str] = []
    current = planned
    baseline = {(v.constraint, v.message) for v in current.violations if v.hard}
    moves = [
        (a.application_id, w.wave_number, a.pinned)
        for w in source.waves
        if not w.locked
        for a in w.applications
        if a.source == Source.ANALYST or a.pinned
    ]
    for app, wave, pinned in moves:
        what = f"{app} {'locked' if pinned else 'moved'} in wave {wave}"
        where = current.wave_of().get(app)
        if where is None:
            dropped.append(f"{what}: not migrated in this scenario")
            continue
        candidate = current
        try:
            if where != wave:
                candidate = wave_edits.move_application(
                    current, portfolio, config, application_id=app, to_wave=wave
                )
            if pinned:
                candidate = wave_edits.set_application_lock(
                    candidate, portfolio, config, application_id=app, locked=True
                )
        except InvalidInput as error:
            dropped.append(f"{what}: {error}")
            continue
        broken = [v for v in candidate.violations if v.hard and (v.constraint, v.message) not in baseline]
        if broken:
            dropped.append(f"{what}: would break {broken[0].constraint} ({broken[0].message})")
            continue
        current = candidate
        kept.append(what)
    numbers = {w.wave_number for w in current.waves}
    for dated in source.waves:
        if dated.locked or (dated.not_before is None and dated.fixed_cutover is None):
            continue
        what = f"Wave {dated.wave_number} date override"
        if dated.wave_number not in numbers:
            dropped.append(f"{what}: the scenario has no wave {dated.wave_number}")
            continue
        current = current.model_copy(deep=True)
        target = next(w for w in current.waves if w.wave_number == dated.wave_number)
        target.not_before, target.fixed_cutover = dated.not_before, dated.fixed_cutover
        kept.append(what)
    return current, kept, dropped


def carry_allocations(
    source: ResourceAllocation, planned: ResourceAllocation
) -> tuple[ResourceAllocation, list[str], list[str]]:
    """The scenario's allocation with the source's manual hours put back where the wave and the role
    still exist; (allocation, kept, dropped)."""
    kept: list[str] = []
    dropped: list[str] = []
    current = planned
    for manual in (a for a in source.allocations if a.source == AllocationSource.MANUAL):
        what = f"{manual.role} in wave {manual.wave_number} set to {manual.hours:g} h"
        try:
            current = apply_manual_allocation(
                current,
                wave_number=manual.wave_number,
                role=manual.role,
                hours=manual.hours,
                reason=manual.reason or "carried over from the source plan",
            )
        except InvalidInput as error:
            dropped.append(f"{what}: {error}")
            continue
        kept.append(what)
    return current, kept, dropped


def _report(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_REPORT_LINES:
        return lines
    return [*lines[: MAX_REPORT_LINES - 1], f"... and {len(lines) - MAX_REPORT_LINES + 1} more"]


class ScenarioService(PlanningService):
    """The flow service with scenarios, comparison and baselines."""

    # ----------------------------------------------------------------- families
    def family(self, planning_flow_id: str) -> list[PlanDocument]:
        """The plan's family (without documents): its main plan first, then the scenarios, oldest first."""
        plans = self.list_plans()
        by_id = {p.planning_flow_id: p for p in plans}
        if planning_flow_id not in by_id:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")
        chosen = by_id[planning_flow_id]
        family_id = chosen.scenario.family_id if chosen.scenario else chosen.planning_flow_id
        members = [
            p for p in plans if (p.scenario.family_id if p.scenario else p.planning_flow_id) == family_id
        ]
        return sorted(
            members, key=lambda p: (p.scenario is not None, p.created_at or datetime.min.replace(tzinfo=UTC))
        )

    # ----------------------------------------------------------------- scenarios
    def create_scenario(
        self,
        source_plan_id: str,
        settings: PlanningConfig | dict[str, Any],
        *,
        name: str = "",
        progress: ProgressCallback | None = None,
    ) -> PlanDocument:
        """A scenario of the plan with `settings` changed (a dict of settings on top of the source's, or a
        whole configuration), planned through every phase; its `scenario` says what was kept and dropped."""
        name = name.strip()
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(
                f"The scenario name is too long ({len(name)} characters; at most {MAX_NAME_LENGTH})."
            )
        with self._uow(Action.EDIT_PLAN) as repo:
            source = repo.plans.get_plan(source_plan_id)
            config = parse_config(merged_settings(source.planning_config, settings), analyst=True)
            self._require(repo, config_action(source.planning_config, config))
            limits.check_selection_size(len(source.selected_applications))
            family_id = source.scenario.family_id if source.scenario else source.planning_flow_id
            stored = repo.plans.list_plans()
            siblings = sum(1 for p in stored if p.scenario and p.scenario.family_id == family_id)
            main_name = next((p.name for p in stored if p.planning_flow_id == family_id), source.name)
            plan = repo.plans.create_plan(
                name=name or f"{main_name} — scenario {siblings + 1}"[:MAX_NAME_LENGTH],
                config=config,
                selected_application_ids=source.selected_applications,
                created_by=self.tenant.user_id,
            )
            repo.portfolio.set_plan_sources(
                plan.planning_flow_id, repo.portfolio.plan_sources(source_plan_id)
            )
            origin = ScenarioOrigin(
                source_plan_id=source.planning_flow_id,
                source_name=source.name,
                source_revision=source.revision,
                family_id=family_id,
                created_at=datetime.now(UTC),
                changed_settings=changed_settings(source.planning_config, config),
            )
            plan.scenario = origin
            # The source's wave plan (still pending) so that wave planning keeps its locked waves.
            plan.wave_plan = source.wave_plan
            plan = repo.plans.save_plan(plan, expected_version=plan.version, documents=("wave_plan",))
            repo.revisions.add_revision(
                planning_flow_id=plan.planning_flow_id,
                revision=0,
                action="scenario",
                summary=f"Scenario of {source.name} (revision {source.revision})"[:500],
                changes={"changed_settings": origin.changed_settings},
                snapshot=snapshot(plan),
                created_by=self.tenant.user_id,
            )
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
        return self._plan_scenario(plan, source, portfolio, progress)

    def _plan_scenario(
        self,
        plan: PlanDocument,
        source: PlanDocument,
        portfolio: Portfolio,
        progress: ProgressCallback | None,
    ) -> PlanDocument:
        """Wave planning, the source's wave work carried over, resource allocation, its manual hours
        carried over, then the other phases and completion (one revision)."""
        assert plan.scenario is not None
        kept: list[str] = []
        dropped: list[str] = []
        plan = self._compute(plan, portfolio, (Phase.WAVE_PLANNING,), None, complete=False, progress=progress)
        documents: tuple[str, ...] = ()
        if source.wave_plan is not None and plan.wave_plan is not None:
            carried, kept_waves, dropped_waves = carry_wave_work(
                source.wave_plan, plan.wave_plan, portfolio, plan.planning_config
            )
            kept += kept_waves
            dropped += dropped_waves
            if carried is not plan.wave_plan:
                plan.wave_plan = carried
                documents = ("wave_plan",)
        plan = self._compute(
            plan,
            portfolio,
            (Phase.RESOURCE_ALLOCATION,),
            None,
            complete=False,
            documents=documents,
            progress=progress,
        )
        documents = ()
        if source.resource_allocation is not None and plan.resource_allocation is not None:
            allocation, kept_hours, dropped_hours = carry_allocations(
                source.resource_allocation, plan.resource_allocation
            )
            kept += kept_hours
            dropped += dropped_hours
            if kept_hours:
                plan.resource_allocation = allocation
                documents = ("resource_allocation",)
        origin = plan.scenario
        assert origin is not None
        plan.scenario = origin.model_copy(update={"kept": _report(kept), "dropped": _report(dropped)})
        later = PHASE_ORDER[PHASE_ORDER.index(Phase.TIMELINE_GENERATION) : PHASE_ORDER.index(Phase.COMPLETED)]
        summary = f"Scenario planned: {len(kept)} manual change(s) kept, {len(dropped)} dropped"
        note = ("run", summary, {"kept": plan.scenario.kept, "dropped": plan.scenario.dropped})
        plan = self._compute(
            plan, portfolio, later, note, complete=True, documents=documents, progress=progress
        )
        return self._with_portfolio(plan, portfolio)

    def adopt_scenario(self, scenario_id: str, *, expected_version: int | None = None) -> PlanDocument:
        """Make a scenario the family's chosen plan: its settings and documents become a new revision of
        the family's main plan (whose history keeps the previous state). Returns the main plan."""
        with self._uow(Action.EDIT_PLAN) as repo:
            scenario = repo.plans.get_plan(scenario_id)
            origin = scenario.scenario
            if origin is None:
                raise InvalidInput(
                    f"{scenario.name} is a main plan, not a scenario: there is nothing to adopt."
                )
            main = repo.plans.get_plan(origin.family_id)
            self._require(repo, config_action(main.planning_config, scenario.planning_config))
            if expected_version is not None:
                check_version(main, expected_version)
            taken = {k: v for k, v in snapshot(scenario).items() if k != "name"}
            adopted = restored(main, taken)
            version = main.version
            self._save_revision(
                repo,
                adopted,
                version,
                "adopt_scenario",
                f"Scenario {scenario.name} adopted",
                {"scenario": scenario_id, "changed_settings": origin.changed_settings},
            )
            repo.portfolio.set_plan_sources(main.planning_flow_id, repo.portfolio.plan_sources(scenario_id))
            marked = scenario.model_copy(
                update={"scenario": origin.model_copy(update={"adopted_at": datetime.now(UTC)})}
            )
            repo.plans.save_plan(marked, expected_version=scenario.version, documents=())
        return self.get_plan(main.planning_flow_id)

    # ----------------------------------------------------------------- comparison
    def compare(self, planning_flow_ids: list[str]) -> Comparison:
        """Two to four plans of this engagement side by side (NotFound for a plan of another workspace),
        each with its variance against its latest baseline when it has one."""
        ids = list(planning_flow_ids)
        plans = [self.get_plan(i) for i in ids]
        latest: dict[str, Baseline] = {}
        with self._uow() as repo:
            for plan_id in dict.fromkeys(ids):
                baselines = repo.plans.list_baselines(plan_id)
                if baselines:
                    latest[plan_id] = baselines[-1]
        return compare_plans(plans, latest)

    # ----------------------------------------------------------------- baselines
    def save_baseline(self, planning_flow_id: str, name: str = "") -> Baseline:
        """Save the plan's current dates, waves and cost as a baseline (as MS Project does)."""
        name = name.strip()
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"A baseline name needs at most {MAX_NAME_LENGTH} characters.")
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            if plan.timeline is None:
                raise InvalidInput("Save a baseline once the plan has a timeline (run the timeline first).")
            count = len(repo.plans.list_baselines(planning_flow_id))
            baseline = baseline_of(
                plan,
                name=name or f"Baseline {count + 1} (revision {plan.revision})",
                created_by=self.tenant.user_id,
                created_at=datetime.now(UTC),
            )
            return repo.plans.add_baseline(baseline)

    def baselines(self, planning_flow_id: str) -> list[Baseline]:
        """The plan's baselines, oldest first."""
        with self._uow() as repo:
            return repo.plans.list_baselines(planning_flow_id)
