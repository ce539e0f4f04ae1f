"""The analyst's edits of the portfolio, and what a plan's warnings say about its sources' imports.

Mixed into `db.portfolio.PortfolioRepository`: an application's editable row, one audit row per edit
(`portfolio_edits`: who, when, before, after, and the import the edited row came from), the edits still
in force (an edit is replaced when a later import of a source rewrites the row), the plans selecting an
application, and the defaults each source's last import applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update

from db import convert
from db.base import TenantScoped, rowcount
from db.models import (
    ApplicationRow,
    DependencyRow,
    PlanRow,
    PlanSourceRow,
    PortfolioEditRow,
    PortfolioImportRow,
    PortfolioSourceRow,
    SourceApplicationRow,
    SourceDependencyRow,
)
from db.types import utcnow
from planning_core.domain import Application, Dependency, DependencyType
from planning_core.errors import NotFound

EDITABLE_COLUMNS = (
    "six_r_strategy",
    "complexity",
    "business_criticality",
    "effort_hours",
    "required_skills",
    "pinned_wave",
)


@dataclass(frozen=True)
class StoredApplication:
    """An application as stored: its fields, whether archived, and the import that last wrote it."""

    application: Application
    archived: bool
    import_id: int | None


@dataclass(frozen=True)
class EditInfo:
    """One audited edit of the portfolio."""

    id: int
    action: str
    application_id: str
    target_application_id: str | None
    dependency_type: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    edited_at: datetime
    edited_by: str


def _edit_info(row: PortfolioEditRow) -> EditInfo:
    return EditInfo(
        id=row.id,
        action=row.action,
        application_id=row.application_id,
        target_application_id=row.target_application_id,
        dependency_type=row.dependency_type,
        before=dict(row.before or {}),
        after=dict(row.after or {}),
        reason=row.reason,
        edited_at=row.edited_at,
        edited_by=row.edited_by,
    )


class PortfolioEdits(TenantScoped):
    """Edits of single applications and dependencies, and their audit."""

    def stored_application(self, application_id: str) -> StoredApplication:
        """The application (archived or not) with its archive flag and import; NotFound otherwise."""
        row = self.session.scalar(
            select(ApplicationRow).where(
                self._scoped(ApplicationRow), ApplicationRow.application_id == application_id
            )
        )
        if row is None:
            raise NotFound(f"Application {application_id!r} does not exist in this engagement.")
        return StoredApplication(convert.row_to_application(row), row.archived, row.import_id)

    def update_application_fields(self, app: Application) -> None:
        """Write the editable fields of one application (its provenance and archive flag are kept)."""
        values = convert.application_values(app, self.tenant, utcnow())
        result = self.session.execute(
            update(ApplicationRow)
            .where(self._scoped(ApplicationRow), ApplicationRow.application_id == app.application_id)
            .values({name: values[name] for name in (*EDITABLE_COLUMNS, "updated_at")})
        )
        if rowcount(result) == 0:
            raise NotFound(f"Application {app.application_id!r} does not exist in this engagement.")
        self.session.expire_all()

    def find_dependency(self, source: str, target: str, kind: DependencyType) -> Dependency | None:
        row = self.session.scalar(
            select(DependencyRow).where(self._scoped(DependencyRow), *self._edge(source, target, kind))
        )
        return None if row is None else convert.row_to_dependency(row)

    def insert_dependency(self, dep: Dependency) -> None:
        """Add one dependency by hand (no source gives it: no re-import removes it)."""
        self.session.add(DependencyRow(**convert.dependency_values(dep, self.tenant)))
        self.session.flush()

    def delete_dependency(self, source: str, target: str, kind: DependencyType) -> None:
        self.session.execute(
            delete(DependencyRow).where(self._scoped(DependencyRow), *self._edge(source, target, kind))
        )
        self.session.expire_all()

    @staticmethod
    def _edge(source: str, target: str, kind: DependencyType) -> tuple[Any, ...]:
        return (
            DependencyRow.source_application_id == source,
            DependencyRow.target_application_id == target,
            DependencyRow.dependency_type == kind.value,
        )

    # ----------------------------------------------------------------- audit
    def add_edit(
        self,
        *,
        action: str,
        application_id: str,
        before: dict[str, Any],
        after: dict[str, Any],
        user: str,
        reason: str = "",
        import_id: int | None = None,
        target_application_id: str | None = None,
        dependency_type: str | None = None,
    ) -> EditInfo:
        """Record one edit (in the caller's transaction)."""
        row = PortfolioEditRow(
            **convert.tenant_values(self.tenant),
            action=action,
            application_id=application_id,
            target_application_id=target_application_id,
            dependency_type=dependency_type,
            before=before,
            after=after,
            reason=reason,
            import_id=import_id,
            edited_at=utcnow(),
            edited_by=user,
        )
        self.session.add(row)
        self.session.flush()
        return _edit_info(row)

    def list_edits(self, application_id: str | None = None, *, limit: int = 500) -> list[EditInfo]:
        """The audited edits, newest first (of one application, as either end of a dependency too)."""
        query = select(PortfolioEditRow).where(self._scoped(PortfolioEditRow))
        if application_id is not None:
            query = query.where(
                or_(
                    PortfolioEditRow.application_id == application_id,
                    PortfolioEditRow.target_application_id == application_id,
                )
            )
        query = query.order_by(PortfolioEditRow.id.desc()).limit(limit)
        return [_edit_info(row) for row in self.session.scalars(query)]

    def edited_applications(self, application_ids: Iterable[str]) -> set[str]:
        """The applications whose current fields carry an analyst's edit: an edit made since the import
        that last wrote the row (a later import of a source giving the application replaces it)."""
        wanted = set(application_ids)
        if not wanted:
            return set()
        rows = self.session.execute(
            select(ApplicationRow.application_id)
            .join(
                PortfolioEditRow,
                and_(
                    PortfolioEditRow.client_account_id == ApplicationRow.client_account_id,
                    PortfolioEditRow.engagement_id == ApplicationRow.engagement_id,
                    PortfolioEditRow.application_id == ApplicationRow.application_id,
                ),
            )
            .where(
                self._scoped(ApplicationRow),
                PortfolioEditRow.action == "edit",
                or_(
                    PortfolioEditRow.import_id == ApplicationRow.import_id,
                    and_(PortfolioEditRow.import_id.is_(None), ApplicationRow.import_id.is_(None)),
                ),
            )
        )
        return {app_id for (app_id,) in rows if app_id in wanted}

    # ----------------------------------------------------------------- plans and sources
    def plans_selecting(
        self, application_ids: Iterable[str], *, every: bool = False
    ) -> list[tuple[str, list[str]]]:
        """(plan id, its recorded sources) of every plan selecting one of the applications (every=True:
        all of them)."""
        wanted = set(application_ids)
        rows = self.session.execute(
            select(PlanRow.id, PlanRow.selected_applications)
            .where(self._scoped(PlanRow))
            .order_by(PlanRow.id)
        )
        ids = [
            flow_id
            for flow_id, selected in rows
            if (wanted <= set(selected or []) if every else wanted & set(selected or []))
        ]
        sources: dict[str, list[str]] = {flow_id: [] for flow_id in ids}
        if ids:
            for flow_id, name in self.session.execute(
                select(PlanSourceRow.planning_flow_id, PlanSourceRow.source_name)
                .where(self._scoped(PlanSourceRow), PlanSourceRow.planning_flow_id.in_(ids))
                .order_by(PlanSourceRow.source_name)
            ):
                sources[flow_id].append(name)
        return [(flow_id, sources[flow_id]) for flow_id in ids]

    def sources_giving_dependency(self, source: str, target: str, kind: DependencyType) -> list[str]:
        """The names of the sources whose contents give this dependency."""
        return list(
            self.session.scalars(
                select(PortfolioSourceRow.name)
                .join(SourceDependencyRow, SourceDependencyRow.source_id == PortfolioSourceRow.id)
                .where(
                    self._scoped(PortfolioSourceRow),
                    self._scoped(SourceDependencyRow),
                    SourceDependencyRow.source_application_id == source,
                    SourceDependencyRow.target_application_id == target,
                    SourceDependencyRow.dependency_type == kind.value,
                )
                .order_by(PortfolioSourceRow.name)
            )
        )

    def sources_of_applications(self, application_ids: Iterable[str]) -> list[str]:
        """The names of the sources that give at least one of the applications."""
        wanted = set(application_ids)
        rows = self.session.execute(
            select(PortfolioSourceRow.name, SourceApplicationRow.application_id)
            .join(SourceApplicationRow, SourceApplicationRow.source_id == PortfolioSourceRow.id)
            .where(self._scoped(PortfolioSourceRow), self._scoped(SourceApplicationRow))
        )
        return sorted({name for name, app_id in rows if app_id in wanted})

    def import_defaults(self, source_names: Iterable[str] | None = None) -> dict[str, list[str]]:
        """The defaults each named source's (None: every source's) last import applied, by source name
        (sources without any left out)."""
        query = (
            select(PortfolioSourceRow.name, PortfolioImportRow.defaults)
            .join(PortfolioImportRow, PortfolioImportRow.id == PortfolioSourceRow.last_import_id)
            .where(self._scoped(PortfolioSourceRow), self._scoped(PortfolioImportRow))
            .order_by(PortfolioSourceRow.name)
        )
        if source_names is not None:
            names = list(dict.fromkeys(source_names))
            if not names:
                return {}
            query = query.where(PortfolioSourceRow.name.in_(names))
        rows = self.session.execute(query)
        return {name: list(defaults) for name, defaults in rows if defaults}
