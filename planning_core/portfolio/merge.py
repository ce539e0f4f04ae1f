"""Merging a second source into a portfolio, and the preview of what the merge does.

An application is identified by its id. An incoming application whose id the portfolio already holds
is that application (an application known only from traffic never overwrites inventory fields;
otherwise the incoming fields win). An incoming application with a new id is a new application, even
when another application has the same name: the two are kept apart and the preview says so.

Names only resolve *placeholders*: applications a dependency export created from names or servers
(attribute ``dependency_only``), whose ids were derived, not given. They are compared by
``normalise.name_key`` (Unicode NFKC, case-folded, spaces collapsed) and only when the name is
unique on both sides:

- an incoming placeholder whose name is that of exactly one application becomes that application;
- an incoming application with an id (an inventory row) whose name is that of exactly one existing
  placeholder replaces the placeholder: the placeholder takes the inventory's id (``renamed``) and its
  dependencies follow;
- when the name is shared by several applications (on either side) an incoming placeholder is not
  imported, and the preview lists it as a problem instead of guessing.

Dependencies are unioned (incoming weights win); a dependency of a placeholder that was not imported
is left out and counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import Field

from planning_core.domain import Application, Dependency, DependencyType, Model, Portfolio
from planning_core.portfolio.common import DEPENDENCY_ONLY
from planning_core.portfolio.models import ImportProblem
from planning_core.portfolio.normalise import name_key

__all__ = ["MergePreview", "merge_previews", "plan_merge"]


class MergePreview(Model):
    """What merging an incoming portfolio into an existing one does, row by row (nothing is written).

    ``added``: incoming applications new to the portfolio; ``updated``/``unchanged``: existing
    applications the incoming source names (by id, or placeholders by name) whose fields change or not;
    ``absent``: existing applications the incoming source does not mention (candidates for removal when
    the source is re-imported as a sync); ``resolved_by_name``: incoming placeholder id -> the existing
    id it was matched to; ``renamed``: existing placeholder id -> the inventory id that replaces it;
    ``skipped``: incoming applications not imported (ambiguous names), each with a problem.
    """

    portfolio: Portfolio
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    resolved_by_name: dict[str, str] = Field(default_factory=dict)
    renamed: dict[str, str] = Field(default_factory=dict)
    skipped: list[str] = Field(default_factory=list)
    dependencies_added: int = 0
    dependencies_changed: int = 0
    dependencies_skipped: int = 0
    problems: list[ImportProblem] = Field(default_factory=list)


def merge_previews(base: Portfolio, incoming: Portfolio) -> Portfolio:
    """The portfolio after merging ``incoming`` into ``base`` (see the module docstring)."""
    return plan_merge(base, incoming).portfolio


def _placeholder(app: Application) -> bool:
    return app.attributes.get(DEPENDENCY_ONLY) == "true"


def plan_merge(base: Portfolio, incoming: Portfolio) -> MergePreview:
    """Merge ``incoming`` into ``base`` and classify every application (see ``MergePreview``)."""
    before = {a.application_id: a for a in base.applications}
    result = dict(before)
    mapping: dict[str, str] = {}
    touched: set[str] = set()
    rest: list[Application] = []
    for app in incoming.applications:
        if app.application_id in result:
            result[app.application_id] = _combine(result[app.application_id], app)
            mapping[app.application_id] = app.application_id
            touched.add(app.application_id)
        else:
            rest.append(app)
    by_name: dict[str, list[str]] = defaultdict(list)
    for key, app in result.items():
        by_name[name_key(app.name)].append(key)
    incoming_names = Counter(name_key(a.name) for a in incoming.applications)
    preview = MergePreview(portfolio=Portfolio())
    for app in rest:
        key = name_key(app.name)
        candidates = by_name.get(key, [])
        unique = len(candidates) == 1 and incoming_names[key] == 1
        if _placeholder(app) and candidates:
            if unique:
                target = candidates[0]
                result[target] = _combine(result[target], app)
                mapping[app.application_id] = preview.resolved_by_name[app.application_id] = target
                touched.add(target)
            else:
                preview.skipped.append(app.application_id)
                preview.problems.append(_ambiguous(app, candidates, incoming_names[key]))
            continue
        if not _placeholder(app) and unique and _placeholder(result[candidates[0]]):
            target = candidates[0]
            if target not in touched:
                combined = _combine(result[target], app)
                result[target] = combined.model_copy(update={"application_id": app.application_id})
                mapping[app.application_id] = target
                preview.renamed[target] = app.application_id
                touched.add(target)
                continue
        if candidates:
            preview.problems.append(_same_name(app, candidates))
        result[app.application_id] = app
        mapping[app.application_id] = app.application_id
        preview.added.append(app.application_id)
    return _finish(preview, base, incoming, before, result, mapping, touched)


def _finish(
    preview: MergePreview,
    base: Portfolio,
    incoming: Portfolio,
    before: dict[str, Application],
    result: dict[str, Application],
    mapping: dict[str, str],
    touched: set[str],
) -> MergePreview:
    renamed = preview.renamed
    dependencies: dict[tuple[str, str, DependencyType], Dependency] = {
        (d.source_application_id, d.target_application_id, d.dependency_type): d for d in base.dependencies
    }
    known = dict(dependencies)
    for dep in incoming.dependencies:
        source, target = mapping.get(dep.source_application_id), mapping.get(dep.target_application_id)
        if source is None or target is None:
            preview.dependencies_skipped += 1
            continue
        if source == target:
            continue
        key = (source, target, dep.dependency_type)
        if key not in known:
            preview.dependencies_added += 1
        elif known[key].weight != dep.weight:
            preview.dependencies_changed += 1
        dependencies[key] = dep.model_copy(
            update={"source_application_id": source, "target_application_id": target}
        )
    if renamed:
        dependencies = {
            key: dep.model_copy(
                update={
                    "source_application_id": renamed.get(key[0], key[0]),
                    "target_application_id": renamed.get(key[1], key[1]),
                }
            )
            for key, dep in dependencies.items()
        }
    for app_id in before:
        if app_id not in touched:
            preview.absent.append(app_id)
        elif result[app_id] == before[app_id]:
            preview.unchanged.append(app_id)
        else:
            preview.updated.append(result[app_id].application_id)
    if preview.dependencies_skipped:
        preview.problems.append(
            ImportProblem(
                message=f"{preview.dependencies_skipped} dependenc(ies) of applications not imported",
                action="left out",
                severity="warning",
            )
        )
    preview.portfolio = Portfolio(
        applications=list(result.values()), dependencies=list(dependencies.values())
    )
    return preview


def _ambiguous(app: Application, candidates: list[str], incoming_count: int) -> ImportProblem:
    if len(candidates) > 1:
        detail = f"{len(candidates)} applications have this name ({', '.join(sorted(candidates)[:10])})"
    else:
        detail = f"{incoming_count} incoming applications share this name"
    return ImportProblem(
        message=f"{app.name!r} (known only from traffic) cannot be matched by name: {detail}",
        action="not imported; give its servers' applications by id (server mapping) or make the names unique",
        severity="error",
    )


def _same_name(app: Application, candidates: list[str]) -> ImportProblem:
    return ImportProblem(
        message=f"{app.application_id!r} has the same name as {', '.join(sorted(candidates)[:10])} "
        f"({app.name!r}) but another id",
        action="kept as a separate application (applications are identified by their id)",
        severity="warning",
    )


def _combine(old: Application, new: Application) -> Application:
    """One application from two sources, keeping the old id (see the module docstring)."""
    old_traffic, new_traffic = _placeholder(old), _placeholder(new)
    if new_traffic and not old_traffic:
        extra = {k: v for k, v in new.attributes.items() if k != DEPENDENCY_ONLY and k not in old.attributes}
        return old.model_copy(update={"attributes": old.attributes | extra})
    attributes = {
        k: v
        for k, v in (old.attributes | new.attributes).items()
        if k != DEPENDENCY_ONLY or (old_traffic and new_traffic)
    }
    pinned = new.pinned_wave if new.pinned_wave is not None else old.pinned_wave
    return new.model_copy(
        update={"application_id": old.application_id, "attributes": attributes, "pinned_wave": pinned}
    )
