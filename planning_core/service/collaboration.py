"""Several analysts on one plan: what changed since a page was drawn, a stale edit re-applied on the newer
version (or its conflicts with both values), and undo/redo of one's own change as an inverse edit on the
current version, never a jump back over someone else's work.

Functions over a PlanningService (`service`); they read through its public methods and save through its
edit verbs, so every save is checked, validated and recorded as one revision like any other edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from planning_core.engines.waves.models import Source, WavePlan
from planning_core.errors import InvalidInput, NotFound
from planning_core.service.edits import WAVE_OPERATIONS
from planning_core.service.queue import RunHandle

if TYPE_CHECKING:
    from planning_core.service.flow import PlanningService

# Wave edits that touch single applications, and those that touch single waves.
APPLICATION_EDITS = {"move_application", "set_application_lock", "edit_assignments"}
WAVE_EDITS = {"rename_wave", "set_wave_lock"}
RESTORE = "restore_waves"  # the inverse of an edit with no finer inverse: the waves as they were


@dataclass(frozen=True)
class PlanChange:
    """One saved change of the plan by someone (for the 'plan changed' notice)."""

    revision: int
    by: str
    at: datetime | None
    summary: str


@dataclass(frozen=True)
class LatestState:
    """The stored plan's version and revision, and the changes after a given revision."""

    version: int
    revision: int
    changes: tuple[PlanChange, ...] = ()

    def by_others(self, user_id: str) -> tuple[PlanChange, ...]:
        return tuple(c for c in self.changes if c.by != user_id)


@dataclass(frozen=True)
class Conflict:
    """Where a stale edit and someone else's later change disagree: both values, and the one both saw."""

    what: str
    yours: str
    theirs: str
    was: str


@dataclass
class Outcome:
    """A re-applied edit or an undo: the run handle when saved, else the conflicts that stopped it;
    `skipped` lists the parts left out because someone changed them since."""

    handle: RunHandle | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    message: str = ""
    operation: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OwnChange:
    """An edit this analyst saved: what it did and the revisions before and after (for undo/redo)."""

    planning_flow_id: str
    before: int
    after: int
    operation: str
    arguments: dict[str, Any]
    reason: str


# --------------------------------------------------------------------------- notices
def latest_state(
    service: PlanningService, planning_flow_id: str, since_revision: int | None = None
) -> LatestState:
    """The stored plan's version and revision (a light read, for polling every few seconds); with
    since_revision, the changes recorded after it (who, when, what)."""
    light = next((p for p in service.list_plans() if p.planning_flow_id == planning_flow_id), None)
    if light is None:
        raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")
    changes: tuple[PlanChange, ...] = ()
    if since_revision is not None and light.revision > since_revision:
        with service._uow() as repo:
            history = repo.revisions.list_revisions(planning_flow_id)
        changes = tuple(
            PlanChange(revision=r.revision, by=r.created_by, at=r.created_at, summary=r.summary)
            for r in history
            if r.revision > since_revision
        )
    return LatestState(version=light.version, revision=light.revision, changes=changes)


# --------------------------------------------------------------------------- conflicts
def _places(plan: WavePlan) -> dict[str, tuple[int, bool]]:
    return {a.application_id: (w.wave_number, a.pinned) for w in plan.waves for a in w.applications}


def _structure(plan: WavePlan) -> list[tuple[int, str, bool]]:
    return [(w.wave_number, w.name, w.locked) for w in sorted(plan.waves, key=lambda w: w.wave_number)]


def _wave(plan: WavePlan, number: int) -> Any:
    return next((w for w in plan.waves if w.wave_number == number), None)


def _signature(plan: WavePlan) -> tuple[Any, ...]:
    """Everything an analyst can change on the board: the waves (number, name, lock) and who is where."""
    return (tuple(_structure(plan)), tuple(sorted(_places(plan).items())))


def _targets(operation: str, arguments: dict[str, Any]) -> tuple[dict[str, int], dict[str, bool]]:
    if operation == "move_application":
        return {arguments["application_id"]: int(arguments["to_wave"])}, {}
    if operation == "set_application_lock":
        return {}, {arguments["application_id"]: bool(arguments["locked"])}
    if operation == "edit_assignments":
        return dict(arguments.get("moves", {})), dict(arguments.get("locks", {}))
    return {}, {}


def _lock_word(locked: bool) -> str:
    return "locked" if locked else "not locked"


def edit_conflicts(
    seen: WavePlan, latest: WavePlan, operation: str, arguments: dict[str, Any]
) -> list[Conflict]:
    """Where an edit made on `seen` disagrees with what others changed since (`latest`); [] when the
    edit still applies as meant."""
    if operation in APPLICATION_EDITS:
        moves, locks = _targets(operation, arguments)
        before, now = _places(seen), _places(latest)
        conflicts = []
        for app in dict.fromkeys([*moves, *locks]):
            was, theirs = before.get(app), now.get(app)
            if theirs is None:
                conflicts.append(
                    Conflict(app, "in a wave", "no longer in the plan", f"wave {was[0]}" if was else "?")
                )
                continue
            if was is None:
                continue
            if app in moves and theirs[0] != was[0] and theirs[0] != moves[app]:
                conflicts.append(
                    Conflict(f"{app}: wave", f"wave {moves[app]}", f"wave {theirs[0]}", f"wave {was[0]}")
                )
            elif app in locks and theirs[0] != was[0] and app not in moves:
                conflicts.append(
                    Conflict(
                        f"{app}: wave it is locked in",
                        f"wave {was[0]}",
                        f"wave {theirs[0]}",
                        f"wave {was[0]}",
                    )
                )
            if app in locks and theirs[1] != was[1] and theirs[1] != locks[app]:
                conflicts.append(
                    Conflict(
                        f"{app}: lock", _lock_word(locks[app]), _lock_word(theirs[1]), _lock_word(was[1])
                    )
                )
        for wave in set(moves.values()):
            a, b = _wave(seen, wave), _wave(latest, wave)
            if a is not None and (b is None or b.name != a.name):
                conflicts.append(
                    Conflict(
                        f"wave {wave}", a.name or f"Wave {wave}", b.name if b else "deleted", a.name or ""
                    )
                )
        return conflicts
    if operation in WAVE_EDITS:
        number = int(arguments["wave_number"])
        a, b = _wave(seen, number), _wave(latest, number)
        if a is None:
            return []
        if b is None:
            return [Conflict(f"wave {number}", "kept", "deleted", a.name)]
        if operation == "rename_wave" and b.name != a.name and b.name != arguments["name"]:
            return [Conflict(f"wave {number}: name", str(arguments["name"]), b.name, a.name)]
        if operation == "set_wave_lock":
            if b.name != a.name:
                return [Conflict(f"wave {number}", a.name, b.name, a.name)]
            if b.locked != a.locked and b.locked != arguments["locked"]:
                return [
                    Conflict(
                        f"wave {number}: lock",
                        _lock_word(arguments["locked"]),
                        _lock_word(b.locked),
                        _lock_word(a.locked),
                    )
                ]
        return []
    if operation == "add_wave":
        return []
    if operation in ("reorder_wave", "delete_wave"):
        if _structure(seen) != _structure(latest):
            return [
                Conflict("the waves", _describe_waves(seen), _describe_waves(latest), _describe_waves(seen))
            ]
        return []
    # re-optimising and restoring decide every application: any change by someone else conflicts
    if _signature(seen) != _signature(latest):
        moved = sum(1 for app, place in _places(latest).items() if _places(seen).get(app) != place)
        return [
            Conflict(
                "the wave plan",
                "re-plan from the waves you saw",
                f"{moved} application(s) moved or (un)locked, {len(latest.waves)} waves",
                f"{len(seen.waves)} waves",
            )
        ]
    return []


def _describe_waves(plan: WavePlan) -> str:
    return ", ".join(f"{n}·{name or 'Wave'}" for n, name, _ in _structure(plan))[:300]


# --------------------------------------------------------------------------- re-apply
def reapply_edit(
    service: PlanningService,
    planning_flow_id: str,
    seen: WavePlan,
    operation: str,
    arguments: dict[str, Any],
    *,
    reason: str,
    confirm_violations: bool = False,
    force: bool = False,
) -> Outcome:
    """An edit made on an older version (`seen`) re-applied on the stored plan when it still applies as
    meant; otherwise nothing is saved and the conflicts are returned (force=True applies it anyway)."""
    latest = service.get_plan(planning_flow_id)
    if latest.wave_plan is None:
        raise InvalidInput("The plan has no wave plan any more; nothing was saved.")
    conflicts = edit_conflicts(seen, latest.wave_plan, operation, arguments)
    if conflicts and not force:
        return Outcome(conflicts=conflicts)
    handle = _save(
        service, latest.planning_flow_id, latest.version, operation, arguments, reason, confirm_violations
    )
    return Outcome(handle=handle)


def _save(
    service: PlanningService,
    planning_flow_id: str,
    version: int,
    operation: str,
    arguments: dict[str, Any],
    reason: str,
    confirm_violations: bool,
) -> RunHandle:
    if operation == RESTORE:
        plan = service.update(
            planning_flow_id=planning_flow_id,
            expected_version=version,
            wave_plan=WavePlan.model_validate(arguments["wave_plan"]),
            reason=reason,
            confirm_violations=True,
        )
        return RunHandle(planning_flow_id, plan=plan)
    return service.edit_waves(
        planning_flow_id,
        version,
        operation,
        reason=reason,
        confirm_violations=confirm_violations,
        **arguments,
    )


# --------------------------------------------------------------------------- undo / redo
def _wave_plan_at(service: PlanningService, planning_flow_id: str, revision: int) -> WavePlan | None:
    with service._uow() as repo:
        snapshot = repo.revisions.get_revision_snapshot(planning_flow_id, revision)
    data = snapshot.get("wave_plan")
    return WavePlan.model_validate(data) if data else None


def inverse(change: OwnChange, before: WavePlan, after: WavePlan) -> tuple[str, dict[str, Any]]:
    """The edit that undoes `change` (made from `before` to `after`)."""
    op, args = change.operation, change.arguments
    places = _places(before)
    if op in APPLICATION_EDITS:
        moves, locks = _targets(op, args)
        back_moves = {app: places[app][0] for app in moves if app in places}
        back_locks = {app: places[app][1] for app in locks if app in places}
        return "edit_assignments", {"moves": back_moves, "locks": back_locks}
    if op == "rename_wave":
        wave = _wave(before, int(args["wave_number"]))
        if wave is not None:
            return "rename_wave", {
                "wave_number": wave.wave_number,
                "name": wave.name or f"Wave {wave.wave_number}",
            }
    if op == "set_wave_lock":
        return "set_wave_lock", {"wave_number": int(args["wave_number"]), "locked": not bool(args["locked"])}
    return RESTORE, {"wave_plan": before.model_dump(mode="json")}


def undo(service: PlanningService, change: OwnChange, *, redo: bool = False) -> Outcome:
    """Undo this analyst's change as an inverse edit on the current version. Parts someone else changed
    since are left as they are (listed in `skipped`); when nothing of the change is left to undo, or it
    can only be undone as a whole and the waves changed since, nothing is saved and `message` says why."""
    before = _wave_plan_at(service, change.planning_flow_id, change.before)
    after = _wave_plan_at(service, change.planning_flow_id, change.after)
    if before is None or after is None:
        return Outcome(message="This change cannot be undone: the plan had no wave plan then.")
    latest = service.get_plan(change.planning_flow_id)
    if latest.wave_plan is None:
        return Outcome(message="This change cannot be undone: the plan has no wave plan now.")
    operation, arguments = inverse(change, before, after)
    word = "Redo" if redo else "Undo"
    reason = f"{word}: {change.reason}"[:500]
    others = _others_since(service, change)
    if operation == "edit_assignments":
        now = _places(latest.wave_plan)
        mine = _places(after)
        moves = {app: wave for app, wave in arguments["moves"].items() if now.get(app) == mine.get(app)}
        locks = {app: lk for app, lk in arguments["locks"].items() if now.get(app) == mine.get(app)}
        touched = dict.fromkeys([*arguments["moves"], *arguments["locks"]])
        skipped = [app for app in touched if now.get(app) != mine.get(app)]
        if not moves and not locks:
            return Outcome(
                message=f"{word} is no longer possible: {', '.join(skipped[:5])} changed since"
                + (f" by {others}" if others else "")
                + ". Roll back in the history instead if you really mean it."
            )
        arguments = {"moves": moves, "locks": locks}
        handle = _save(service, change.planning_flow_id, latest.version, operation, arguments, reason, True)
        return Outcome(handle=handle, skipped=skipped, operation=operation, arguments=arguments)
    conflicts = edit_conflicts(
        after, latest.wave_plan, operation if operation != RESTORE else RESTORE, arguments
    )
    if conflicts:
        return Outcome(
            conflicts=conflicts,
            message=f"{word} is no longer possible: the waves were changed since"
            + (f" by {others}" if others else "")
            + ". Roll back in the history instead if you really mean it.",
        )
    handle = _save(service, change.planning_flow_id, latest.version, operation, arguments, reason, True)
    return Outcome(handle=handle, operation=operation, arguments=arguments)


def _others_since(service: PlanningService, change: OwnChange) -> str:
    state = latest_state(service, change.planning_flow_id, since_revision=change.after)
    names = sorted({c.by for c in state.by_others(service.tenant.user_id)})
    return ", ".join(names)


def rollback_discards(service: PlanningService, planning_flow_id: str, revision: int) -> list[PlanChange]:
    """The changes a rollback to `revision` would discard (everyone's, newest first)."""
    state = latest_state(service, planning_flow_id, since_revision=revision)
    return list(reversed(state.changes))


# --------------------------------------------------------------------------- preview
@dataclass(frozen=True)
class EditPreview:
    """What a wave edit would change, computed on the stored plan without saving it."""

    version: int
    wave_plan: WavePlan
    moved: dict[str, tuple[int, int]]  # application -> (wave now, wave after)
    manual_moves_undone: dict[str, tuple[int, int]]  # the analyst's own placements it would change
    waves_before: int
    waves_after: int
    empty_waves_removed: int

    @property
    def undoes_manual_work(self) -> bool:
        return bool(self.manual_moves_undone or self.empty_waves_removed)


def preview_edit(
    service: PlanningService, planning_flow_id: str, expected_version: int, operation: str, **arguments: Any
) -> EditPreview:
    """Run a wave edit on the stored plan in memory: which applications would move, which of them the
    analyst had placed by hand, and how the number of waves changes. Nothing is saved."""
    if operation not in WAVE_OPERATIONS:
        raise InvalidInput(f"Unknown wave edit {operation!r}.")
    plan, portfolio = service._load_for_edit(planning_flow_id, expected_version)
    if plan.wave_plan is None:
        raise InvalidInput("There is no wave plan to edit yet; run wave planning first.")
    new = WAVE_OPERATIONS[operation](plan.wave_plan, portfolio, plan.planning_config, **arguments)
    before, after = plan.wave_plan.wave_of(), new.wave_of()
    moved = {app: (wave, after[app]) for app, wave in before.items() if app in after and after[app] != wave}
    by_hand = {
        a.application_id for w in plan.wave_plan.waves for a in w.applications if a.source == Source.ANALYST
    }
    empty = sum(1 for w in plan.wave_plan.waves if not w.applications)
    return EditPreview(
        version=plan.version,
        wave_plan=new,
        moved=moved,
        manual_moves_undone={app: move for app, move in moved.items() if app in by_hand},
        waves_before=len(plan.wave_plan.waves),
        waves_after=len(new.waves),
        empty_waves_removed=empty if len(new.waves) < len(plan.wave_plan.waves) else 0,
    )
