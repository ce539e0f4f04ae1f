"""The analyst's edits of the portfolio, one verb each: an application's 6R strategy, complexity, effort,
criticality, skills or pinned wave; a dependency added or removed; an application archived or restored.

Each verb validates through the domain models before anything is written (refused input changes
nothing and says why in one line), writes the change and one audit row (who, when, before, after) in one
transaction, and marks every plan whose portfolio the change alters stale from wave planning on (one
revision each); the plans whose `auto_progress` is on are then recomputed (inline, or queued for the
background worker: the service decides, as for any edit).

An edit is a manual override of the workspace row: a later import of a source that gives the
application replaces it (see `planning_core.service.portfolio`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from db.portfolio_edits import EDITABLE_COLUMNS, EditInfo
from db.repository import Repository
from planning_core import limits
from planning_core.access import Action
from planning_core.domain import (
    PHASE_ORDER,
    RUNNABLE_PHASES,
    Application,
    Dependency,
    DependencyType,
    Phase,
    PhaseStatus,
)
from planning_core.errors import InvalidInput, PlanningError, StaleWriteError
from planning_core.service.edits import format_validation_error
from planning_core.service.phases import check_prerequisites
from planning_core.service.queue import RunHandle
from planning_core.service.revisions import RevisionNote, collect_warnings, set_current
from planning_core.service.store import PlanStore

EDITABLE_FIELDS: tuple[str, ...] = EDITABLE_COLUMNS

__all__ = ["EDITABLE_FIELDS", "EditInfo", "PortfolioEdit", "PortfolioEditing", "edited_application"]


@dataclass
class PortfolioEdit:
    """What one edit did: its audit row, the plans it marked stale and the runs it asked for."""

    edit: EditInfo
    stale_plans: list[str] = field(default_factory=list)
    runs: list[RunHandle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # recomputations that failed (the plan stays stale)

    def message(self) -> str:
        """The edit as one sentence for the page."""
        text = f"{describe(self.edit)} saved."
        if self.stale_plans:
            queued = sum(1 for r in self.runs if r.queued)
            done = len(self.runs) - queued
            text += f" {len(self.stale_plans)} plan(s) marked stale"
            if done:
                text += f", {done} recomputed"
            if queued:
                text += f", {queued} queued for recomputation"
            text += "."
        return text


def describe(edit: EditInfo) -> str:
    """An audited edit in a few words."""
    if edit.target_application_id is not None:
        edge = f"{edit.application_id} → {edit.target_application_id} ({edit.dependency_type})"
        return f"Dependency {edge} {'added' if edit.action == 'add_dependency' else 'removed'}"
    if edit.action == "edit":
        fields = ", ".join(f"{k} {edit.before.get(k)!r} → {v!r}" for k, v in edit.after.items())
        return f"{edit.application_id}: {fields}"
    return f"{edit.application_id} {edit.action}d"


def _as_json(app: Application, names: list[str]) -> dict[str, Any]:
    dumped = app.model_dump(mode="json")
    return {name: dumped[name] for name in names}


def edited_application(app: Application, changes: Mapping[str, Any]) -> Application:
    """The application with the changes applied, validated (InvalidInput, one line, otherwise).

    Only EDITABLE_FIELDS may change; values are validated as the domain model validates them (complexity
    1 to 10, a known 6R strategy and criticality, effort and pinned wave in range or empty...).
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"{app.application_id}: {', '.join(unknown)} cannot be edited here; "
            f"editable: {', '.join(EDITABLE_FIELDS)}."
        )
    try:
        return Application.model_validate({**app.model_dump(), **dict(changes)})
    except ValidationError as error:
        raise InvalidInput(f"{app.application_id}: {format_validation_error(error)}") from error


def _dependency(source: str, target: str, dependency_type: str, weight: float = 1.0) -> Dependency:
    try:
        return Dependency(
            source_application_id=source,
            target_application_id=target,
            dependency_type=DependencyType(dependency_type),
            weight=weight,
        )
    except ValueError as error:  # ValidationError is a ValueError
        detail = format_validation_error(error) if isinstance(error, ValidationError) else str(error)
        raise InvalidInput(f"Dependency {source} → {target}: {detail}") from error


class PortfolioEditing(PlanStore):
    """The edit verbs of the portfolio service (PortfolioService)."""

    def edit_application(
        self,
        application_id: str,
        changes: Mapping[str, Any],
        *,
        expected: Mapping[str, Any] | None = None,
        reason: str = "",
    ) -> PortfolioEdit:
        """Change some of an application's editable fields. `expected`: the values the analyst saw (the
        edit is refused, StaleWriteError, when someone changed them meanwhile)."""
        reason = limits.check_reason(reason)
        with self._uow(Action.EDIT_PLAN) as repo:
            stored = repo.portfolio.stored_application(application_id)
            current = stored.application
            new = edited_application(current, changes)
            if expected is not None:
                self._check_expected(current, expected)
            before = current.model_dump(mode="json")
            after = new.model_dump(mode="json")
            names = [n for n in EDITABLE_FIELDS if before[n] != after[n]]
            if not names:
                raise InvalidInput(f"{application_id}: nothing to change.")
            repo.portfolio.update_application_fields(new)
            edit = repo.portfolio.add_edit(
                action="edit",
                application_id=application_id,
                before=_as_json(current, names),
                after=_as_json(new, names),
                user=self.tenant.user_id,
                reason=reason,
                import_id=stored.import_id,
            )
            stale = self._mark_stale(
                repo, edit, [p for p, _ in repo.portfolio.plans_selecting([application_id])]
            )
        return self._recompute(edit, stale)

    def archive_application(self, application_id: str, *, reason: str = "") -> PortfolioEdit:
        """Hide an application from the portfolio (and from the plans that select it; they go stale)."""
        return self._set_archived(application_id, True, reason)

    def restore_application(self, application_id: str, *, reason: str = "") -> PortfolioEdit:
        """Show an archived application again (in the plans that select it too; they go stale)."""
        return self._set_archived(application_id, False, reason)

    def add_dependency(
        self,
        source_application_id: str,
        target_application_id: str,
        dependency_type: str = DependencyType.PRECEDES.value,
        *,
        weight: float = 1.0,
        reason: str = "",
    ) -> PortfolioEdit:
        """Add a dependency between two applications of the workspace. No source gives it, so no
        re-import removes it; plans that record their sources plan only what those sources give."""
        reason = limits.check_reason(reason)
        dep = _dependency(source_application_id, target_application_id, dependency_type, weight)
        with self._uow(Action.EDIT_PLAN) as repo:
            for app_id in (dep.source_application_id, dep.target_application_id):
                repo.portfolio.stored_application(app_id)
            key = (dep.source_application_id, dep.target_application_id, dep.dependency_type)
            if repo.portfolio.find_dependency(*key) is not None:
                raise InvalidInput(
                    f"Dependency {key[0]} → {key[1]} ({key[2].value}) already exists in this engagement."
                )
            repo.portfolio.insert_dependency(dep)
            edit = repo.portfolio.add_edit(
                action="add_dependency",
                application_id=key[0],
                target_application_id=key[1],
                dependency_type=key[2].value,
                before={},
                after={"weight": dep.weight},
                user=self.tenant.user_id,
                reason=reason,
            )
            plans = [p for p, sources in repo.portfolio.plans_selecting(key[:2], every=True) if not sources]
            stale = self._mark_stale(repo, edit, plans)
        return self._recompute(edit, stale)

    def remove_dependency(
        self,
        source_application_id: str,
        target_application_id: str,
        dependency_type: str = DependencyType.PRECEDES.value,
        *,
        reason: str = "",
    ) -> PortfolioEdit:
        """Remove a dependency (a source that gives it brings it back when imported again)."""
        reason = limits.check_reason(reason)
        try:
            kind = DependencyType(dependency_type)
        except ValueError as error:
            raise InvalidInput(
                f"Unknown dependency type {dependency_type!r}; types are: "
                f"{', '.join(t.value for t in DependencyType)}."
            ) from error
        key = (source_application_id, target_application_id, kind)
        with self._uow(Action.EDIT_PLAN) as repo:
            dep = repo.portfolio.find_dependency(*key)
            if dep is None:
                raise InvalidInput(
                    f"Dependency {key[0]} → {key[1]} ({kind.value}) does not exist in this engagement."
                )
            givers = set(repo.portfolio.sources_giving_dependency(*key))
            plans = [
                p
                for p, sources in repo.portfolio.plans_selecting(key[:2], every=True)
                if not sources or givers & set(sources)
            ]
            repo.portfolio.delete_dependency(*key)
            edit = repo.portfolio.add_edit(
                action="remove_dependency",
                application_id=key[0],
                target_application_id=key[1],
                dependency_type=kind.value,
                before={"weight": dep.weight},
                after={},
                user=self.tenant.user_id,
                reason=reason,
            )
            stale = self._mark_stale(repo, edit, plans)
        return self._recompute(edit, stale)

    def archived_applications(self) -> list[Application]:
        """The archived applications (to restore), in import order."""
        with self._uow() as repo:
            visible = {a.application_id for a in repo.portfolio.list_applications()}
            return [
                a
                for a in repo.portfolio.list_applications(include_archived=True)
                if a.application_id not in visible
            ]

    def portfolio_history(self, application_id: str | None = None, *, limit: int = 500) -> list[EditInfo]:
        """The audited edits of the portfolio (or of one application), newest first."""
        with self._uow() as repo:
            return repo.portfolio.list_edits(application_id, limit=limit)

    # ----------------------------------------------------------------- the steps
    @staticmethod
    def _check_expected(current: Application, expected: Mapping[str, Any]) -> None:
        now = current.model_dump(mode="json")
        try:
            seen = Application.model_validate({**current.model_dump(), **dict(expected)}).model_dump(
                mode="json"
            )
        except ValidationError as error:
            raise InvalidInput(f"{current.application_id}: {format_validation_error(error)}") from error
        moved = [name for name in expected if name in now and now[name] != seen[name]]
        if moved:
            shown = ", ".join(f"{n} is now {now[n]!r} (you saw {seen[n]!r})" for n in moved)
            raise StaleWriteError(
                f"{current.application_id} was changed by someone else: {shown}. "
                "Reload to see the latest values; your change was not saved."
            )

    def _set_archived(self, application_id: str, archived: bool, reason: str) -> PortfolioEdit:
        reason = limits.check_reason(reason)
        action = "archive" if archived else "restore"
        with self._uow(Action.EDIT_PLAN) as repo:
            stored = repo.portfolio.stored_application(application_id)
            if stored.archived == archived:
                state = "already archived" if archived else "not archived"
                raise InvalidInput(f"{application_id} is {state}.")
            repo.portfolio.archive_application(application_id, archived=archived)
            edit = repo.portfolio.add_edit(
                action=action,
                application_id=application_id,
                before={"archived": stored.archived},
                after={"archived": archived},
                user=self.tenant.user_id,
                reason=reason,
                import_id=stored.import_id,
            )
            stale = self._mark_stale(
                repo, edit, [p for p, _ in repo.portfolio.plans_selecting([application_id])]
            )
        return self._recompute(edit, stale)

    def _mark_stale(self, repo: Repository, edit: EditInfo, plan_ids: list[str]) -> list[tuple[str, bool]]:
        """Mark each plan's phases from wave planning on stale (one revision per plan that had computed
        any); returns (plan id, auto_progress) of those plans."""
        return self._mark_plans_stale(
            repo, plan_ids, "portfolio_edit", f"Portfolio edit: {describe(edit)}", {"portfolio_edit": edit.id}
        )

    def _mark_plans_stale(
        self, repo: Repository, plan_ids: list[str], action: str, summary: str, changes: dict[str, Any]
    ) -> list[tuple[str, bool]]:
        """The plans' phases from wave planning on marked stale, one revision per plan that had computed
        any (`action`, `summary`, `changes`); returns (plan id, auto_progress) of those plans."""
        marked: list[tuple[str, bool]] = []
        for planning_flow_id in plan_ids:
            plan = repo.plans.get_plan(planning_flow_id)
            changed = False
            for phase in PHASE_ORDER[PHASE_ORDER.index(Phase.WAVE_PLANNING) :]:
                if plan.phase_statuses.get(phase) in (PhaseStatus.COMPLETED, PhaseStatus.FAILED):
                    plan.phase_statuses[phase] = PhaseStatus.STALE
                    changed = True
            if not changed:
                continue
            plan.planning_completed_at = None
            plan.warnings = collect_warnings(plan)
            set_current(plan)
            self._save_revision(repo, plan, plan.version, action, summary[:500], changes, documents=())
            marked.append((planning_flow_id, plan.planning_config.auto_progress))
        return marked

    def _recompute(self, edit: EditInfo, stale: list[tuple[str, bool]]) -> PortfolioEdit:
        """Recompute the stale plans whose auto-progress is on, the way this deployment runs phases."""
        result = PortfolioEdit(edit=edit, stale_plans=[p for p, _ in stale])
        for planning_flow_id, auto in stale:
            if not auto:
                continue
            try:
                result.runs.append(self._run_remaining(planning_flow_id, describe(edit)))
            except PlanningError as error:
                result.problems.append(f"{planning_flow_id}: {error}")
        return result

    def _run_remaining(self, planning_flow_id: str, what: str) -> RunHandle:
        """Queue a background run of the plan's remaining phases, or run them inline (as
        PlanningService.request_run does)."""
        if self.runs_in_background():
            return self._queue(planning_flow_id)
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
        first = plan.current_phase
        if first == Phase.COMPLETED:
            return RunHandle(planning_flow_id, plan=self._with_portfolio(plan, portfolio))
        check_prerequisites(plan, first)
        phases = RUNNABLE_PHASES[PHASE_ORDER.index(first) :]
        note: RevisionNote = ("run", f"Recomputed after a portfolio edit: {what}"[:500], {})
        plan = self._compute(plan, portfolio, phases, note, complete=True)
        return RunHandle(planning_flow_id, plan=self._with_portfolio(plan, portfolio))
