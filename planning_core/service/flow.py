"""The Planning Flow service: initialize, execute phases, status, manual updates, revisions, rollback.

Every public method is one or more short transactions through the tenant-scoped repository. Engines run
between transactions, so a failing engine never leaves a half-written plan: the last good documents stay
readable and the phase is marked failed, re-runnable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from db.repository import Repository, TenancyRepository
from db.session import Database
from planning_core import limits
from planning_core.access import Action, config_action, require
from planning_core.agents import advise, agent_warnings, llm_configured
from planning_core.domain import (
    PHASE_ORDER,
    RUNNABLE_PHASES,
    Phase,
    PhaseStatus,
    PlanningConfig,
    Portfolio,
    TenantContext,
)
from planning_core.engines.resources.models import ResourceAllocation
from planning_core.engines.waves.constraints import validate_wave_plan
from planning_core.engines.waves.models import WavePlan
from planning_core.errors import (
    ConstraintViolationError,
    InvalidInput,
    PhaseOrderError,
    PlanningError,
    StaleWriteError,
)
from planning_core.plan import PlanDocument
from planning_core.service.memory import memory_context, record_learning, wizard_defaults
from planning_core.service.phases import (
    PHASE_DOCUMENT,
    PHASE_LABELS,
    blocking_violations,
    check_prerequisites,
    later_phases,
    run_engine,
)

ProgressCallback = Callable[[Phase, str], None]
# (action, summary, changes) of a revision to record with a save.
RevisionNote = tuple[str, str, dict[str, Any]]

# Cap on the plan name an analyst may type.
MAX_NAME_LENGTH = 200


def format_validation_error(error: ValidationError) -> str:
    """A pydantic error as one line an analyst can read: 'field: message; field: message'."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "__root__")
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def parse_config(config: PlanningConfig | dict[str, Any]) -> PlanningConfig:
    """Validate a configuration (keys left out take the documented defaults)."""
    if isinstance(config, PlanningConfig):
        return PlanningConfig.model_validate(config.model_dump())
    try:
        return PlanningConfig.model_validate(config)
    except ValidationError as error:
        raise InvalidInput(f"Invalid planning configuration: {format_validation_error(error)}") from error


def _collect_warnings(plan: PlanDocument) -> list[str]:
    """Every warning of every stored document, plus unresolved hard violations, de-duplicated."""
    warnings: list[str] = []
    documents = [plan.wave_plan, plan.resource_allocation, plan.timeline, plan.cost_estimation]
    for document in documents:
        if document is not None:
            warnings.extend(getattr(document, "warnings", []))
    if plan.resource_allocation is not None:
        for gap in plan.resource_allocation.skill_gaps:
            warnings.append(
                f"Skill gap: no resource pool has '{gap.skill}' "
                f"({len(gap.application_ids)} applications); recommendation: {gap.recommendation}"
            )
    if plan.wave_plan is not None:
        for violation in plan.wave_plan.violations:
            if violation.hard:
                warnings.append(f"Unresolved violation ({violation.constraint}): {violation.message}")
    warnings.extend(agent_warnings(plan.agent_execution_log))
    return list(dict.fromkeys(warnings))


def _snapshot(plan: PlanDocument) -> dict[str, Any]:
    """What a revision keeps: the configuration, the selection and every phase document."""
    return plan.model_dump(
        mode="json",
        include={
            "name",
            "current_phase",
            "phase_status",
            "phase_statuses",
            "planning_config",
            "selected_applications",
            "wave_plan",
            "resource_allocation",
            "timeline",
            "cost_estimation",
            "synthesis",
            "warnings",
            "agent_execution_log",
        },
    )


def _set_current(plan: PlanDocument) -> None:
    """current_phase is the first phase not completed; phase_status is that phase's status."""
    for phase in PHASE_ORDER:
        status = plan.phase_statuses.get(phase, PhaseStatus.PENDING)
        if status != PhaseStatus.COMPLETED:
            plan.current_phase = phase
            plan.phase_status = status
            return
    plan.current_phase = Phase.COMPLETED
    plan.phase_status = PhaseStatus.COMPLETED


class PlanningService:
    """The flow for one client account and engagement."""

    def __init__(self, database: Database, tenant: TenantContext) -> None:
        self.database = database
        self.tenant = tenant

    @contextmanager
    def _uow(self, action: Action = Action.READ) -> Iterator[Repository]:
        """One tenant transaction, refused (PermissionDenied) unless the user's role allows the action."""
        with self.database.unit_of_work(self.tenant) as repo:
            self._require(repo, action)
            yield repo

    def _require(self, repo: Repository, action: Action) -> None:
        """PermissionDenied unless the user's membership in this engagement allows the action."""
        role = TenancyRepository(repo.session).role_of(
            self.tenant.user_id, self.tenant.client_account_id, self.tenant.engagement_id
        )
        require(role, action, user_id=self.tenant.user_id)

    def role(self) -> str | None:
        """The user's role in this engagement (viewer, analyst, admin), or None."""
        with self.database.unit_of_work(self.tenant) as repo:
            return TenancyRepository(repo.session).role_of(
                self.tenant.user_id, self.tenant.client_account_id, self.tenant.engagement_id
            )

    def grant_role(self, *, user_id: str, role: str) -> None:
        """Give a user a role in this engagement (admins only; roles: viewer, analyst, admin)."""
        with self._uow(Action.MANAGE_MEMBERS):
            pass
        with self.database.tenancy() as tenancy:
            tenancy.ensure_user(user_id)
            tenancy.grant(user_id, self.tenant.client_account_id, self.tenant.engagement_id, role)

    # ----------------------------------------------------------------- portfolio
    def import_portfolio(self, portfolio: Portfolio) -> tuple[int, int]:
        """Merge a portfolio into the engagement's in one transaction; returns (applications,
        dependencies) added or changed. Re-importing the same source changes nothing (0, 0); a second
        source (say, a dependency export after an inventory) merges into the applications already there.
        """
        from planning_core.portfolio.importers import merge_previews

        limits.check_portfolio_size(portfolio)
        with self._uow(Action.EDIT_PLAN) as repo:
            existing = repo.load_portfolio()
            merged = merge_previews(existing, portfolio) if existing.applications else portfolio
            before_apps = {a.application_id: a for a in existing.applications}
            before_deps = {
                (d.source_application_id, d.target_application_id, d.dependency_type): d.weight
                for d in existing.dependencies
            }
            changed_apps = sum(1 for a in merged.applications if before_apps.get(a.application_id) != a)
            changed_deps = sum(
                1
                for d in merged.dependencies
                if before_deps.get((d.source_application_id, d.target_application_id, d.dependency_type))
                != d.weight
            )
            if changed_apps or changed_deps:
                repo.upsert_portfolio(merged)
            return changed_apps, changed_deps

    def portfolio(self, application_ids: list[str] | None = None) -> Portfolio:
        with self._uow() as repo:
            return repo.load_portfolio(application_ids)

    # ----------------------------------------------------------------- flows
    def list_plans(self) -> list[PlanDocument]:
        with self._uow() as repo:
            return repo.list_flows()

    def get_plan(self, planning_flow_id: str) -> PlanDocument:
        """The stored plan with its applications and dependencies filled in."""
        with self._uow() as repo:
            plan = repo.get_flow(planning_flow_id)
            portfolio = repo.load_portfolio(plan.selected_applications)
        plan.applications = portfolio.applications
        plan.dependencies = portfolio.dependencies
        return plan

    def revisions(self, planning_flow_id: str) -> list:
        with self._uow() as repo:
            return repo.list_revisions(planning_flow_id)

    def suggested_config(self) -> PlanningConfig:
        """A new plan's settings: the defaults, with what this engagement's last completed plan used."""
        return parse_config(wizard_defaults(self.database, self.tenant))

    @staticmethod
    def runs_in_background() -> bool:
        """Whether phase runs belong in the background: a specialist's LLM review may take minutes."""
        return llm_configured()

    def initialize(
        self,
        *,
        selected_application_ids: list[str],
        config: PlanningConfig | dict[str, Any],
        name: str = "",
        run: bool = True,
        progress: ProgressCallback | None = None,
    ) -> PlanDocument:
        """Create a plan for the selected applications; with run=True execute every phase."""
        parsed = parse_config(config)
        name = name.strip()
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(
                f"The plan name is too long ({len(name)} characters; at most {MAX_NAME_LENGTH})."
            )
        selected = list(dict.fromkeys(str(i) for i in selected_application_ids))
        if not selected:
            raise InvalidInput("Select at least one application to plan.")
        limits.check_selection_size(len(selected))
        with self._uow(Action.EDIT_PLAN) as repo:
            known = {a.application_id for a in repo.list_applications(selected)}
            unknown = [i for i in selected if i not in known]
            if unknown:
                shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
                raise InvalidInput(
                    f"{len(unknown)} selected application id(s) do not exist in this engagement: {shown}"
                )
            plan = repo.create_flow(
                name=name or f"Migration plan ({len(selected)} applications)",
                config=parsed,
                selected_application_ids=selected,
                created_by=self.tenant.user_id,
            )
            repo.add_revision(
                planning_flow_id=plan.planning_flow_id,
                revision=0,
                action="initialize",
                summary=f"Plan created for {len(selected)} applications",
                changes={},
                snapshot=_snapshot(plan),
                created_by=self.tenant.user_id,
            )
        if run:
            return self.run_all(plan.planning_flow_id, progress=progress)
        return self.get_plan(plan.planning_flow_id)

    def execute_phase(
        self, *, planning_flow_id: str, phase: Phase | str, record_revision: bool = True
    ) -> PlanDocument:
        """Run one phase (re-running is allowed); its prerequisites must be completed."""
        phase = self._phase(phase)
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.get_flow(planning_flow_id)
            portfolio = repo.load_portfolio(plan.selected_applications)
        check_prerequisites(plan, phase)
        if phase == Phase.COMPLETED:
            note: RevisionNote | None = ("phase:completed", "Plan completed", {}) if record_revision else None
            return self._with_portfolio(self._store(plan, portfolio, (), note, complete=True), portfolio)
        note = (f"phase:{phase.value}", f"{PHASE_LABELS[phase]} run", {}) if record_revision else None
        plan = self._compute(plan, portfolio, (phase,), note, complete=False)
        return self._with_portfolio(plan, portfolio)

    def run_all(
        self,
        planning_flow_id: str,
        *,
        progress: ProgressCallback | None = None,
        start: Phase | None = None,
    ) -> PlanDocument:
        """Run every phase from `start` (default: the first not completed) through completion.

        The engines run one after the other on the plan in memory; the results are stored in one
        transaction, as one revision, so no page ever sees a half-recomputed plan.
        """
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.get_flow(planning_flow_id)
            portfolio = repo.load_portfolio(plan.selected_applications)
        first = start or plan.current_phase
        if first == Phase.COMPLETED and plan.phase_status == PhaseStatus.COMPLETED:
            return self._with_portfolio(plan, portfolio)
        phases = RUNNABLE_PHASES[PHASE_ORDER.index(first) :]
        check_prerequisites(plan, first)
        summary = "Phases computed: " + ", ".join(PHASE_LABELS[p].lower() for p in phases)
        plan = self._compute(plan, portfolio, phases, ("run", summary, {}), complete=True, progress=progress)
        if progress:
            done = plan.current_phase == Phase.COMPLETED
            progress(
                Phase.COMPLETED,
                "Plan completed" if done else "Plan computed; completion is blocked by unresolved violations",
            )
        return self._with_portfolio(plan, portfolio)

    def update(
        self,
        *,
        planning_flow_id: str,
        expected_version: int,
        wave_plan: WavePlan | None = None,
        resource_allocation: ResourceAllocation | None = None,
        config: PlanningConfig | dict[str, Any] | None = None,
        name: str | None = None,
        reason: str = "",
        confirm_violations: bool = False,
        recompute: bool | None = None,
    ) -> PlanDocument:
        """A manual override of a phase output or of the configuration, recorded as a revision.

        Later phases become stale and are recomputed when auto-progress is on (or recompute=True).
        A wave plan that breaks a hard constraint is refused unless confirm_violations=True; then it is
        stored with its violations listed, and completing the plan stays blocked until they are fixed.
        """
        changes: dict[str, Any] = {}
        earliest: Phase | None = None
        reason = limits.check_reason(reason)
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.get_flow(planning_flow_id)
            if plan.version != expected_version:
                raise StaleWriteError(
                    f"This plan was changed by someone else (you edited version {expected_version}, "
                    f"it is now version {plan.version}). Reload to see the latest plan; your change was not saved."
                )
            portfolio = repo.load_portfolio(plan.selected_applications)
            if name is not None:
                name = name.strip()
                if not name or len(name) > MAX_NAME_LENGTH:
                    raise InvalidInput(f"A plan name needs 1 to {MAX_NAME_LENGTH} characters.")
                changes["name"] = {"previous": plan.name, "new": name}
                plan.name = name
            if config is not None:
                parsed = parse_config(config)
                self._require(repo, config_action(plan.planning_config, parsed))
                changes["planning_config"] = {
                    "previous": plan.planning_config.model_dump(mode="json"),
                    "new": parsed.model_dump(mode="json"),
                }
                plan.planning_config = parsed
                earliest = Phase.WAVE_PLANNING
            if wave_plan is not None:
                if plan.wave_plan is None:
                    raise PhaseOrderError("There is no wave plan to edit yet; run wave planning first.")
                violations = validate_wave_plan(wave_plan, portfolio, plan.planning_config)
                hard = [v for v in violations if v.hard]
                if hard and not confirm_violations:
                    raise ConstraintViolationError(
                        f"This change breaks {len(hard)} hard constraint(s): "
                        + "; ".join(v.message for v in hard[:5])
                        + ". Confirm to save it anyway (the plan cannot be completed until they are fixed).",
                        hard,
                    )
                stored = wave_plan.model_copy(update={"violations": violations})
                changes["wave_plan"] = _wave_changes(plan.wave_plan, stored)
                plan.wave_plan = stored
                plan.phase_statuses[Phase.WAVE_PLANNING] = PhaseStatus.COMPLETED
                earliest = earliest or Phase.RESOURCE_ALLOCATION
            if resource_allocation is not None:
                if plan.resource_allocation is None:
                    raise PhaseOrderError(
                        "There is no resource allocation to edit yet; run that phase first."
                    )
                changes["resource_allocation"] = {"reason": reason}
                plan.resource_allocation = resource_allocation
                plan.phase_statuses[Phase.RESOURCE_ALLOCATION] = PhaseStatus.COMPLETED
                if earliest is None or PHASE_ORDER.index(earliest) > PHASE_ORDER.index(
                    Phase.TIMELINE_GENERATION
                ):
                    earliest = Phase.TIMELINE_GENERATION
            if not changes:
                raise InvalidInput(
                    "Nothing to update: give a wave plan, a resource allocation, a config or a name."
                )
            if earliest is not None:
                for phase in PHASE_ORDER[PHASE_ORDER.index(earliest) :]:
                    if plan.phase_statuses.get(phase) in (PhaseStatus.COMPLETED, PhaseStatus.FAILED):
                        plan.phase_statuses[phase] = PhaseStatus.STALE
                plan.planning_completed_at = None
            plan.warnings = _collect_warnings(plan)
            _set_current(plan)
        # Write only what changed; phase statuses and warnings are always written.
        documents = tuple(
            name for name in ("wave_plan", "resource_allocation", "planning_config") if name in changes
        )
        note = ("update", reason or "Manual edit", changes)
        should_recompute = plan.planning_config.auto_progress if recompute is None else recompute
        if should_recompute and earliest is not None:
            phases = RUNNABLE_PHASES[PHASE_ORDER.index(earliest) :]
            plan = self._compute(plan, portfolio, phases, note, complete=True, documents=documents)
        else:
            plan = self._store(plan, portfolio, documents, note, complete=False)
        return self._with_portfolio(plan, portfolio)

    def rollback(self, *, planning_flow_id: str, revision: int, expected_version: int) -> PlanDocument:
        """Restore the plan as it was at a revision (recorded as a new revision; nothing is deleted)."""
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.get_flow(planning_flow_id)
            if plan.version != expected_version:
                raise StaleWriteError(
                    f"This plan was changed by someone else (you read version {expected_version}, "
                    f"it is now version {plan.version}). Reload and try the rollback again."
                )
            snapshot = repo.get_revision_snapshot(planning_flow_id, revision)
            restored = PlanDocument.model_validate(
                {**plan.model_dump(mode="json", exclude=set(snapshot)), **snapshot}
            )
            restored.version = plan.version
            restored.revision = plan.revision
            self._save_revision(
                repo,
                restored,
                expected_version,
                "rollback",
                f"Rolled back to revision {revision}",
                {"rolled_back_to": revision, "previous_revision": plan.revision},
            )
        return self.get_plan(planning_flow_id)

    # ----------------------------------------------------------------- internals
    def _phase(self, phase: Phase | str) -> Phase:
        try:
            return Phase(phase)
        except ValueError as error:
            names = ", ".join(p.value for p in PHASE_ORDER)
            raise InvalidInput(f"Unknown phase {phase!r}; phases are: {names}.") from error

    @staticmethod
    def _with_portfolio(plan: PlanDocument, portfolio: Portfolio) -> PlanDocument:
        plan.applications = portfolio.applications
        plan.dependencies = portfolio.dependencies
        return plan

    def _compute(
        self,
        plan: PlanDocument,
        portfolio: Portfolio,
        phases: tuple[Phase, ...],
        note: RevisionNote | None,
        *,
        complete: bool,
        documents: tuple[str, ...] = (),
        progress: ProgressCallback | None = None,
    ) -> PlanDocument:
        """Run the phases' engines in order, each phase's result committed with the next phase marked
        running (one write per phase), then complete the plan as one revision.

        Each write happens only if nobody changed the plan meanwhile (it was computed from the plan as
        read). A process killed mid-phase leaves every earlier phase stored and this one 'running',
        re-runnable; an engine that fails marks its phase failed and the earlier good documents stay.
        """
        changed = list(documents)
        for phase in phases:
            if progress:
                progress(phase, f"{PHASE_LABELS[phase]}…")
            plan.phase_statuses[phase] = PhaseStatus.RUNNING
            _set_current(plan)
            with self._uow(Action.EDIT_PLAN) as repo:
                plan = repo.save_flow(plan, expected_version=plan.version, documents=tuple(changed))
            changed = []
            try:
                self._apply_phase(plan, portfolio, phase)
            except PlanningError as error:
                self._store_failure(plan, portfolio, phase, str(error), tuple(changed))
                raise
            except Exception as error:  # an engine bug must not leave the phase 'running'
                self._store_failure(
                    plan, portfolio, phase, f"{type(error).__name__}: {error}", tuple(changed)
                )
                raise PlanningError(
                    f"{PHASE_LABELS[phase]} failed unexpectedly ({type(error).__name__}); "
                    "the last good plan is unchanged and the phase can be re-run."
                ) from error
            changed.append(PHASE_DOCUMENT[phase])
        try:
            return self._store(plan, portfolio, tuple(dict.fromkeys(changed)), note, complete=complete)
        except StaleWriteError:
            if phases:
                self._mark_failed(
                    plan.planning_flow_id,
                    phases[0],
                    "the plan was changed while this phase ran; run it again",
                )
            raise

    def _apply_phase(self, plan: PlanDocument, portfolio: Portfolio, phase: Phase) -> None:
        """One engine (and its specialist, when an LLM is configured) on the in-memory plan."""
        document, agent_run = advise(
            phase=phase,
            plan=plan,
            portfolio=portfolio,
            document=run_engine(plan, portfolio, phase),
            memory=memory_context(self.database, self.tenant) if llm_configured() else "",
        )
        setattr(plan, PHASE_DOCUMENT[phase], document)
        if agent_run.outcome != "skipped":
            plan.agent_execution_log = [*plan.agent_execution_log, agent_run]
        plan.phase_statuses[phase] = PhaseStatus.COMPLETED
        for later in later_phases(phase):
            if plan.phase_statuses.get(later) == PhaseStatus.COMPLETED:
                plan.phase_statuses[later] = PhaseStatus.STALE
        plan.warnings = _collect_warnings(plan)
        _set_current(plan)

    def _store(
        self,
        plan: PlanDocument,
        portfolio: Portfolio,
        documents: tuple[str, ...],
        note: RevisionNote | None,
        *,
        complete: bool,
    ) -> PlanDocument:
        """Store the plan (optionally completing it first) in one transaction, as one revision."""
        blocking = self._completion(plan, portfolio) if complete else []
        expected = plan.version
        with self._uow(Action.EDIT_PLAN) as repo:
            if note is not None:
                saved = self._save_revision(repo, plan, expected, *note, documents=documents)
            else:
                saved = repo.save_flow(plan, expected_version=expected, documents=documents)
        if complete and not blocking:
            record_learning(self.database, self.tenant, saved)
        return saved

    def _completion(self, plan: PlanDocument, portfolio: Portfolio) -> list:
        """Freeze the plan as completed in memory, unless hard violations are unresolved (returned)."""
        check_prerequisites(plan, Phase.COMPLETED)
        blocking = blocking_violations(plan, portfolio)
        if blocking:
            plan.phase_statuses[Phase.COMPLETED] = PhaseStatus.PENDING
            plan.warnings = _collect_warnings(plan) + [
                f"The plan cannot be completed: {len(blocking)} hard violation(s) to fix on the wave board."
            ]
            plan.planning_completed_at = None
        else:
            plan.phase_statuses[Phase.COMPLETED] = PhaseStatus.COMPLETED
            plan.planning_completed_at = datetime.now(UTC)
            plan.warnings = _collect_warnings(plan)
        _set_current(plan)
        return blocking

    def _store_failure(
        self, plan: PlanDocument, portfolio: Portfolio, phase: Phase, message: str, documents: tuple[str, ...]
    ) -> None:
        """Keep what was computed before a failing phase, and mark that phase failed."""
        plan.phase_statuses[phase] = PhaseStatus.FAILED
        plan.warnings = list(dict.fromkeys([*plan.warnings, f"{PHASE_LABELS[phase]} failed: {message}"]))
        _set_current(plan)
        try:
            with self._uow(Action.EDIT_PLAN) as repo:
                repo.save_flow(plan, expected_version=plan.version, documents=documents)
        except StaleWriteError:
            self._mark_failed(plan.planning_flow_id, phase, message)

    def _mark_failed(self, planning_flow_id: str, phase: Phase, message: str) -> None:
        with self._uow() as repo:
            plan = repo.get_flow(planning_flow_id)
            plan.phase_statuses[phase] = PhaseStatus.FAILED
            plan.warnings = list(dict.fromkeys([*plan.warnings, f"{PHASE_LABELS[phase]} failed: {message}"]))
            _set_current(plan)
            repo.save_flow(plan, expected_version=plan.version, documents=())

    def _save_revision(
        self,
        repo: Repository,
        plan: PlanDocument,
        expected_version: int,
        action: str,
        summary: str,
        changes: dict[str, Any],
        *,
        documents: tuple[str, ...] | None = None,
    ) -> PlanDocument:
        """Save the plan as a new revision (who, when, what changed and the previous values)."""
        plan.revision += 1
        saved = repo.save_flow(plan, expected_version=expected_version, documents=documents)
        repo.add_revision(
            planning_flow_id=saved.planning_flow_id,
            revision=saved.revision,
            action=action,
            summary=summary[:500],
            changes=changes,
            snapshot=_snapshot(saved),
            created_by=self.tenant.user_id,
        )
        return saved


def _wave_changes(previous: WavePlan, new: WavePlan) -> dict[str, Any]:
    """Which applications moved between waves, and which waves were added or removed."""
    before, after = previous.wave_of(), new.wave_of()
    moved = {
        app: {"previous": before.get(app), "new": wave}
        for app, wave in after.items()
        if before.get(app) != wave
    }
    removed = sorted(set(before) - set(after))
    return {
        "moved": moved,
        "removed_from_waves": removed,
        "waves": {"previous": len(previous.waves), "new": len(new.waves)},
    }
