"""The portfolio aggregate: a tenant's applications and their dependencies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, or_, select, update

from db import convert
from db.base import IN_LIST_LIMIT, TenantScoped, rowcount
from db.models import ApplicationRow, DependencyRow, PlanRow
from db.types import utcnow
from planning_core.domain import Application, Dependency, Portfolio
from planning_core.errors import InvalidInput, NotFound


class PortfolioRepository(TenantScoped):
    """Applications and dependencies of one client account and engagement."""

    def upsert_portfolio(self, portfolio: Portfolio) -> tuple[int, int]:
        """Insert or update applications (by id) and dependencies (by source, target, type); un-archives.

        Returns how many applications and distinct dependencies were written (all of the portfolio's).
        """
        now = utcnow()
        dependencies_written = 0
        if portfolio.applications:
            stmt = self._insert(ApplicationRow)
            updatable = [
                c.name
                for c in ApplicationRow.__table__.columns
                if c.name not in {"id", "client_account_id", "engagement_id", "application_id", "created_at"}
            ]
            stmt = stmt.on_conflict_do_update(
                index_elements=["client_account_id", "engagement_id", "application_id"],
                set_={name: stmt.excluded[name] for name in updatable},
            )
            self.session.execute(
                stmt, [convert.application_values(a, self.tenant, now) for a in portfolio.applications]
            )
        if portfolio.dependencies:
            refs = {
                ref
                for d in portfolio.dependencies
                for ref in (d.source_application_id, d.target_application_id)
            }
            unknown = sorted(refs - self._existing_application_ids(refs))
            if unknown:
                raise InvalidInput(f"Dependencies name unknown applications: {', '.join(unknown[:10])}.")
            stmt = self._insert(DependencyRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=[
                    "client_account_id",
                    "engagement_id",
                    "source_application_id",
                    "target_application_id",
                    "dependency_type",
                ],
                set_={"weight": stmt.excluded.weight},
            )
            unique = {
                (d.source_application_id, d.target_application_id, d.dependency_type): d
                for d in portfolio.dependencies
            }
            self.session.execute(stmt, [convert.dependency_values(d, self.tenant) for d in unique.values()])
            dependencies_written = len(unique)
        self.session.expire_all()
        return len(portfolio.applications), dependencies_written

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
            select(PlanRow.id, PlanRow.name, PlanRow.selected_applications).where(
                self._scoped(PlanRow)
            )
        )
        return sorted(
            name or flow_id for flow_id, name, selected in rows if application_id in (selected or [])
        )
