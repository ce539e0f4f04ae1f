"""How the service stores a plan: tenant transactions checked against the user's role, the phase engines
run between them, each save one revision, and the one place that decides whether phases run inline or
on the background worker.

Engines run between transactions, so a failing engine never leaves a half-written plan: the last good
documents stay readable and the phase is marked failed, re-runnable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from db.repository import Repository, TenancyRepository
from db.session import Database
from planning_core.access import Action, require
from planning_core.agents import advise, llm_configured
from planning_core.domain import PHASE_ORDER, Phase, PhaseStatus, PlanningConfig, Portfolio, TenantContext
from planning_core.errors import InvalidInput, PlanningError, StaleWriteError
from planning_core.plan import PlanDocument
from planning_core.service.heartbeat import Heartbeat
from planning_core.service.memory import memory_context, record_learning
from planning_core.service.phases import (
    PHASE_DOCUMENT,
    PHASE_LABELS,
    PHASE_WRITES,
    blocking_violations,
    check_prerequisites,
    later_phases,
    run_engine,
)
from planning_core.service.queue import COMPLETION_BLOCKED, RunHandle, enqueue_run
from planning_core.service.revisions import RevisionNote, collect_warnings, set_current, snapshot
from planning_core.settings import get_settings

ProgressCallback = Callable[[Phase, str], None]


class PlanStore:
    """The storage and execution machinery of the flow service for one client account and engagement.

    `start_worker`, when given, is called before a run is queued: the app passes the function that
    keeps its in-process background worker running (workers on other machines need nothing).
    """

    def __init__(
        self,
        database: Database,
        tenant: TenantContext,
        *,
        start_worker: Callable[[], object] | None = None,
    ) -> None:
        self.database = database
        self.tenant = tenant
        self.start_worker = start_worker

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

    # ----------------------------------------------------------------- inline or background
    @staticmethod
    def runs_in_background() -> bool:
        """Whether phase runs go to the background worker: a specialist's LLM review may take minutes.

        The only place that decides how a run executes; pages never ask.
        """
        return llm_configured()

    def _queue(self, planning_flow_id: str, plan: PlanDocument | None = None) -> RunHandle:
        """Queue a background run of the plan's remaining phases (the worker started first)."""
        if self.start_worker is not None:
            self.start_worker()
        job_id = enqueue_run(self.database, self.tenant, planning_flow_id)
        return RunHandle(planning_flow_id=planning_flow_id, plan=plan, job_id=job_id)

    # ----------------------------------------------------------------- engines and saves
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
        planning_flow_id = plan.planning_flow_id
        try:
            with Heartbeat(
                lambda: self._beat(planning_flow_id),
                get_settings().run_heartbeat_s,
                name=f"plan-heartbeat-{planning_flow_id[:8]}",
            ):
                for phase in phases:
                    plan, changed = self._run_phase(plan, portfolio, phase, changed, progress)
            try:
                return self._store(plan, portfolio, tuple(dict.fromkeys(changed)), note, complete=complete)
            except StaleWriteError:
                if phases:
                    self._mark_failed(
                        planning_flow_id,
                        phases[0],
                        "the plan was changed while this phase ran; run it again",
                    )
                raise
        except BaseException:
            self._release(planning_flow_id)
            raise

    def _create_plan(
        self,
        repo: Repository,
        *,
        name: str,
        config: PlanningConfig,
        selected: list[str],
        summary: str,
        changes: dict[str, Any],
    ) -> PlanDocument:
        """A new plan (every phase pending) with its revision 0, in the caller's transaction."""
        plan = repo.plans.create_plan(
            name=name or f"Migration plan ({len(selected)} applications)",
            config=config,
            selected_application_ids=selected,
            created_by=self.tenant.user_id,
        )
        repo.revisions.add_revision(
            planning_flow_id=plan.planning_flow_id,
            revision=0,
            action="initialize",
            summary=summary,
            changes=changes,
            snapshot=snapshot(plan),
            created_by=self.tenant.user_id,
        )
        return plan

    def _release(self, planning_flow_id: str) -> None:
        """Best effort, after a run gave up (a fault, an interrupt): clear its heartbeat so the plan shows
        as interrupted and can be resumed at once, not only once the heartbeat goes stale."""
        try:
            with self._uow() as repo:
                repo.plans.touch_heartbeat(planning_flow_id, alive=False)
        except Exception:  # the database may be the fault; then the heartbeat goes stale by itself
            return

    def _run_phase(
        self,
        plan: PlanDocument,
        portfolio: Portfolio,
        phase: Phase,
        changed: list[str],
        progress: ProgressCallback | None,
    ) -> tuple[PlanDocument, list[str]]:
        """Mark the phase running (with the documents computed so far and a fresh heartbeat), run its
        engine, and return the plan with the documents changed since that write."""
        if progress:
            progress(phase, f"{PHASE_LABELS[phase]}…")
        plan.phase_statuses[phase] = PhaseStatus.RUNNING
        set_current(plan)
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.save_plan(plan, expected_version=plan.version, documents=tuple(changed))
            repo.plans.touch_heartbeat(plan.planning_flow_id)
        try:
            self._apply_phase(plan, portfolio, phase)
        except PlanningError as error:
            self._store_failure(plan, portfolio, phase, str(error), ())
            raise
        except Exception as error:  # an engine bug must not leave the phase 'running'
            self._store_failure(plan, portfolio, phase, f"{type(error).__name__}: {error}", ())
            raise PlanningError(
                f"{PHASE_LABELS[phase]} failed unexpectedly ({type(error).__name__}); "
                "the last good plan is unchanged and the phase can be re-run."
            ) from error
        return plan, list(PHASE_WRITES[phase])

    def _beat(self, planning_flow_id: str) -> None:
        """The plan's heartbeat: its run is alive (status shows it running, not interrupted)."""
        with self.database.unit_of_work(self.tenant) as repo:
            repo.plans.touch_heartbeat(planning_flow_id)

    def _apply_phase(self, plan: PlanDocument, portfolio: Portfolio, phase: Phase) -> None:
        """One engine (and its specialist, when an LLM is configured) on the in-memory plan."""
        advice = advise(
            phase=phase,
            plan=plan,
            portfolio=portfolio,
            document=run_engine(plan, portfolio, phase),
            memory=memory_context(self.database, self.tenant) if llm_configured() else "",
        )
        setattr(plan, PHASE_DOCUMENT[phase], advice.document)
        if advice.run.outcome != "skipped":
            plan.agent_execution_log = [*plan.agent_execution_log, advice.run]
        plan.suggestions = advice.suggestions
        plan.phase_statuses[phase] = PhaseStatus.COMPLETED
        for later in later_phases(phase):
            if plan.phase_statuses.get(later) == PhaseStatus.COMPLETED:
                plan.phase_statuses[later] = PhaseStatus.STALE
        plan.warnings = collect_warnings(plan)
        set_current(plan)

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
                saved = repo.plans.save_plan(plan, expected_version=expected, documents=documents)
        if complete and not blocking:
            record_learning(self.database, self.tenant, saved)
        return saved

    def _completion(self, plan: PlanDocument, portfolio: Portfolio) -> list:
        """Freeze the plan as completed in memory, unless hard violations (recomputed from the wave plan)
        are unresolved: those are returned."""
        check_prerequisites(plan, Phase.COMPLETED)
        blocking = blocking_violations(plan, portfolio)
        if blocking:
            plan.phase_statuses[Phase.COMPLETED] = PhaseStatus.PENDING
            plan.warnings = collect_warnings(plan) + [
                f"{COMPLETION_BLOCKED}: {len(blocking)} hard violation(s) to fix on the wave board."
            ]
            plan.planning_completed_at = None
        else:
            plan.phase_statuses[Phase.COMPLETED] = PhaseStatus.COMPLETED
            plan.planning_completed_at = datetime.now(UTC)
            plan.warnings = collect_warnings(plan)
        set_current(plan)
        return blocking

    def _store_failure(
        self, plan: PlanDocument, portfolio: Portfolio, phase: Phase, message: str, documents: tuple[str, ...]
    ) -> None:
        """Keep what was computed before a failing phase, and mark that phase failed."""
        plan.phase_statuses[phase] = PhaseStatus.FAILED
        plan.warnings = list(dict.fromkeys([*plan.warnings, f"{PHASE_LABELS[phase]} failed: {message}"]))
        set_current(plan)
        try:
            with self._uow(Action.EDIT_PLAN) as repo:
                repo.plans.save_plan(plan, expected_version=plan.version, documents=documents)
        except StaleWriteError:
            self._mark_failed(plan.planning_flow_id, phase, message)

    def _mark_failed(self, planning_flow_id: str, phase: Phase, message: str) -> None:
        with self._uow() as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            plan.phase_statuses[phase] = PhaseStatus.FAILED
            plan.warnings = list(dict.fromkeys([*plan.warnings, f"{PHASE_LABELS[phase]} failed: {message}"]))
            set_current(plan)
            repo.plans.save_plan(plan, expected_version=plan.version, documents=())

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
        saved = repo.plans.save_plan(plan, expected_version=expected_version, documents=documents)
        repo.revisions.add_revision(
            planning_flow_id=saved.planning_flow_id,
            revision=saved.revision,
            action=action,
            summary=summary[:500],
            changes=changes,
            snapshot=snapshot(saved),
            created_by=self.tenant.user_id,
        )
        return saved
