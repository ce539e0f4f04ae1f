"""The portfolio aggregate: a tenant's applications and their dependencies, and the named sources they
come from (what each source currently says, its imports, and the sources a plan plans).

A sync is computed in planning_core.service.portfolio and written here with set-based statements
(`apply_sync`): the source's contents replaced, renamed ids followed, and only the workspace rows that
change inserted, updated or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update

from db import convert
from db.base import IN_LIST_LIMIT, TenantScoped, rowcount
from db.models import (
    ApplicationRow,
    DependencyRow,
    PlanRow,
    PlanSourceRow,
    PortfolioImportRow,
    PortfolioSourceRow,
    SourceApplicationRow,
    SourceDependencyRow,
)
from db.portfolio_edits import PortfolioEdits
from db.types import utcnow
from planning_core.domain import Application, Dependency, DependencyType, Portfolio
from planning_core.errors import InvalidInput, NotFound

EdgeKey = tuple[str, str, DependencyType]
_CHUNK = 500


def edge_key(dep: Dependency) -> EdgeKey:
    """A dependency's identity: (source, target, type)."""
    return (dep.source_application_id, dep.target_application_id, dep.dependency_type)


@dataclass
class SourceContents:
    """What one named source currently says (ids matched to the workspace's), in sync order."""

    name: str
    order: int
    applications: dict[str, Application] = field(default_factory=dict)
    dependencies: dict[EdgeKey, Dependency] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceInfo:
    """A source as the Portfolio page and `planning-flow sources` list it."""

    name: str
    format: str
    applications: int
    dependencies: int
    imported_at: datetime
    imported_by: str


@dataclass
class SyncWrite:
    """Everything one sync (or removal) of a source writes; computed by the service, nothing decided here.

    ``contents`` None removes the source; ``renames`` maps a workspace id to the id replacing it (in every
    other source's contents too); the workspace rows to upsert or delete are exactly those that change.
    """

    source: str
    format: str
    user: str
    counts: dict[str, int]
    contents: SourceContents | None
    renames: dict[str, str] = field(default_factory=dict)
    upsert_applications: list[Application] = field(default_factory=list)
    delete_applications: list[str] = field(default_factory=list)
    upsert_dependencies: list[Dependency] = field(default_factory=list)
    delete_dependencies: list[EdgeKey] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)  # every default the importer applied, one line each


class PortfolioRepository(PortfolioEdits, TenantScoped):
    """Applications and dependencies of one client account and engagement (and the analyst's edits of
    them, `db.portfolio_edits`)."""

    def upsert_portfolio(self, portfolio: Portfolio) -> tuple[int, int]:
        """Insert or update applications (by id) and dependencies (by source, target, type); un-archives.

        Returns how many applications and distinct dependencies were written (all of the portfolio's).
        """
        if portfolio.dependencies:
            refs = {
                ref
                for d in portfolio.dependencies
                for ref in (d.source_application_id, d.target_application_id)
            }
            known = self._existing_application_ids(refs) | {a.application_id for a in portfolio.applications}
            unknown = sorted(refs - known)
            if unknown:
                raise InvalidInput(f"Dependencies name unknown applications: {', '.join(unknown[:10])}.")
        unique = {edge_key(d): d for d in portfolio.dependencies}
        self._upsert_rows(portfolio.applications, list(unique.values()), provenance=None)
        self.session.expire_all()
        return len(portfolio.applications), len(unique)

    def _upsert_rows(
        self,
        applications: Sequence[Application],
        dependencies: Sequence[Dependency],
        *,
        provenance: tuple[str, int] | None,
    ) -> None:
        """Bulk INSERT ... ON CONFLICT DO UPDATE of applications, then dependencies; with provenance
        (source name, import id) the rows remember it, without it their provenance is left as it was."""
        now = utcnow()
        extra: dict[str, Any] = {}
        if provenance is not None:
            extra = {"source_name": provenance[0], "import_id": provenance[1]}
        if applications:
            values = [convert.application_values(a, self.tenant, now) | extra for a in applications]
            stmt = self._insert(ApplicationRow)
            keep = {"id", "client_account_id", "engagement_id", "application_id", "created_at"}
            stmt = stmt.on_conflict_do_update(
                index_elements=["client_account_id", "engagement_id", "application_id"],
                set_={name: stmt.excluded[name] for name in values[0] if name not in keep},
            )
            self.session.execute(stmt, values)
        if dependencies:
            dep_values = [convert.dependency_values(d, self.tenant) | extra for d in dependencies]
            stmt = self._insert(DependencyRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=[
                    "client_account_id",
                    "engagement_id",
                    "source_application_id",
                    "target_application_id",
                    "dependency_type",
                ],
                set_={name: stmt.excluded[name] for name in ("weight", *extra)},
            )
            self.session.execute(stmt, dep_values)

    def _existing_application_ids(self, application_ids: Iterable[str]) -> set[str]:
        wanted = set(application_ids)
        query = select(ApplicationRow.application_id).where(self._scoped(ApplicationRow))
        if len(wanted) <= IN_LIST_LIMIT:
            query = query.where(ApplicationRow.application_id.in_(wanted))
        return {a for a in self.session.scalars(query) if a in wanted}

    def list_applications(
        self, application_ids: list[str] | None = None, *, include_archived: bool = False
    ) -> list[Application]:
        """The tenant's applications in import order, optionally only the given ids (absent ids skipped)."""
        return [
            convert.row_to_application(row)
            for row in self._application_rows(application_ids, include_archived)
        ]

    def _application_rows(
        self, application_ids: list[str] | None, include_archived: bool
    ) -> list[ApplicationRow]:
        query = select(ApplicationRow).where(self._scoped(ApplicationRow)).order_by(ApplicationRow.id)
        if not include_archived:
            query = query.where(ApplicationRow.archived.is_(False))
        if application_ids is None:
            return list(self.session.scalars(query))
        wanted = set(application_ids)
        if len(wanted) <= IN_LIST_LIMIT:
            query = query.where(ApplicationRow.application_id.in_(wanted))
        return [row for row in self.session.scalars(query) if row.application_id in wanted]

    def missing_application_ids(self, application_ids: Sequence[str]) -> list[str]:
        """The given ids that are not (un-archived) applications of this tenant, in the given order."""
        known = {a.application_id for a in self._application_rows(list(application_ids), False)}
        return [a for a in dict.fromkeys(application_ids) if a not in known]

    def list_dependencies(self) -> list[Dependency]:
        """The tenant's dependencies, in import order."""
        query = select(DependencyRow).where(self._scoped(DependencyRow)).order_by(DependencyRow.id)
        return [convert.row_to_dependency(row) for row in self.session.scalars(query)]

    def load_portfolio(self, application_ids: list[str] | None = None) -> Portfolio:
        """Applications (all, or the given ids) and the dependencies among them."""
        applications = self.list_applications(application_ids)
        ids = {a.application_id for a in applications}
        dependencies = [
            d
            for d in self.list_dependencies()
            if d.source_application_id in ids and d.target_application_id in ids
        ]
        return Portfolio(applications=applications, dependencies=dependencies)

    def count_applications(self) -> int:
        """Number of un-archived applications of the tenant."""
        query = select(func.count()).where(self._scoped(ApplicationRow), ApplicationRow.archived.is_(False))
        return int(self.session.scalar(query) or 0)

    def delete_application(self, application_id: str) -> None:
        """Delete an application and its dependencies; refused while a plan of this tenant selects it."""
        row = self.session.scalar(
            select(ApplicationRow).where(
                self._scoped(ApplicationRow), ApplicationRow.application_id == application_id
            )
        )
        if row is None:
            raise NotFound(f"Application {application_id!r} does not exist in this engagement.")
        using = self._plans_using(application_id)
        if using:
            raise InvalidInput(
                f"Application {application_id!r} is used by the plan(s) {', '.join(repr(n) for n in using)}; "
                "remove it from those plans (or archive it) before deleting it."
            )
        self.session.execute(
            delete(DependencyRow).where(
                self._scoped(DependencyRow),
                or_(
                    DependencyRow.source_application_id == application_id,
                    DependencyRow.target_application_id == application_id,
                ),
            )
        )
        self.session.delete(row)
        self.session.flush()

    def archive_application(self, application_id: str, *, archived: bool = True) -> None:
        """Hide (or show again) an application without deleting it; plans that use it keep working."""
        result = self.session.execute(
            update(ApplicationRow)
            .where(self._scoped(ApplicationRow), ApplicationRow.application_id == application_id)
            .values(archived=archived, updated_at=utcnow())
        )
        if rowcount(result) == 0:
            raise NotFound(f"Application {application_id!r} does not exist in this engagement.")
        self.session.expire_all()

    def _plans_using(self, application_id: str) -> list[str]:
        rows = self.session.execute(
            select(PlanRow.id, PlanRow.name, PlanRow.selected_applications).where(self._scoped(PlanRow))
        )
        return sorted(
            name or flow_id for flow_id, name, selected in rows if application_id in (selected or [])
        )

    # ----------------------------------------------------------------- sources
    def source_contents(self) -> list[SourceContents]:
        """Every source's current contents, in sync order (the source imported longest ago first)."""
        sources = self.session.execute(
            select(PortfolioSourceRow.id, PortfolioSourceRow.name, PortfolioSourceRow.last_import_id)
            .where(self._scoped(PortfolioSourceRow))
            .order_by(PortfolioSourceRow.last_import_id, PortfolioSourceRow.id)
        ).all()
        by_id = {row.id: SourceContents(name=row.name, order=row.last_import_id) for row in sources}
        app_rows = self.session.execute(
            select(
                SourceApplicationRow.source_id,
                SourceApplicationRow.application_id,
                SourceApplicationRow.document,
            )
            .where(self._scoped(SourceApplicationRow))
            .order_by(SourceApplicationRow.id)
        )
        for source_id, application_id, document in app_rows:
            app = Application.model_validate(document | {"application_id": application_id})
            by_id[source_id].applications[application_id] = app
        dep_rows = self.session.scalars(
            select(SourceDependencyRow)
            .where(self._scoped(SourceDependencyRow))
            .order_by(SourceDependencyRow.id)
        )
        for row in dep_rows:
            dep = Dependency(
                source_application_id=row.source_application_id,
                target_application_id=row.target_application_id,
                dependency_type=DependencyType(row.dependency_type),
                weight=row.weight,
            )
            by_id[row.source_id].dependencies[edge_key(dep)] = dep
        return list(by_id.values())

    def list_sources(self) -> list[SourceInfo]:
        """The workspace's sources with their counts and last import, by name."""
        apps = (
            select(SourceApplicationRow.source_id, func.count().label("n"))
            .where(self._scoped(SourceApplicationRow))
            .group_by(SourceApplicationRow.source_id)
            .subquery()
        )
        deps = (
            select(SourceDependencyRow.source_id, func.count().label("n"))
            .where(self._scoped(SourceDependencyRow))
            .group_by(SourceDependencyRow.source_id)
            .subquery()
        )
        rows = self.session.execute(
            select(PortfolioSourceRow, apps.c.n, deps.c.n)
            .outerjoin(apps, apps.c.source_id == PortfolioSourceRow.id)
            .outerjoin(deps, deps.c.source_id == PortfolioSourceRow.id)
            .where(self._scoped(PortfolioSourceRow))
            .order_by(PortfolioSourceRow.name)
        ).all()
        return [
            SourceInfo(
                name=source.name,
                format=source.format,
                applications=int(app_count or 0),
                dependencies=int(dep_count or 0),
                imported_at=source.imported_at,
                imported_by=source.imported_by,
            )
            for source, app_count, dep_count in rows
        ]

    def all_applications_and_dependencies(self) -> Portfolio:
        """Every application (archived too) and every dependency, unvalidated (for computing a sync)."""
        return Portfolio.model_construct(
            applications=self.list_applications(include_archived=True), dependencies=self.list_dependencies()
        )

    def apply_sync(self, write: SyncWrite) -> int:
        """Write one sync or removal of a source in the caller's transaction; returns the import's id."""
        now = utcnow()
        record = PortfolioImportRow(
            **convert.tenant_values(self.tenant),
            source_name=write.source,
            action="import" if write.contents is not None else "remove",
            imported_at=now,
            imported_by=write.user,
            counts=dict(write.counts),
            defaults=list(write.defaults),
        )
        self.session.add(record)
        self.session.flush()
        self._replace_contents(write, record.id, now)
        self._follow_renames(write.renames)
        for chunk in _chunks(write.delete_dependencies):
            self.session.execute(
                delete(DependencyRow).where(
                    self._scoped(DependencyRow),
                    or_(
                        *(
                            and_(
                                DependencyRow.source_application_id == s,
                                DependencyRow.target_application_id == t,
                                DependencyRow.dependency_type == kind.value,
                            )
                            for s, t, kind in chunk
                        )
                    ),
                )
            )
        for ids in _chunks(write.delete_applications):
            self.session.execute(
                delete(DependencyRow).where(
                    self._scoped(DependencyRow),
                    or_(
                        DependencyRow.source_application_id.in_(ids),
                        DependencyRow.target_application_id.in_(ids),
                    ),
                )
            )
            self.session.execute(
                delete(ApplicationRow).where(
                    self._scoped(ApplicationRow), ApplicationRow.application_id.in_(ids)
                )
            )
        self._upsert_rows(
            write.upsert_applications, write.upsert_dependencies, provenance=(write.source, record.id)
        )
        self.session.expire_all()
        return record.id

    def _replace_contents(self, write: SyncWrite, import_id: int, now: datetime) -> None:
        source = self.session.scalar(
            select(PortfolioSourceRow).where(
                self._scoped(PortfolioSourceRow), PortfolioSourceRow.name == write.source
            )
        )
        if write.contents is None:
            if source is not None:
                self.session.delete(source)
                self.session.flush()
            return
        if source is None:
            source = PortfolioSourceRow(
                **convert.tenant_values(self.tenant),
                name=write.source,
                created_at=now,
                last_import_id=import_id,
            )
            self.session.add(source)
        else:
            for model in (SourceApplicationRow, SourceDependencyRow):
                self.session.execute(delete(model).where(self._scoped(model), model.source_id == source.id))
        source.format, source.imported_at, source.imported_by = write.format, now, write.user
        source.last_import_id = import_id
        self.session.flush()
        tenant = convert.tenant_values(self.tenant)
        if write.contents.applications:
            self.session.execute(
                self._insert(SourceApplicationRow),
                [
                    {
                        **tenant,
                        "source_id": source.id,
                        "application_id": app_id,
                        "document": app.model_dump(mode="json", exclude={"application_id"}),
                    }
                    for app_id, app in write.contents.applications.items()
                ],
            )
        if write.contents.dependencies:
            self.session.execute(
                self._insert(SourceDependencyRow),
                [
                    {**convert.dependency_values(dep, self.tenant), "source_id": source.id}
                    for dep in write.contents.dependencies.values()
                ],
            )

    def _follow_renames(self, renames: dict[str, str]) -> None:
        """A placeholder replaced by an inventory id: every source's contents follow the new id."""
        for old, new in renames.items():
            self.session.execute(
                update(SourceApplicationRow)
                .where(self._scoped(SourceApplicationRow), SourceApplicationRow.application_id == old)
                .values(application_id=new)
            )
            for column in ("source_application_id", "target_application_id"):
                self.session.execute(
                    update(SourceDependencyRow)
                    .where(self._scoped(SourceDependencyRow), getattr(SourceDependencyRow, column) == old)
                    .values({column: new})
                )

    # ----------------------------------------------------------------- a plan's sources
    def set_plan_sources(self, planning_flow_id: str, sources: Iterable[str]) -> None:
        """Record the sources a plan plans (its dependencies are those these sources give)."""
        self.session.execute(
            delete(PlanSourceRow).where(
                self._scoped(PlanSourceRow), PlanSourceRow.planning_flow_id == planning_flow_id
            )
        )
        names = list(dict.fromkeys(sources))
        if names:
            self.session.execute(
                self._insert(PlanSourceRow),
                [
                    {
                        **convert.tenant_values(self.tenant),
                        "planning_flow_id": planning_flow_id,
                        "source_name": n,
                    }
                    for n in names
                ],
            )

    def plan_sources(self, planning_flow_id: str) -> list[str]:
        """The sources a plan plans, by name (empty: every dependency among its applications)."""
        return list(
            self.session.scalars(
                select(PlanSourceRow.source_name)
                .where(self._scoped(PlanSourceRow), PlanSourceRow.planning_flow_id == planning_flow_id)
                .order_by(PlanSourceRow.source_name)
            )
        )

    def load_plan_portfolio(self, planning_flow_id: str, application_ids: list[str]) -> Portfolio:
        """A plan's portfolio: its selected applications and the dependencies among them that its
        recorded sources give (every dependency among them when the plan records no source)."""
        sources = self.plan_sources(planning_flow_id)
        if not sources:
            return self.load_portfolio(application_ids)
        applications = self.list_applications(application_ids)
        ids = {a.application_id for a in applications}
        given = exists().where(
            SourceDependencyRow.source_id == PortfolioSourceRow.id,
            self._scoped(PortfolioSourceRow),
            PortfolioSourceRow.name.in_(sources),
            self._scoped(SourceDependencyRow),
            SourceDependencyRow.source_application_id == DependencyRow.source_application_id,
            SourceDependencyRow.target_application_id == DependencyRow.target_application_id,
            SourceDependencyRow.dependency_type == DependencyRow.dependency_type,
        )
        query = select(DependencyRow).where(self._scoped(DependencyRow), given).order_by(DependencyRow.id)
        dependencies = [
            convert.row_to_dependency(row)
            for row in self.session.scalars(query)
            if row.source_application_id in ids and row.target_application_id in ids
        ]
        return Portfolio(applications=applications, dependencies=dependencies)


def _chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
