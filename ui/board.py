"""The wave board's widgets: cards, the editable table, per-application and per-wave actions, undo/redo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from planning_core import views
from planning_core.errors import ConstraintViolationError, PlanningError, StaleWriteError
from planning_core.plan import PlanDocument
from planning_core.service import collaboration
from ui import state, suggestions
from ui.components import button, flash, md_escape, submit

PENDING = "board_pending"
CONFLICT = "board_conflict"
REOPT = "board_reoptimise"
HISTORY = "board_history"
DRAWN = "board_drawn"
GRID = "board_grid"
NONCE = "board_nonce"
CARDS_PER_PAGE = 6
CARD_ROWS = 15
ROWS_PER_PAGE = 100
BADGE = {"low": "gray", "medium": "blue", "high": "orange", "critical": "red"}


@dataclass
class PendingEdit:
    """A wave edit that breaks hard constraints, waiting for the analyst's confirmation."""

    planning_flow_id: str
    version: int
    revision: int
    operation: str
    arguments: dict[str, Any]
    reason: str
    violations: list[Any] = field(default_factory=list)
    seen: Any = None  # the wave plan the edit was made on


@dataclass
class PendingConflict:
    """A stale edit that disagrees with someone else's later change: both values, and the choice."""

    planning_flow_id: str
    operation: str
    arguments: dict[str, Any]
    reason: str
    seen: Any
    conflicts: list[collaboration.Conflict]


@dataclass
class History:
    """This analyst's own changes of one plan, for undo and redo."""

    planning_flow_id: str = ""
    undo: tuple[collaboration.OwnChange, ...] = ()
    redo: tuple[collaboration.OwnChange, ...] = ()


def history(plan: PlanDocument) -> History:
    current = st.session_state.get(HISTORY)
    return (
        current
        if current is not None and current.planning_flow_id == plan.planning_flow_id
        else History(plan.planning_flow_id)
    )


def _bump() -> None:
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _total(plan: PlanDocument) -> str:
    cost = plan.cost_estimation
    return views.money(cost.total, cost.currency) if cost else "not computed"


def remember_drawn(plan: PlanDocument) -> None:
    """Keep the plan this page showed: the next run's edits were made on it (someone may save meanwhile)."""
    st.session_state[DRAWN] = plan


def drawn(plan: PlanDocument) -> PlanDocument:
    """The plan the analyst was looking at when making an edit (the previous run's), else this one."""
    seen = st.session_state.get(DRAWN)
    if seen is not None and seen.planning_flow_id == plan.planning_flow_id and seen.wave_plan is not None:
        return seen
    return plan


def apply(
    plan: PlanDocument,
    operation: str,
    reason: str,
    *,
    confirm: bool = False,
    seen: PlanDocument | None = None,
    force: bool = False,
    **arguments: Any,
) -> None:
    """Have the service run one wave edit on the plan the analyst saw and save it (later phases
    recompute). An edit that breaks hard constraints first asks for confirmation; an edit made on a
    version someone else has changed since is re-applied on the newer version when it still applies as
    meant, else the conflict dialog shows both values. Nothing is dropped silently."""
    service = state.service()
    if service is None:
        return
    seen = seen or drawn(plan)
    stale_note = ""
    try:
        if operation == collaboration.RESTORE or seen.version != plan.version or force:
            raise StaleWriteError("re-apply")
        handle = service.edit_waves(
            plan.planning_flow_id,
            seen.version,
            operation,
            reason=reason,
            confirm_violations=confirm,
            **arguments,
        )
    except StaleWriteError:
        try:
            outcome = collaboration.reapply_edit(
                service,
                plan.planning_flow_id,
                seen.wave_plan,
                operation,
                arguments,
                reason=reason,
                confirm_violations=confirm,
                force=force,
            )
        except ConstraintViolationError as error:
            _ask_confirmation(plan, operation, arguments, reason, error, seen)
            return
        except PlanningError as error:
            _fail(str(error))
            return
        if outcome.handle is None:
            st.session_state[CONFLICT] = PendingConflict(
                plan.planning_flow_id, operation, arguments, reason, seen, outcome.conflicts
            )
            _bump()
            st.rerun()
        handle = outcome.handle
        if seen.version != plan.version and operation != collaboration.RESTORE:
            stale_note = " (re-applied on the latest version: the plan had changed since your page was drawn)"
    except ConstraintViolationError as error:
        _ask_confirmation(plan, operation, arguments, reason, error, seen)
        return
    except PlanningError as error:
        _fail(str(error))
        return
    saved = handle.plan
    assert saved is not None
    _saved(plan, saved, operation, arguments, reason + stale_note, queued=handle.queued)


def _ask_confirmation(
    plan: PlanDocument, operation: str, arguments: dict[str, Any], reason: str, error: Any, seen: PlanDocument
) -> None:
    st.session_state[PENDING] = PendingEdit(
        plan.planning_flow_id,
        plan.version,
        plan.revision,
        operation,
        arguments,
        reason,
        list(error.violations),
        seen.wave_plan,
    )
    _bump()  # the table's edit now waits in the dialog
    st.rerun()  # the page opens the confirmation dialog at its top


def _fail(message: str) -> None:
    _bump()
    flash("error", message)
    st.rerun()


def _saved(
    plan: PlanDocument,
    saved: PlanDocument,
    operation: str,
    arguments: dict[str, Any],
    reason: str,
    *,
    queued: bool,
    record: bool = True,
) -> None:
    """After a save: this analyst's undo history, the fresh plan, and a message saying what happened."""
    st.session_state.pop(PENDING, None)
    st.session_state.pop(CONFLICT, None)
    if record:
        past = history(plan)
        change = collaboration.OwnChange(
            plan.planning_flow_id, saved.revision - 1, saved.revision, operation, dict(arguments), reason
        )
        st.session_state[HISTORY] = History(plan.planning_flow_id, (*past.undo, change)[-50:], ())
    state.set_plan(saved)
    remember_drawn(saved)
    hard = views.hard_violations(saved)
    message = (
        f"Saved: {reason}. Later phases are being recomputed in the background."
        if queued
        else f"Saved: {reason}. Later phases recomputed; total cost {_total(saved)} (was {_total(plan)})."
    )
    flash(
        "warning" if hard else "success",
        message + (f" {len(hard)} hard violation(s) to fix." if hard else ""),
    )
    _bump()
    st.rerun()


def _cancel_pending() -> None:
    st.session_state.pop(PENDING, None)
    _bump()


@st.dialog("This edit breaks hard constraints", width="large", on_dismiss=_cancel_pending)
def confirm_dialog(plan: PlanDocument) -> None:
    """List what the edit breaks; save only when the analyst confirms."""
    pending: PendingEdit | None = st.session_state.get(PENDING)
    if pending is None:
        return
    st.write(f"**{pending.reason}** would break {len(pending.violations)} hard constraint(s):")
    for violation in pending.violations[:12]:
        label = views.constraint_label(violation.constraint)
        st.markdown(f"- :red-badge[{md_escape(label)}] {md_escape(violation.message)}")
    if len(pending.violations) > 12:
        st.caption(f"… and {len(pending.violations) - 12} more.")
    st.caption(
        "If you save anyway, the violations stay listed on every page and the plan cannot be completed "
        "until they are fixed. Undo restores the previous plan."
    )
    if button("Save anyway", type="primary", icon=":material/warning:", key="confirm_save"):
        if pending.version != plan.version:  # the violations listed were those of an older version
            _cancel_pending()
            flash(
                "error",
                "The plan changed since this edit was checked; nothing was saved. Make the edit again.",
            )
            st.rerun()
        apply(plan, pending.operation, pending.reason, confirm=True, seen=plan, **pending.arguments)
    if button("Cancel the edit", icon=":material/undo:", key="confirm_cancel"):
        _cancel_pending()
        st.rerun()


def _cancel_conflict() -> None:
    st.session_state.pop(CONFLICT, None)
    _bump()


@st.dialog("Someone else changed this since you looked", width="large", on_dismiss=_cancel_conflict)
def conflict_dialog(plan: PlanDocument) -> None:
    """A stale edit that no longer applies as meant: both values side by side; the analyst decides."""
    pending: PendingConflict | None = st.session_state.get(CONFLICT)
    if pending is None:
        return
    st.write(
        f"Your edit **{md_escape(pending.reason)}** was made on an older version of the plan, and someone "
        "changed the same thing since. Nothing is saved until you choose."
    )
    st.dataframe(
        [
            {"What": c.what, "Yours": c.yours, "Theirs (saved)": c.theirs, "Before": c.was}
            for c in pending.conflicts
        ],
        hide_index=True,
        width="stretch",
    )
    if button(
        "Apply mine over theirs",
        type="primary",
        icon=":material/published_with_changes:",
        key="conflict_mine",
    ):
        seen = plan.model_copy(update={"wave_plan": pending.seen, "version": -1})
        apply(plan, pending.operation, pending.reason, seen=seen, force=True, **pending.arguments)
    if button("Keep theirs (drop my edit)", icon=":material/close:", key="conflict_theirs"):
        _cancel_conflict()
        flash("info", f"Your edit ({pending.reason}) was not saved; the board shows the latest plan.")
        st.rerun()


# --------------------------------------------------------------------------- re-optimise
@st.dialog(
    "Re-optimise would undo manual work", width="large", on_dismiss=lambda: st.session_state.pop(REOPT, None)
)
def reoptimise_dialog(plan: PlanDocument) -> None:
    """What re-optimising around the locks would change, before anything is saved."""
    preview: collaboration.EditPreview | None = st.session_state.get(REOPT)
    if preview is None:
        return
    st.write(
        f"Re-optimising would move **{len(preview.moved)}** application(s) and change the plan from "
        f"**{preview.waves_before}** to **{preview.waves_after}** waves. Locked applications and waves stay."
    )
    if preview.manual_moves_undone:
        st.markdown(
            f"It would undo **{len(preview.manual_moves_undone)}** move(s) you or a colleague made by hand:"
        )
        st.dataframe(
            [
                {"Application": app, "Placed by hand in": f"wave {a}", "Would go to": f"wave {b}"}
                for app, (a, b) in sorted(preview.manual_moves_undone.items())
            ],
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(preview.manual_moves_undone), 300),
        )
    if preview.empty_waves_removed:
        st.markdown(f"It would remove **{preview.empty_waves_removed}** empty wave(s) added by hand.")
    st.caption("Lock an application to keep it where it is when re-optimising.")
    if button("Re-optimise anyway", type="primary", icon=":material/auto_mode:", key="reopt_confirm"):
        st.session_state.pop(REOPT, None)
        _save_preview(plan, preview)
    if button("Keep my manual work", icon=":material/close:", key="reopt_cancel"):
        st.session_state.pop(REOPT, None)
        st.rerun()


def _save_preview(plan: PlanDocument, preview: collaboration.EditPreview) -> None:
    seen = drawn(plan)
    if seen.version != preview.version:
        seen = plan
    apply(
        plan,
        collaboration.RESTORE,
        "Re-optimised around the locks",
        seen=seen,
        wave_plan=preview.wave_plan.model_dump(mode="json"),
    )


# --------------------------------------------------------------------------- toolbar
def _undo(plan: PlanDocument, *, redo: bool) -> None:
    service = state.service()
    if service is None:
        return
    past = history(plan)
    stack = past.redo if redo else past.undo
    change = stack[-1]
    word = "Redone" if redo else "Undone"
    try:
        outcome = collaboration.undo(service, change, redo=redo)
    except PlanningError as error:
        outcome = collaboration.Outcome(message=str(error))
    rest = stack[:-1]
    if outcome.handle is None or outcome.handle.plan is None:
        st.session_state[HISTORY] = History(
            plan.planning_flow_id, past.undo if redo else rest, rest if redo else past.redo
        )
        flash("warning", outcome.message or f"{word[:-1]} is no longer possible.")
        _bump()
        st.rerun()
    saved = outcome.handle.plan
    inverse = collaboration.OwnChange(
        plan.planning_flow_id,
        saved.revision - 1,
        saved.revision,
        outcome.operation,
        outcome.arguments,
        change.reason,
    )
    if redo:
        st.session_state[HISTORY] = History(plan.planning_flow_id, (*past.undo, inverse), rest)
    else:
        st.session_state[HISTORY] = History(plan.planning_flow_id, rest, (*past.redo, inverse))
    state.set_plan(saved)
    remember_drawn(saved)
    skipped = (
        f" Left as they are (changed since by someone else): {', '.join(outcome.skipped[:8])}."
        if outcome.skipped
        else ""
    )
    flash("success", f"{word}: {change.reason}; total cost {_total(saved)}.{skipped}")
    _bump()
    st.rerun()


def toolbar(plan: PlanDocument) -> None:
    """Undo and redo of this analyst's own changes, and re-optimise around locks."""
    past = history(plan)
    with st.container(horizontal=True):
        undo = button(
            "Undo",
            icon=":material/undo:",
            disabled=not past.undo,
            key="board_undo",
            help=f"Undo your last change: {past.undo[-1].reason}"
            if past.undo
            else "Nothing of yours to undo",
        )
        redo = button(
            "Redo",
            icon=":material/redo:",
            disabled=not past.redo,
            key="board_redo",
            help=f"Redo: {past.redo[-1].reason}" if past.redo else "Nothing to redo",
        )
        reoptimise = button(
            "Re-optimise around my locks",
            icon=":material/auto_mode:",
            key="board_reopt",
            help="Re-plan every application that is not locked; locked applications and waves stay. "
            "Asks first when it would undo moves made by hand.",
        )
    if undo:
        _undo(plan, redo=False)
    if redo:
        _undo(plan, redo=True)
    suggestions.page_panel(plan, "waves")  # the wave specialist's pending suggestions, accept all of a kind
    if reoptimise:
        service = state.service()
        if service is None:
            return
        with st.spinner("Re-optimising…"):
            try:
                preview = collaboration.preview_edit(
                    service, plan.planning_flow_id, plan.version, "reoptimize_around_locks"
                )
            except PlanningError as error:
                _fail(str(error))
                return
        if preview.undoes_manual_work:
            st.session_state[REOPT] = preview
            st.rerun()
        _save_preview(plan, preview)


# --------------------------------------------------------------------------- cards
def _card(card: views.WaveCard, plan: PlanDocument, frame: Any) -> None:
    badges = []
    if card.is_pilot:
        badges.append(":green-badge[pilot]")
    if card.locked:
        badges.append(":gray-badge[:material/lock: locked]")
    if card.violations:
        badges.append(f":red-badge[:material/warning: {card.violations} problem(s)]")
    if card.over_capacity:
        badges.append(":red-badge[over capacity]")
    st.markdown(f"**W{card.wave_number} · {md_escape(card.name)}** " + " ".join(badges))
    dates = f" · {card.start:%d %b} → {card.end:%d %b %Y}" if card.start and card.end else ""
    st.caption(f"{card.applications} applications · {card.effort_hours:,.0f} h{dates}")
    st.markdown(
        " ".join(f":{BADGE.get(k, 'gray')}-badge[{k} {v}]" for k, v in card.criticalities.items()) or " "
    )
    rows = frame[frame["wave"] == card.wave_number][
        ["application_id", "name", "six_r_strategy", "source", "issues"]
    ]
    # Every application of the wave: tall enough for a full wave, scrolling beyond it.
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=38 + 35 * min(max(len(rows), 1), CARD_ROWS),
        column_config={
            "application_id": st.column_config.TextColumn("ID", width="small"),
            "name": st.column_config.TextColumn("Application"),
            "six_r_strategy": st.column_config.TextColumn("Strategy", width="small"),
            "source": st.column_config.TextColumn("Placed by", width="small"),
            "issues": st.column_config.TextColumn("Problems", width="small"),
        },
    )
    if len(rows) > CARD_ROWS:
        st.caption(f"Scroll for all {len(rows)} applications.")
    suggestions.card_suggestions(plan, card.wave_number)  # "suggested: move to wave 5 — because …"


def cards(plan: PlanDocument, frame: Any) -> None:
    """Wave cards side by side, a page of six at a time."""
    all_cards = views.wave_cards(plan)
    pages = views.page_count(len(all_cards), CARDS_PER_PAGE)
    if pages > 1:
        page = st.segmented_control(
            "Waves",
            [
                f"{i * CARDS_PER_PAGE + 1}–{min((i + 1) * CARDS_PER_PAGE, len(all_cards))}"
                for i in range(pages)
            ],
            default=None,
            key="board_card_page",
            label_visibility="collapsed",
        )
        index = 0 if page is None else int(page.split("–")[0]) // CARDS_PER_PAGE
    else:
        index = 0
    shown = all_cards[index * CARDS_PER_PAGE : (index + 1) * CARDS_PER_PAGE]
    for start in range(0, len(shown), 3):
        for column, card in zip(st.columns(3), shown[start : start + 3], strict=False):
            with column.container(border=True):
                _card(card, plan, frame)


# --------------------------------------------------------------------------- editable table
def table(plan: PlanDocument, frame: Any) -> None:
    """The board as an editable table: change an application's wave or lock it; saved at once."""
    waves = sorted(frame["wave"].unique().tolist())
    search, chosen, only, page_col = st.columns([2, 2, 1.2, 1])
    text = search.text_input(
        "Find an application",
        key="board_text",
        placeholder="id or name",
        icon=":material/search:",
        max_chars=100,
    )
    wave_filter = chosen.multiselect("Waves", waves, key="board_waves", placeholder="all waves")
    only_issues = only.toggle("Only with issues", key="board_only_issues")
    shown = views.filter_board(frame, waves=wave_filter, text=text, only_issues=only_issues)
    pages = views.page_count(len(shown), ROWS_PER_PAGE)
    page = (
        page_col.number_input("Page", min_value=1, max_value=pages, value=1, key="board_page")
        if pages > 1
        else 1
    )
    shown = views.page_slice(shown, page=int(page), page_size=ROWS_PER_PAGE).reset_index(drop=True)
    st.caption(
        f"{len(shown):,} shown · edit the **Wave** column to move an application, tick **Locked** to pin it."
    )
    key = (
        f"board_table_{st.session_state.get(NONCE, 0)}_{hash((text, tuple(wave_filter), only_issues, page))}"
    )
    shown = suggestions.mark_rows(plan, shown)  # a pending suggestion's "suggested: …" column
    st.session_state[GRID] = (key, shown, plan)
    st.data_editor(
        shown,
        key=key,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(shown), 1), 560),
        disabled=[c for c in shown.columns if c not in ("wave", "locked")],
        column_config=BOARD_COLUMNS(max(waves or [1])),
    )


def apply_grid_edit(plan: PlanDocument) -> None:
    """Save what the analyst changed in the table drawn by the previous run, before anything is drawn:
    the rows are those that table showed, on the version it showed (re-applied if someone saved since)."""
    grid = st.session_state.get(GRID)
    if grid is None:
        return
    key, shown, seen = grid
    change = views.board_edits(shown, st.session_state.get(key, {}).get("edited_rows", {}))
    if change.empty or seen.planning_flow_id != plan.planning_flow_id:
        return
    st.session_state.pop(GRID, None)
    apply(
        plan,
        "edit_assignments",
        describe(change),
        seen=seen,
        moves=dict(change.moves),
        locks=dict(change.locks),
    )


def BOARD_COLUMNS(last_wave: int) -> dict[str, Any]:  # noqa: N802 - a table of column settings
    """The board table's columns in plain words."""
    return {
        "application_id": st.column_config.TextColumn("ID", width="small"),
        "name": st.column_config.TextColumn("Application", width="medium"),
        "wave": st.column_config.NumberColumn(
            "Wave", min_value=1, max_value=last_wave, step=1, required=True, width="small"
        ),
        "locked": st.column_config.CheckboxColumn("Locked", width="small"),
        "six_r_strategy": st.column_config.TextColumn("Strategy (6R)", width="small"),
        "complexity": st.column_config.NumberColumn("Complexity", width="small"),
        "business_criticality": st.column_config.TextColumn("Criticality", width="small"),
        "effort_hours": st.column_config.NumberColumn("Effort (h)", format="%.0f"),
        "source": st.column_config.TextColumn("Placed by", width="small"),
        "issues": st.column_config.TextColumn("Issues"),
        "rationale": st.column_config.TextColumn("Why this wave", width="large"),
    }


def describe(change: views.BoardEdit) -> str:
    """'Moved APP-1 to wave 3; locked APP-2' — the revision's reason."""
    parts = [f"Moved {app} to wave {wave}" for app, wave in change.moves.items()]
    parts += [f"{'Locked' if locked else 'Unlocked'} {app}" for app, locked in change.locks.items()]
    text = "; ".join(parts[:5])
    return text + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


# --------------------------------------------------------------------------- action panels
def application_actions(plan: PlanDocument, frame: Any) -> None:
    """Move or lock one application chosen from a searchable list."""
    ids = frame["application_id"].tolist()
    labels = dict(
        zip(
            ids,
            (f"{i} · {n} (W{w})" for i, n, w in zip(ids, frame["name"], frame["wave"], strict=True)),
            strict=True,
        )
    )
    app = st.selectbox(
        "Application",
        ids,
        format_func=lambda i: labels.get(i, i),
        key="act_app",
        index=None,
        placeholder="type to search",
    )
    if app is None:
        return
    row = frame[frame["application_id"] == app].iloc[0]
    assert plan.wave_plan is not None
    waves = [w.wave_number for w in plan.wave_plan.waves]
    names = {
        w.wave_number: f"W{w.wave_number} · {w.name or 'Wave'} · {len(w.applications)} apps"
        for w in plan.wave_plan.waves
    }
    target = st.selectbox(
        "Move to wave",
        waves,
        index=waves.index(int(row["wave"])),
        key="act_wave",
        format_func=lambda n: names.get(n, str(n)),
    )
    locked = bool(row["locked"])
    with st.container(horizontal=True):
        move = button(
            "Move", icon=":material/move_up:", key="act_move", disabled=int(target) == int(row["wave"])
        )
        lock = button(
            "Unlock" if locked else "Lock",
            icon=":material/lock:",
            key="act_lock",
            help="A locked application stays in its wave when re-optimising.",
        )
    if move:
        apply(
            plan,
            "move_application",
            f"Moved {app} to wave {target}",
            application_id=app,
            to_wave=int(target),
        )
    if lock:
        apply(
            plan,
            "set_application_lock",
            f"{'Unlocked' if locked else 'Locked'} {app}",
            application_id=app,
            locked=not locked,
        )


def move_several(plan: PlanDocument, frame: Any) -> None:
    """Move several applications to one wave in one edit (one revision, one undo)."""
    assert plan.wave_plan is not None
    ids = frame["application_id"].tolist()
    names = dict(zip(ids, frame["name"], strict=True))
    waves_of = dict(zip(ids, frame["wave"], strict=True))
    with st.form("move_several", border=False):
        chosen = st.multiselect(
            "Applications",
            ids,
            key="multi_apps",
            format_func=lambda i: f"{i} · {names.get(i, '')} (W{waves_of.get(i, '?')})",
            placeholder="type to search, pick several",
        )
        numbers = [w.wave_number for w in plan.wave_plan.waves]
        target = st.selectbox("To wave", numbers, key="multi_wave", format_func=lambda n: f"W{n}")
        if submit("Move them", icon=":material/move_group:", key="multi_move"):
            moves = {app: int(target) for app in chosen if int(waves_of.get(app, 0)) != int(target)}
            if not moves:
                flash("info", "Pick applications that are not already in that wave.")
                st.rerun()
            apply(
                plan,
                "edit_assignments",
                describe(views.BoardEdit(moves=moves, locks={})),
                moves=moves,
                locks={},
            )


def wave_actions(plan: PlanDocument) -> None:
    """Add, rename, reorder, lock and delete waves."""
    assert plan.wave_plan is not None
    numbers = [w.wave_number for w in plan.wave_plan.waves]
    names = {w.wave_number: w.name or f"Wave {w.wave_number}" for w in plan.wave_plan.waves}
    with st.form("add_wave", border=False):
        name = st.text_input("New wave name", max_chars=200, key="wave_new_name", placeholder="optional")
        if submit("Add a wave at the end", icon=":material/add:", key="wave_add"):
            apply(plan, "add_wave", "Added a wave", name=name)
    if not numbers:
        return
    number = st.selectbox("Wave", numbers, format_func=lambda n: f"W{n} · {names[n]}", key="wave_pick")
    wave = next(w for w in plan.wave_plan.waves if w.wave_number == number)
    with st.form("rename_wave", border=False):
        new_name = st.text_input("Rename to", max_chars=200, key="wave_rename")
        if submit("Rename", icon=":material/edit:", key="wave_rename_submit"):
            apply(plan, "rename_wave", f"Renamed wave {number}", wave_number=number, name=new_name)
    position = st.number_input(
        "Move to position", min_value=1, max_value=len(numbers), value=number, key=f"wave_pos_{number}"
    )
    with st.container(horizontal=True):
        reorder = button(
            "Reorder", icon=":material/swap_vert:", key="wave_reorder", disabled=position == number
        )
        lock = button("Unlock" if wave.locked else "Lock", icon=":material/lock:", key="wave_lock")
        delete = button(
            "Delete",
            icon=":material/delete:",
            key="wave_delete",
            disabled=bool(wave.applications),
            help="Only an empty wave can be deleted.",
        )
    if reorder:
        apply(
            plan,
            "reorder_wave",
            f"Moved wave {number} to position {position}",
            wave_number=number,
            new_position=int(position),
        )
    if lock:
        apply(
            plan,
            "set_wave_lock",
            f"{'Unlocked' if wave.locked else 'Locked'} wave {number}",
            wave_number=number,
            locked=not wave.locked,
        )
    if delete:
        apply(plan, "delete_wave", f"Deleted wave {number}", wave_number=number)
