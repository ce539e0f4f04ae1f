"""The wave board's widgets: cards, the editable table, per-application and per-wave actions, undo/redo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from planning_core import views
from planning_core.errors import ConstraintViolationError, PlanningError, StaleWriteError
from planning_core.plan import PlanDocument
from ui import state
from ui.components import button, flash, md_escape, submit

PENDING = "board_pending"
NONCE = "board_nonce"
CARDS_PER_PAGE = 6
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


def _bump() -> None:
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _total(plan: PlanDocument) -> str:
    cost = plan.cost_estimation
    return views.money(cost.total, cost.currency) if cost else "not computed"


def apply(
    plan: PlanDocument, operation: str, reason: str, *, confirm: bool = False, **arguments: Any
) -> None:
    """Have the service run one wave edit on the stored plan and save it (later phases recompute);
    an edit that breaks hard constraints first asks for confirmation."""
    service = state.service()
    if service is None:
        return
    try:
        handle = service.edit_waves(
            plan.planning_flow_id,
            plan.version,
            operation,
            reason=reason,
            confirm_violations=confirm,
            **arguments,
        )
    except ConstraintViolationError as error:
        st.session_state[PENDING] = PendingEdit(
            plan.planning_flow_id,
            plan.version,
            plan.revision,
            operation,
            arguments,
            reason,
            list(error.violations),
        )
        st.rerun()  # the page opens the confirmation dialog at its top
    except StaleWriteError as error:
        _bump()
        flash("error", f"{error} The board now shows the latest version.")
        state.set_plan(None)
        st.rerun()
    except PlanningError as error:
        _bump()
        flash("error", str(error))
        st.rerun()
    saved = handle.plan
    assert saved is not None
    st.session_state.pop(PENDING, None)
    state.set_history(
        views.record_edit(
            state.history(),
            planning_flow_id=plan.planning_flow_id,
            before=plan.revision,
            after=saved.revision,
        )
    )
    state.set_plan(saved)
    hard = views.hard_violations(saved)
    message = (
        f"Saved: {reason}. Later phases are being recomputed in the background."
        if handle.queued
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
        st.markdown(f"- :red-badge[{md_escape(violation.constraint)}] {md_escape(violation.message)}")
    if len(pending.violations) > 12:
        st.caption(f"… and {len(pending.violations) - 12} more.")
    st.caption(
        "If you save anyway, the violations stay listed on every page and the plan cannot be completed "
        "until they are fixed. Undo restores the previous plan."
    )
    keep, cancel = st.columns(2)
    if button("Save anyway", type="primary", icon=":material/warning:", key="confirm_save"):
        if pending.version != plan.version:  # the violations listed were those of an older version
            _cancel_pending()
            flash("error", "The plan changed since this edit was checked; nothing was saved. Make the edit again.")
            st.rerun()
        apply(plan, pending.operation, pending.reason, confirm=True, **pending.arguments)
    if button("Cancel the edit", icon=":material/undo:", key="confirm_cancel"):
        _cancel_pending()
        st.rerun()


# --------------------------------------------------------------------------- toolbar
def _rollback(plan: PlanDocument, revision: int, history: views.EditHistory, label: str) -> None:
    service = state.service()
    if service is None:
        return
    try:
        restored = service.rollback(
            planning_flow_id=plan.planning_flow_id, revision=revision, expected_version=plan.version
        )
    except PlanningError as error:
        flash("error", str(error))
        state.set_plan(None)
        st.rerun()
    state.set_history(history)
    state.set_plan(restored)
    flash("success", f"{label}: the plan is back at revision {revision}; total cost {_total(restored)}.")
    _bump()
    st.rerun()


def toolbar(plan: PlanDocument) -> None:
    """Undo, redo and re-optimise around locks."""
    history = state.history()
    mine = history.planning_flow_id == plan.planning_flow_id
    with st.container(horizontal=True):
        undo = button("Undo", icon=":material/undo:", disabled=not (mine and history.undo), key="board_undo")
        redo = button("Redo", icon=":material/redo:", disabled=not (mine and history.redo), key="board_redo")
        reoptimise = button(
            "Re-optimise around my locks",
            icon=":material/auto_mode:",
            key="board_reopt",
            help="Re-plan every application that is not locked; locked applications and waves stay.",
        )
    if undo:
        target, after = views.undo_target(history)
        if target is not None:
            _rollback(plan, target, after, "Undone")
    if redo:
        target, after = views.redo_target(history)
        if target is not None:
            _rollback(plan, target, after, "Redone")
    if reoptimise:
        with st.spinner("Re-optimising…"):
            apply(plan, "reoptimize_around_locks", "Re-optimised around the locks")


# --------------------------------------------------------------------------- cards
def _card(card: views.WaveCard, plan: PlanDocument, frame: Any) -> None:
    badges = []
    if card.is_pilot:
        badges.append(":green-badge[pilot]")
    if card.locked:
        badges.append(":gray-badge[:material/lock: locked]")
    if card.violations:
        badges.append(f":red-badge[:material/warning: {card.violations} violation(s)]")
    if card.over_capacity:
        badges.append(":red-badge[over capacity]")
    st.markdown(f"**W{card.wave_number} · {md_escape(card.name)}** " + " ".join(badges))
    dates = f" · {card.start:%d %b} → {card.end:%d %b %Y}" if card.start and card.end else ""
    st.caption(f"{card.applications} apps · {card.effort_hours:,.0f} h{dates}")
    st.markdown(
        " ".join(f":{BADGE.get(k, 'gray')}-badge[{k} {v}]" for k, v in card.criticalities.items()) or " "
    )
    rows = frame[frame["wave"] == card.wave_number][
        ["application_id", "name", "six_r_strategy", "source", "issues"]
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(36 + 35 * max(len(rows), 1), 212),
        column_config={
            "application_id": st.column_config.TextColumn("ID", width="small"),
            "name": st.column_config.TextColumn("Application"),
            "six_r_strategy": st.column_config.TextColumn("6R", width="small"),
            "source": st.column_config.TextColumn("By", width="small"),
            "issues": st.column_config.TextColumn("⚠", width="small"),
        },
    )


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
    key = f"board_table_{plan.revision}_{st.session_state.get(NONCE, 0)}_{hash((text, tuple(wave_filter), only_issues, page))}"
    st.data_editor(
        shown,
        key=key,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * max(len(shown), 1), 560),
        disabled=[c for c in shown.columns if c not in ("wave", "locked")],
        column_config={
            "application_id": st.column_config.TextColumn("ID", width="small"),
            "name": st.column_config.TextColumn("Application", width="medium"),
            "wave": st.column_config.NumberColumn(
                "Wave", min_value=1, max_value=max(waves or [1]), step=1, required=True, width="small"
            ),
            "locked": st.column_config.CheckboxColumn("Locked", width="small"),
            "six_r_strategy": st.column_config.TextColumn("6R", width="small"),
            "complexity": st.column_config.NumberColumn("Cx", width="small"),
            "business_criticality": st.column_config.TextColumn("Criticality", width="small"),
            "effort_hours": st.column_config.NumberColumn("Effort (h)", format="%.0f"),
            "source": st.column_config.TextColumn("Source", width="small"),
            "issues": st.column_config.TextColumn("Issues"),
            "rationale": st.column_config.TextColumn("Rationale", width="large"),
        },
    )
    change = views.board_edits(shown, st.session_state.get(key, {}).get("edited_rows", {}))
    if not change.empty:
        _apply_table_edit(plan, change)


def _apply_table_edit(plan: PlanDocument, change: views.BoardEdit) -> None:
    """Apply moves then lock changes as one edit (one revision)."""
    apply(plan, "edit_assignments", describe(change), moves=dict(change.moves), locks=dict(change.locks))


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
