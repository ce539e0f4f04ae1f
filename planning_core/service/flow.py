"""The Planning Flow service: initialize, execute phases, status, the analyst's edits, revisions, rollback,
and runs inline or in the background.

Every public method is one or more short transactions through the tenant-scoped repository (see
`planning_core.service.store` for how a plan is stored and its phases run, and
`planning_core.service.edits` for the edit verbs). Pages call these methods and draw the result; they
never run an engine and never decide how a run executes.
"""

from __future__ import annotations

from typing import Any

from db.jobs import JobInfo
from db.tenancy import TenancyRepository
from db.types import utcnow
from planning_core import limits
from planning_core.access import Action
from planning_core.domain import PHASE_ORDER, RUNNABLE_PHASES, Phase, PhaseStatus, PlanningConfig, Portfolio
from planning_core.errors import InvalidInput
from planning_core.plan import PlanDocument
from planning_core.service.edits import MAX_NAME_LENGTH, PlanEdits, format_validation_error, parse_config
from planning_core.service.memory import wizard_defaults
from planning_core.service.phases import PHASE_LABELS, blocking_violations, check_prerequisites
from planning_core.service.portfolio import with_import_warnings
from planning_core.service.queue import PlanStatus, RunHandle, active_job, job_status, plan_status
from planning_core.service.revisions import RevisionNote, check_version, restored
from planning_core.service.store import ProgressCallback
from planning_core.settings import get_settings

__all__ = [
    "MAX_NAME_LENGTH",
    "PlanStatus",
    "PlanningService",
    "RunHandle",
    "format_validation_error",
    "parse_config",
]


class PlanningService(PlanEdits):
    """The flow for one client account and engagement."""

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
    def import_portfolio(self, portfolio: Portfolio, source: str | None = None) -> tuple[int, int]:
        """Merge a portfolio into the engagement's in one transaction; returns (applications,
        dependencies) added or changed. Re-importing the same source changes nothing (0, 0); a second
        source (say, a dependency export after an inventory) merges into the applications already there.
        With a source name the import is a sync of that source (planning_core.service.portfolio).
        """
        from planning_core.portfolio.importers import merge_previews
        from planning_core.service.portfolio import PortfolioService

        if source is not None:
            done = PortfolioService(self.database, self.tenant).sync(source, portfolio)
            counts = done.counts()
            return (
                counts["applications_added"] + counts["applications_changed"],
                counts["dependencies_added"] + counts["dependencies_changed"],
            )
        limits.check_portfolio_size(portfolio)
        with self._uow(Action.EDIT_PLAN) as repo:
            existing = repo.portfolio.load_portfolio()
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
                repo.portfolio.upsert_portfolio(merged)
            return changed_apps, changed_deps

    def portfolio(self, application_ids: list[str] | None = None) -> Portfolio:
        with self._uow() as repo:
            return repo.portfolio.load_portfolio(application_ids)

    # ----------------------------------------------------------------- flows
    def list_plans(self) -> list[PlanDocument]:
        with self._uow() as repo:
            return repo.plans.list_plans()

    def get_plan(self, planning_flow_id: str) -> PlanDocument:
        """The stored plan with its applications and dependencies filled in."""
        with self._uow() as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
            with_import_warnings(repo, plan)
        plan.applications = portfolio.applications
        plan.dependencies = portfolio.dependencies
        return plan

    def revisions(self, planning_flow_id: str) -> list:
        with self._uow() as repo:
            return repo.revisions.list_revisions(planning_flow_id)

    def suggested_config(self) -> PlanningConfig:
        """A new plan's settings: the defaults, with what this engagement's last completed plan used."""
        return parse_config(wizard_defaults(self.database, self.tenant))

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
            known = {a.application_id for a in repo.portfolio.list_applications(selected)}
            unknown = [i for i in selected if i not in known]
            if unknown:
                shown = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
                raise InvalidInput(
                    f"{len(unknown)} selected application id(s) do not exist in this engagement: {shown}"
                )
            plan = self._create_plan(
                repo,
                name=name,
                config=parsed,
                selected=selected,
                summary=f"Plan created for {len(selected)} applications",
                changes={},
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
            plan = repo.plans.get_plan(planning_flow_id)
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
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
            plan = repo.plans.get_plan(planning_flow_id)
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
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

    # ----------------------------------------------------------------- runs
    def request_run(
        self,
        planning_flow_id: str,
        *,
        progress: ProgressCallback | None = None,
        start: Phase | None = None,
    ) -> RunHandle:
        """Run the plan's remaining phases the way this deployment runs them: queued for the background
        worker when a specialist's LLM review may take minutes (the handle's job_id; `progress` is not
        called), else inline, reporting each phase to `progress` (the handle's plan, computed).
        """
        if self.runs_in_background():
            return self._queue(planning_flow_id)
        return RunHandle(
            planning_flow_id, plan=self.run_all(planning_flow_id, progress=progress, start=start)
        )

    def active_run(self, planning_flow_id: str) -> JobInfo | None:
        """The plan's queued or running background run (status, progress text), if runs go to
        the background and one is active; None otherwise."""
        if not self.runs_in_background():
            return None
        return active_job(self.database, self.tenant, planning_flow_id)

    def run_status(self, job_id: str) -> JobInfo:
        """A background run of this engagement (status, progress text, heartbeat and error)."""
        return job_status(self.database, self.tenant, job_id)

    # ----------------------------------------------------------------- run status and resume
    def plan_statuses(self) -> list[PlanStatus]:
        """Every plan of the engagement with its run status (newest first): what the sidebar, the status
        page and `planning-flow status` show. `running` only while a live process owns the run."""
        with self._uow() as repo:
            plans = repo.plans.list_plans()
            beats = repo.plans.heartbeats()
        stale_after_s, now = get_settings().run_stale_after_s, utcnow()
        return [
            plan_status(p, beats.get(p.planning_flow_id), now=now, stale_after_s=stale_after_s) for p in plans
        ]

    def plan_status(self, planning_flow_id: str) -> PlanStatus:
        """One plan's run status (NotFound for a plan of another engagement)."""
        with self._uow() as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            beat = repo.plans.heartbeat_at(planning_flow_id)
        return plan_status(plan, beat, now=utcnow(), stale_after_s=get_settings().run_stale_after_s)

    def resume(self, planning_flow_id: str, *, progress: ProgressCallback | None = None) -> PlanDocument:
        """Run the plan's remaining phases, from the first unfinished one: a run that was interrupted
        (its process died), failed or was never finished. Phases already stored are not computed again.
        Refused while a live process still runs the plan."""
        status = self.plan_status(planning_flow_id)
        if status.status == "running":
            raise InvalidInput(
                f"Plan {planning_flow_id} is being run by another process "
                f"({PHASE_LABELS[status.phase].lower()}); wait for it to finish, or resume it once it "
                "shows as interrupted."
            )
        return self.run_all(planning_flow_id, progress=progress)

    def hard_violations(self, plan: PlanDocument) -> int:
        """How many hard violations refuse the plan's completion (the plan as returned by get_plan or a
        run: its applications and dependencies filled in)."""
        portfolio = Portfolio(applications=plan.applications, dependencies=plan.dependencies)
        return len(blocking_violations(plan, portfolio))

    def rollback(self, *, planning_flow_id: str, revision: int, expected_version: int) -> PlanDocument:
        """Restore the plan as it was at a revision (recorded as a new revision; nothing is deleted)."""
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            check_version(plan, expected_version, rollback=True)
            revision_snapshot = repo.revisions.get_revision_snapshot(planning_flow_id, revision)
            self._save_revision(
                repo,
                restored(plan, revision_snapshot),
                expected_version,
                "rollback",
                f"Rolled back to revision {revision}",
                {"rolled_back_to": revision, "previous_revision": plan.revision},
            )
        return self.get_plan(planning_flow_id)
