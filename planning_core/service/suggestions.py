"""The analyst's review of the specialists' suggestions: list them (ready to draw), accept one, edit one
then accept it, reject one, accept every pending one of a kind.

A suggestion is re-validated against the plan as it is now before it is applied (it may have been made
on an older version): one the validators now refuse is stored `invalid` with the reason and never
applied. Accepting applies the change through the flow's edit verbs (a wave move is `edit_waves`'
move_application, a wave's dates its set_wave_dates, a headcount change `change_config`), or, for the
kinds no verb covers as one change (a transfer of hours, a cost line, a crew's bounds, a batch of wave
dates), through the same validated steps
the verbs use; the change, the suggestions' new statuses (who and when) and the revision are stored in
one transaction. Notes change no number: accepting one only records the decision.

Which suggestions wait for the analyst at all is the plan's `PlanningConfig.suggestion_mode`: "review"
(the dashboard's wizard) keeps every valid one pending, "apply" (the default, the command line's)
applies those that change the document under review at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from planning_core import limits
from planning_core.access import Action
from planning_core.agents.actions import EDITABLE, ChangeRefused, Draft, apply_change, earliest_phase
from planning_core.agents.suggestions import describe_change
from planning_core.domain import PHASE_LABELS, PlanningConfig, Portfolio
from planning_core.errors import InvalidInput, NotFound
from planning_core.plan import PlanDocument, Suggestion, SuggestionKind, SuggestionStatus
from planning_core.service.flow import PlanningService
from planning_core.service.queue import RunHandle
from planning_core.service.revisions import check_version

KIND_LABELS: dict[SuggestionKind, str] = {
    SuggestionKind.WAVE_MOVE: "Wave move",
    SuggestionKind.RESOURCE_TRANSFER: "Resource transfer",
    SuggestionKind.WAVE_NOT_BEFORE: "Not-before date",
    SuggestionKind.WAVE_FIXED_CUTOVER: "Fixed cut-over",
    SuggestionKind.CREW_CHANGE: "Crew change",
    SuggestionKind.COST_LINE: "Cost line",
    SuggestionKind.NOTE: "Note",
}
Marks = Callable[[PlanDocument], None]


@dataclass(frozen=True)
class SuggestionView:
    """One suggestion as the Advisers panel shows it: labels, the change in one line, and whether the
    validators accept it on the plan as it is now (`valid_now`, `problem_now`: pending ones only)."""

    suggestion_id: str
    agent: str
    phase: str
    phase_label: str
    kind: str
    kind_label: str
    summary: str
    rationale: str
    status: str
    validation: str
    valid_now: bool
    problem_now: str
    made_on_version: int
    editable: tuple[str, ...]
    change: dict[str, Any]
    applied_change: dict[str, Any] | None
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @property
    def pending(self) -> bool:
        return self.status == SuggestionStatus.PENDING.value


@dataclass(frozen=True)
class Decision:
    """What accepting suggestions did: the plan as stored after it (and the queued run, if the later
    phases are recomputed in the background), the suggestions applied, those refused with the reason."""

    handle: RunHandle
    applied: tuple[str, ...]
    refused: dict[str, str]


def _view(s: Suggestion, problem: str) -> SuggestionView:
    return SuggestionView(
        suggestion_id=s.suggestion_id,
        agent=s.agent,
        phase=s.phase.value,
        phase_label=PHASE_LABELS[s.phase],
        kind=s.kind.value,
        kind_label=KIND_LABELS[s.kind],
        summary=describe_change(s.kind, s.applied_change or s.change),
        rationale=s.rationale,
        status=s.status.value,
        validation=s.validation,
        valid_now=s.status == SuggestionStatus.PENDING and not problem,
        problem_now=problem,
        made_on_version=s.plan_version,
        editable=EDITABLE[s.kind],
        change=dict(s.change),
        applied_change=dict(s.applied_change) if s.applied_change is not None else None,
        decided_by=s.decided_by,
        decided_at=s.decided_at,
        decision_note=s.decision_note,
        created_at=s.created_at,
    )


def _problem(template: Draft, s: Suggestion) -> str:
    """Why the validators refuse the suggestion on the plan as it is ('' when they accept it)."""
    draft = dataclasses.replace(template, changed=set())
    try:
        apply_change(draft, s.kind, s.change, reason="check")
    except ChangeRefused as error:
        return str(error)
    return ""


def _edited(s: Suggestion, edit: dict[str, Any] | None) -> dict[str, Any]:
    """The suggestion's change with the analyst's edit (only the kind's editable keys)."""
    if not edit:
        return dict(s.change)
    allowed = EDITABLE[s.kind]
    unknown = sorted(set(edit) - set(allowed))
    if unknown:
        shown = ", ".join(allowed) or "nothing"
        label = KIND_LABELS[s.kind].lower()
        raise InvalidInput(f"A {label} suggestion cannot change {', '.join(unknown)} (editable: {shown}).")
    return {**s.change, **edit}


class SuggestionService(PlanningService):
    """The suggestions of the plans of one client account and engagement, and the analyst's decisions."""

    _marks: Marks | None = None

    # ----------------------------------------------------------------- reading
    def suggestions(
        self,
        planning_flow_id: str,
        *,
        status: SuggestionStatus | str | None = None,
        kind: SuggestionKind | str | None = None,
    ) -> list[SuggestionView]:
        """The plan's suggestions, newest first, pending ones re-validated against the plan as it is."""
        plan = self.get_plan(planning_flow_id)
        portfolio = Portfolio(applications=plan.applications, dependencies=plan.dependencies)
        template = Draft.of(plan, portfolio)
        views = []
        for s in reversed(plan.suggestions):
            if (status is not None and s.status != status) or (kind is not None and s.kind != kind):
                continue
            views.append(_view(s, _problem(template, s) if s.status == SuggestionStatus.PENDING else ""))
        return views

    def pending_counts(self, planning_flow_id: str) -> dict[str, int]:
        """How many suggestions of each kind wait for the analyst (for a badge on the board)."""
        counts: dict[str, int] = {}
        for s in self.get_plan(planning_flow_id).suggestions:
            if s.status == SuggestionStatus.PENDING:
                counts[s.kind.value] = counts.get(s.kind.value, 0) + 1
        return counts

    # ----------------------------------------------------------------- decisions
    def accept(
        self, planning_flow_id: str, expected_version: int, suggestion_id: str, *, reason: str = ""
    ) -> Decision:
        """Apply one pending suggestion as proposed, re-validated against the current plan first; a
        suggestion the validators now refuse is stored invalid and InvalidInput says why."""
        return self._accept(planning_flow_id, expected_version, [(suggestion_id, None)], reason, strict=True)

    def edit_and_accept(
        self,
        planning_flow_id: str,
        expected_version: int,
        suggestion_id: str,
        change: dict[str, Any],
        *,
        reason: str = "",
    ) -> Decision:
        """Apply one pending suggestion with the analyst's changes (only its kind's editable keys, see
        SuggestionView.editable); it is stored `edited`, with what was applied."""
        return self._accept(
            planning_flow_id, expected_version, [(suggestion_id, change)], reason, strict=True
        )

    def accept_all(
        self, planning_flow_id: str, expected_version: int, kind: SuggestionKind | str, *, reason: str = ""
    ) -> Decision:
        """Apply every pending suggestion of a kind, oldest first, as one revision; those the validators
        refuse on the plan as the earlier ones left it are stored invalid (Decision.refused)."""
        kind = SuggestionKind(kind)
        plan, _ = self._read(planning_flow_id, expected_version)
        ids: list[tuple[str, dict[str, Any] | None]] = [
            (s.suggestion_id, None)
            for s in plan.suggestions
            if s.kind == kind and s.status == SuggestionStatus.PENDING
        ]
        if not ids:
            raise InvalidInput(f"No {KIND_LABELS[kind].lower()} suggestion is pending.")
        return self._accept(planning_flow_id, expected_version, ids, reason, strict=False)

    def reject(
        self, planning_flow_id: str, expected_version: int, suggestion_id: str, *, reason: str = ""
    ) -> PlanDocument:
        """Turn a pending suggestion down (who, when and the reason are kept); nothing else changes."""
        reason = limits.check_reason(reason)
        plan, _ = self._read(planning_flow_id, expected_version)
        self._pending(plan, suggestion_id)
        now, user = datetime.now(UTC), self.tenant.user_id

        def mark(stored: PlanDocument) -> None:
            self._set(
                stored,
                suggestion_id,
                status=SuggestionStatus.REJECTED,
                decided_by=user,
                decided_at=now,
                decision_note=reason,
            )

        return self._save_marks(planning_flow_id, expected_version, mark)

    # ----------------------------------------------------------------- the machinery
    def _load_for_edit(
        self, planning_flow_id: str, expected_version: int, *, config: PlanningConfig | None = None
    ) -> tuple[PlanDocument, Portfolio]:
        """The edit verbs' load, with the decisions being made marked on the plan they store: the
        change, the statuses and the revision are one write."""
        plan, portfolio = super()._load_for_edit(planning_flow_id, expected_version, config=config)
        if self._marks is not None:
            self._marks(plan)
        return plan, portfolio

    @contextmanager
    def _marking(self, marks: Marks) -> Iterator[None]:
        self._marks = marks
        try:
            yield
        finally:
            self._marks = None

    def _read(self, planning_flow_id: str, expected_version: int) -> tuple[PlanDocument, Portfolio]:
        """The stored plan and its portfolio, if the user may edit it and it is still the version they saw."""
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            check_version(plan, expected_version)
            portfolio = repo.portfolio.load_plan_portfolio(plan.planning_flow_id, plan.selected_applications)
        return plan, portfolio

    @staticmethod
    def _pending(plan: PlanDocument, suggestion_id: str) -> Suggestion:
        s = next((s for s in plan.suggestions if s.suggestion_id == suggestion_id), None)
        if s is None:
            raise NotFound(f"The plan has no suggestion {suggestion_id}.")
        if s.status != SuggestionStatus.PENDING:
            raise InvalidInput(
                f"This suggestion is {s.status.value} already; only a pending one can be decided."
            )
        return s

    @staticmethod
    def _set(plan: PlanDocument, suggestion_id: str, **update: Any) -> None:
        plan.suggestions = [
            s.model_copy(update=update) if s.suggestion_id == suggestion_id else s for s in plan.suggestions
        ]

    def _save_marks(self, planning_flow_id: str, expected_version: int, marks: Marks) -> PlanDocument:
        """Store decisions that change no document (no revision: the plan's numbers are unchanged)."""
        with self._uow(Action.EDIT_PLAN) as repo:
            plan = repo.plans.get_plan(planning_flow_id)
            check_version(plan, expected_version)
            marks(plan)
            repo.plans.save_plan(plan, expected_version=expected_version, documents=())
        return self.get_plan(planning_flow_id)

    def _accept(
        self,
        planning_flow_id: str,
        expected_version: int,
        items: list[tuple[str, dict[str, Any] | None]],
        reason: str,
        *,
        strict: bool,
    ) -> Decision:
        reason = limits.check_reason(reason)
        plan, portfolio = self._read(planning_flow_id, expected_version)
        draft = Draft.of(plan, portfolio)
        applied: dict[str, tuple[Suggestion, dict[str, Any]]] = {}
        refused: dict[str, str] = {}
        moved: set[str] = set()
        for suggestion_id, edit in items:
            s = self._pending(plan, suggestion_id)
            change = _edited(s, edit)
            label = f"Suggested by {s.agent}: {s.rationale}" if s.rationale else f"Suggested by {s.agent}."
            try:
                if s.kind == SuggestionKind.WAVE_MOVE and change.get("application_id") in moved:
                    raise ChangeRefused("an earlier suggestion of this batch moves the same application")
                apply_change(draft, s.kind, change, reason=(reason or label)[:1000])
            except ChangeRefused as error:
                refused[suggestion_id] = str(error)
                continue
            moved.add(str(change.get("application_id", "")))
            applied[suggestion_id] = (s, change)
        marks = self._marks_for(plan, applied, refused, edited={i for i, e in items if e}, reason=reason)
        if not applied:
            stored = self._save_marks(planning_flow_id, expected_version, marks)
            if strict:
                raise InvalidInput(
                    "The suggestion no longer passes the validators on the current plan: "
                    + "; ".join(refused.values())
                    + ". It is recorded as invalid."
                )
            return Decision(RunHandle(planning_flow_id, plan=stored), (), refused)
        summary = reason or self._summary(list(applied.values()))
        handle = self._apply(planning_flow_id, expected_version, draft, applied, summary, marks)
        return Decision(handle, tuple(applied), refused)

    def _marks_for(
        self,
        plan: PlanDocument,
        applied: dict[str, tuple[Suggestion, dict[str, Any]]],
        refused: dict[str, str],
        *,
        edited: set[str],
        reason: str,
    ) -> Marks:
        now, user, version, revision = datetime.now(UTC), self.tenant.user_id, plan.version, plan.revision

        def marks(stored: PlanDocument) -> None:
            for suggestion_id, (s, change) in applied.items():
                document_change = s.kind != SuggestionKind.NOTE
                self._set(
                    stored,
                    suggestion_id,
                    status=SuggestionStatus.EDITED if suggestion_id in edited else SuggestionStatus.ACCEPTED,
                    decided_by=user,
                    decided_at=now,
                    decision_note=reason,
                    validated_version=version,
                    applied_change=change,
                    applied_revision=revision + 1 if document_change else None,
                )
            for suggestion_id, problem in refused.items():
                self._set(
                    stored,
                    suggestion_id,
                    status=SuggestionStatus.INVALID,
                    valid=False,
                    validation=problem,
                    validated_version=version,
                )

        return marks

    @staticmethod
    def _summary(applied: list[tuple[Suggestion, dict[str, Any]]]) -> str:
        agents = ", ".join(sorted({s.agent for s, _ in applied}))
        changes = "; ".join(describe_change(s.kind, c) for s, c in applied[:10])
        more = f" and {len(applied) - 10} more" if len(applied) > 10 else ""
        return limits.check_reason(f"Accepted suggestion(s) of {agents}: {changes}{more}"[:2000])

    def _apply(
        self,
        planning_flow_id: str,
        expected_version: int,
        draft: Draft,
        applied: dict[str, tuple[Suggestion, dict[str, Any]]],
        summary: str,
        marks: Marks,
    ) -> RunHandle:
        """Store the draft's changes with the decisions, through the edit verbs where one covers them."""
        kinds = {s.kind for s, _ in applied.values()}
        if kinds == {SuggestionKind.NOTE}:
            stored = self._save_marks(planning_flow_id, expected_version, marks)
            return RunHandle(planning_flow_id, plan=stored)
        with self._marking(marks):
            if kinds == {SuggestionKind.WAVE_MOVE}:
                moves = {str(c["application_id"]): int(c["to_wave"]) for _, c in applied.values()}
                confirm = bool(draft.baseline)  # the plan's own violations; the moves add none
                if len(moves) == 1:
                    ((app_id, wave),) = moves.items()
                    return self.edit_waves(
                        planning_flow_id,
                        expected_version,
                        "move_application",
                        reason=summary,
                        confirm_violations=confirm,
                        application_id=app_id,
                        to_wave=wave,
                    )
                return self.edit_waves(
                    planning_flow_id,
                    expected_version,
                    "edit_assignments",
                    reason=summary,
                    confirm_violations=confirm,
                    moves=moves,
                    locks={},
                )
            dates = {SuggestionKind.WAVE_NOT_BEFORE, SuggestionKind.WAVE_FIXED_CUTOVER}
            if len(applied) == 1 and kinds <= dates and draft.wave_plan is not None:
                ((_, change),) = applied.values()
                dated = next(w for w in draft.wave_plan.waves if w.wave_number == change["wave_number"])
                return self.edit_waves(
                    planning_flow_id,
                    expected_version,
                    "set_wave_dates",
                    reason=summary,
                    confirm_violations=bool(draft.baseline),
                    wave_number=dated.wave_number,
                    not_before=dated.not_before,
                    fixed_cutover=dated.fixed_cutover,
                )
            if draft.headcount_changed:  # the team's capacity changes: every phase is recomputed
                return self.change_config(planning_flow_id, expected_version, draft.config, reason=summary)
            config = draft.config if "planning_config" in draft.changed else None
            plan, portfolio = self._load_for_edit(planning_flow_id, expected_version, config=config)
        changes: dict[str, Any] = {}
        if "wave_plan" in draft.changed and draft.wave_plan is not None:
            changes["wave_plan"] = self._set_wave_plan(plan, portfolio, draft.wave_plan, True)
        if "resource_allocation" in draft.changed and draft.allocation is not None:
            changes["resource_allocation"] = self._set_allocation(plan, draft.allocation, summary)
        if config is not None:
            changes["planning_config"] = self._set_config(plan, config)
        return self._save_edit(plan, portfolio, summary, changes, earliest_phase(draft, kinds))
