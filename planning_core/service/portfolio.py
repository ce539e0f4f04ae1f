"""The portfolio's named sources: import a source as a sync, preview it, list and remove sources, and
plan exactly one file.

A workspace holds the union of what its sources currently say. Importing a source again replaces what
that source said: rows it no longer contains are removed unless another source still gives them, and an
application's fields are recomputed from the sources that give it (in the order they were last
imported, merged by `planning_core.portfolio.merge_previews`: a later source's fields win, an
application known only from traffic never overwrites an inventory's fields), so a cleared field is
cleared. Rows of earlier unnamed imports (no source) are left alone unless a source takes them over.

Everything is computed before the first write (`preview_sync` writes nothing); the write is one
transaction of set-based statements (`db.portfolio.PortfolioRepository.apply_sync`). The import records
every default the importer applied; a plan's warnings name those of its sources' last imports
(`import_warnings`).

An analyst's edit on the Portfolio page (`planning_core.service.portfolio_edits`) is a manual override
of the workspace row, audited; the sources' contents stay what the files said. Re-importing a source
that gives the application recomputes its fields from the sources and so replaces the edit: the preview
lists the application as changed, before (the edit) -> after (the file), and names it among `edited`.
A dependency added by hand is given by no source, so no re-import removes it; one removed by hand comes
back when a source that gives it is imported again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from db.portfolio import EdgeKey, SourceContents, SourceInfo, SyncWrite, edge_key
from db.repository import Repository
from planning_core import limits
from planning_core.access import Action
from planning_core.domain import Application, Dependency, PlanningConfig, Portfolio
from planning_core.errors import InvalidInput, NotFound
from planning_core.plan import PlanDocument
from planning_core.portfolio import plan_merge
from planning_core.portfolio.merge import merge_previews
from planning_core.service.portfolio_edits import PortfolioEditing

__all__ = ["PortfolioService", "SourceInfo", "SyncPreview", "check_plan_request", "import_warnings"]


@dataclass
class SyncPreview:
    """What importing (or removing) a source does to the workspace, row by row; nothing is written."""

    source: str
    applications_added: list[str] = field(default_factory=list)
    applications_changed: list[str] = field(default_factory=list)
    applications_removed: list[str] = field(default_factory=list)
    dependencies_added: list[EdgeKey] = field(default_factory=list)
    dependencies_changed: list[EdgeKey] = field(default_factory=list)
    dependencies_removed: list[EdgeKey] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)  # the source's applications, workspace ids, file order
    skipped: list[str] = field(default_factory=list)  # incoming applications not imported (ambiguous)
    # Per changed application, each field that changes: (before, after), as JSON values.
    changes: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    # Per changed dependency: (weight before, weight after).
    weight_changes: dict[EdgeKey, tuple[float, float]] = field(default_factory=dict)
    edited: list[str] = field(
        default_factory=list
    )  # changed applications whose analyst's edits this replaces
    defaults: list[str] = field(default_factory=list)  # every default the importer applied, one line each
    stale_plans: list[str] = field(default_factory=list)  # plans the sync marked stale (written syncs only)

    def counts(self) -> dict[str, int]:
        return {
            "applications_added": len(self.applications_added),
            "applications_changed": len(self.applications_changed),
            "applications_removed": len(self.applications_removed),
            "dependencies_added": len(self.dependencies_added),
            "dependencies_changed": len(self.dependencies_changed),
            "dependencies_removed": len(self.dependencies_removed),
        }

    def lines(self) -> list[str]:
        """The counts as `planning-flow import` prints them."""
        c = self.counts()
        return [
            f"applications added={c['applications_added']} changed={c['applications_changed']} "
            f"removed={c['applications_removed']}",
            f"dependencies added={c['dependencies_added']} changed={c['dependencies_changed']} "
            f"removed={c['dependencies_removed']}",
        ]


def check_source_name(name: str) -> str:
    """A stripped, non-blank source name of at most 200 characters (InvalidInput otherwise)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("The source name must not be blank.")
    if len(name) > limits.MAX_SOURCE_NAME_LENGTH:
        raise InvalidInput(
            f"The source name is too long ({len(name)} characters; at most {limits.MAX_SOURCE_NAME_LENGTH})."
        )
    return name


def check_plan_request(config: PlanningConfig, name: str, applications: int) -> None:
    """Every check that can refuse planning a file, made before anything is written."""
    from planning_core.service.edits import MAX_NAME_LENGTH

    if len(name.strip()) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"The plan name is too long ({len(name.strip())} characters; at most {MAX_NAME_LENGTH})."
        )
    if applications < 1:
        raise InvalidInput("Select at least one application to plan.")
    limits.check_selection_size(applications)
    limits.check_start_date(config.migration_start_date)
    if not config.resource_pools:
        raise InvalidInput("Invalid planning configuration: resource_pools: add at least one resource pool")


def _fold(providers: list[list[Application]]) -> dict[str, Application]:
    """Each application as the sources give it, merged in order (later sources' fields win)."""
    result: dict[str, Application] = {}
    for apps in providers:
        overlapping = [a for a in apps if a.application_id in result]
        for app in apps:
            if app.application_id not in result:
                result[app.application_id] = app
        if overlapping:
            base = Portfolio.model_construct(
                applications=[result[a.application_id] for a in overlapping], dependencies=[]
            )
            merged = merge_previews(
                base, Portfolio.model_construct(applications=overlapping, dependencies=[])
            )
            result.update({a.application_id: a for a in merged.applications})
    return result


def _mapped(workspace: Portfolio, incoming: Portfolio) -> tuple[SourceContents, dict[str, str], list[str]]:
    """The incoming source with ids matched to the workspace's, the placeholders it renames, and the
    incoming applications not imported."""
    merge = plan_merge(workspace, incoming)
    skipped = set(merge.skipped)

    def final(app_id: str) -> str | None:
        if app_id in skipped:
            return None
        target = merge.resolved_by_name.get(app_id, app_id)
        return merge.renamed.get(target, target)

    contents = SourceContents(name="", order=0)
    ids: dict[str, str] = {}
    for app in incoming.applications:
        target = final(app.application_id)
        if target is not None:
            ids[app.application_id] = target
            contents.applications[target] = app.model_copy(update={"application_id": target})
    for dep in incoming.dependencies:
        source, target = ids.get(dep.source_application_id), ids.get(dep.target_application_id)
        if source is None or target is None or source == target:
            continue
        moved = dep.model_copy(update={"source_application_id": source, "target_application_id": target})
        contents.dependencies[edge_key(moved)] = moved
    return contents, dict(merge.renamed), list(merge.skipped)


def _renamed(contents: SourceContents, renames: dict[str, str]) -> SourceContents:
    if not renames:
        return contents
    apps = {
        renames.get(i, i): a.model_copy(update={"application_id": renames.get(i, i)})
        for i, a in contents.applications.items()
    }
    deps: dict[EdgeKey, Dependency] = {}
    for dep in contents.dependencies.values():
        moved = dep.model_copy(
            update={
                "source_application_id": renames.get(dep.source_application_id, dep.source_application_id),
                "target_application_id": renames.get(dep.target_application_id, dep.target_application_id),
            }
        )
        deps[edge_key(moved)] = moved
    return SourceContents(name=contents.name, order=contents.order, applications=apps, dependencies=deps)


def compute_sync(
    workspace: Portfolio, sources: list[SourceContents], name: str, incoming: Portfolio | None
) -> tuple[SyncPreview, SyncWrite]:
    """What importing `incoming` as source `name` (None: removing that source) changes, and the write."""
    old = next((s for s in sources if s.name == name), SourceContents(name=name, order=0))
    renames: dict[str, str] = {}
    preview = SyncPreview(source=name)
    new = SourceContents(name=name, order=0)
    if incoming is not None:
        new, renames, preview.skipped = _mapped(workspace, incoming)
        new.name = name
        preview.selected = list(new.applications)
    others = [_renamed(s, renames) for s in sources if s.name != name]
    after = others + ([new] if incoming is not None else [])
    current_apps = {a.application_id: a for a in workspace.applications}
    current_deps = {edge_key(d): d for d in workspace.dependencies}
    sourced_before = set(renames) | {i for s in sources for i in s.applications}
    affected = set(old.applications) | set(renames) | set(renames.values())
    affected |= set(new.applications)
    target = _fold([[s.applications[i] for i in s.applications if i in affected] for s in after])
    upserts: list[Application] = []
    for app_id in sorted(affected, key=lambda i: (i not in current_apps, i)):
        if app_id in target:
            if app_id not in current_apps:
                preview.applications_added.append(app_id)
                upserts.append(target[app_id])
            elif current_apps[app_id] != target[app_id]:
                preview.applications_changed.append(app_id)
                preview.changes[app_id] = field_changes(current_apps[app_id], target[app_id])
                upserts.append(target[app_id])
        elif app_id in current_apps and app_id in sourced_before:
            preview.applications_removed.append(app_id)
    removed = set(preview.applications_removed)
    given: dict[EdgeKey, Dependency] = {}
    for source in after:
        given.update(source.dependencies)
    dep_keys = set(old.dependencies) | set(new.dependencies)
    dep_keys |= {k for k in current_deps if k[0] in renames or k[1] in renames}
    sourced_deps = {k for s in sources for k in s.dependencies}
    dep_upserts: list[Dependency] = []
    deleted: list[EdgeKey] = []
    for key in sorted(dep_keys, key=lambda k: (k[0], k[1], k[2].value)):
        if key in given:
            if key not in current_deps:
                preview.dependencies_added.append(key)
                dep_upserts.append(given[key])
            elif current_deps[key].weight != given[key].weight:
                preview.dependencies_changed.append(key)
                preview.weight_changes[key] = (current_deps[key].weight, given[key].weight)
                dep_upserts.append(given[key])
        elif key in current_deps and (key in sourced_deps or key[0] in renames or key[1] in renames):
            preview.dependencies_removed.append(key)
            deleted.append(key)
    listed = set(preview.dependencies_removed)
    preview.dependencies_removed += [
        k for k in current_deps if k not in listed and k not in given and (k[0] in removed or k[1] in removed)
    ]
    write = SyncWrite(
        source=name,
        format="",
        user="",
        counts=preview.counts(),
        contents=new if incoming is not None else None,
        renames=renames,
        upsert_applications=upserts,
        delete_applications=preview.applications_removed,
        upsert_dependencies=dep_upserts,
        delete_dependencies=deleted,
    )
    return preview, write


class PortfolioService(PortfolioEditing):
    """The named sources of one client account and engagement's portfolio, and the analyst's edits of
    it (`PortfolioEditing`)."""

    def preview_sync(self, source: str, portfolio: Portfolio, *, defaults: Sequence[str] = ()) -> SyncPreview:
        """What importing the portfolio as `source` would add, change and remove; writes nothing."""
        source = check_source_name(source)
        limits.check_portfolio_size(portfolio)
        with self._uow() as repo:
            preview, _ = compute_sync(
                repo.portfolio.all_applications_and_dependencies(),
                repo.portfolio.source_contents(),
                source,
                portfolio,
            )
            preview.edited = sorted(repo.portfolio.edited_applications(preview.applications_changed))
        preview.defaults = list(defaults)
        return preview

    def sync(
        self, source: str, portfolio: Portfolio, *, format: str = "", defaults: Sequence[str] = ()
    ) -> SyncPreview:
        """Import the portfolio as `source`, in one transaction: the workspace then holds exactly what
        its sources say (see the module docstring). `defaults`: the importer's default lines, recorded
        with the import. Returns what was added, changed and removed."""
        source = check_source_name(source)
        limits.check_portfolio_size(portfolio)
        with self._uow(Action.EDIT_PLAN) as repo:
            return self._sync(repo, source, portfolio, format, defaults)

    def _sync(
        self,
        repo: Repository,
        source: str,
        portfolio: Portfolio | None,
        format: str,
        defaults: Sequence[str] = (),
    ) -> SyncPreview:
        preview, write = compute_sync(
            repo.portfolio.all_applications_and_dependencies(),
            repo.portfolio.source_contents(),
            source,
            portfolio,
        )
        preview.edited = sorted(repo.portfolio.edited_applications(preview.applications_changed))
        preview.defaults = write.defaults = list(defaults)
        write.format, write.user = format[:30], self.tenant.user_id
        repo.portfolio.apply_sync(write)
        preview.stale_plans = self._stale_after_sync(repo, preview)
        return preview

    def _stale_after_sync(self, repo: Repository, preview: SyncPreview) -> list[str]:
        """Mark stale the plans whose portfolio the sync changed: those that select an application it
        changed or removed, or both ends of a dependency it added, changed or removed (one revision each;
        the analyst recomputes them, as after any portfolio change)."""
        touched = set(preview.applications_changed) | set(preview.applications_removed)
        edges = [*preview.dependencies_added, *preview.dependencies_changed, *preview.dependencies_removed]
        if not touched and not edges:
            return []
        plan_ids = set()
        for plan in repo.plans.list_plans():
            selected = set(plan.selected_applications)
            if selected & touched or any(s in selected and t in selected for s, t, _kind in edges):
                plan_ids.add(plan.planning_flow_id)
        if not plan_ids:
            return []
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in preview.counts().items() if v)
        marked = self._mark_plans_stale(
            repo,
            sorted(plan_ids),
            "portfolio_sync",
            f"Source {preview.source!r} re-imported ({counts})",
            {"portfolio_sync": {"source": preview.source, **preview.counts()}},
        )
        return [plan_id for plan_id, _ in marked]

    def sources(self) -> list[SourceInfo]:
        """The workspace's sources with their counts and last import time, by name."""
        with self._uow() as repo:
            return repo.portfolio.list_sources()

    def remove_source(self, source: str) -> SyncPreview:
        """Remove a source: what only it gave leaves the workspace; returns what was removed or changed."""
        with self._uow(Action.EDIT_PLAN) as repo:
            if source not in {s.name for s in repo.portfolio.list_sources()}:
                raise NotFound(f"Source {source!r} does not exist in this engagement.")
            return self._sync(repo, source, None, "")

    def preview_remove(self, source: str) -> SyncPreview:
        """What removing a source would remove or change; writes nothing."""
        with self._uow() as repo:
            if source not in {s.name for s in repo.portfolio.list_sources()}:
                raise NotFound(f"Source {source!r} does not exist in this engagement.")
            preview, _ = compute_sync(
                repo.portfolio.all_applications_and_dependencies(),
                repo.portfolio.source_contents(),
                source,
                None,
            )
        return preview

    def sources_of_applications(self, application_ids: Sequence[str]) -> list[str]:
        """The names of the sources that give at least one of the applications (what a plan of them
        includes), by name."""
        with self._uow() as repo:
            return repo.portfolio.sources_of_applications(application_ids)

    def plan_sources(self, planning_flow_id: str) -> list[str]:
        """The sources a plan plans (empty: every dependency among its applications)."""
        with self._uow() as repo:
            return repo.portfolio.plan_sources(planning_flow_id)

    def create_plan_of_source(
        self,
        *,
        source: str,
        portfolio: Portfolio,
        config: PlanningConfig,
        name: str = "",
        format: str = "",
        other_dependencies: bool = False,
        defaults: Sequence[str] = (),
    ) -> tuple[str, SyncPreview]:
        """Sync the file as `source` and create a plan of exactly its applications (and, recorded as the
        plan's source, exactly its dependencies; `other_dependencies` also takes those other sources give
        among the same applications) in one transaction, after every check. Returns the plan's id."""
        source = check_source_name(source)
        limits.check_portfolio_size(portfolio)
        check_plan_request(config, name, len(portfolio.applications))
        with self._uow(Action.EDIT_PLAN) as repo:
            preview = self._sync(repo, source, portfolio, format, defaults)
            selected = preview.selected
            check_plan_request(config, name, len(selected))
            plan = self._create_plan(
                repo,
                name=name.strip(),
                config=config,
                selected=selected,
                summary=f"Plan created for {len(selected)} applications of {source}",
                changes={"sources": [source]},
            )
            if not other_dependencies:
                repo.portfolio.set_plan_sources(plan.planning_flow_id, [source])
        return plan.planning_flow_id, preview


def default_source_name(path_name: str) -> str:
    """A file's source name: its name (the last part of the path)."""
    return check_source_name(path_name[-limits.MAX_SOURCE_NAME_LENGTH :])


def field_changes(before: Application, after: Application) -> dict[str, tuple[Any, Any]]:
    """Each field whose value differs: (before, after), as JSON values."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {name: (old[name], new[name]) for name in new if old.get(name) != new[name]}


def import_warnings(repo: Repository, planning_flow_id: str, application_ids: Sequence[str]) -> list[str]:
    """The defaults the last imports of a plan's sources applied, as the plan's warnings: its recorded
    sources, or (a plan of the workspace) the sources that give its applications."""
    recorded = repo.portfolio.plan_sources(planning_flow_id)
    defaults = repo.portfolio.import_defaults(recorded or None)
    if defaults and not recorded:
        giving = set(repo.portfolio.sources_of_applications(application_ids))
        defaults = {name: lines for name, lines in defaults.items() if name in giving}
    return [f"Import default ({name}): {line}" for name, lines in defaults.items() for line in lines]


def with_import_warnings(repo: Repository, plan: PlanDocument) -> None:
    """Add the defaults of the plan's sources' last imports to the plan's warnings (once each)."""
    extra = import_warnings(repo, plan.planning_flow_id, plan.selected_applications)
    if extra:
        plan.warnings = list(dict.fromkeys([*plan.warnings, *extra]))
