"""Repositories: every query of the product goes through here, scoped by client account and engagement."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, Select, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

from db import convert
from db.models import (
    ROLES,
    ApplicationRow,
    ClientAccount,
    DependencyRow,
    Engagement,
    Membership,
    PlanningFlowRow,
    PlanRevisionRow,
    ProjectTimelineRow,
    ResourceAllocationRow,
    ResourcePoolRow,
    ResourceSkillRow,
    TimelineMilestoneRow,
    TimelinePhaseRow,
    User,
)
from db.types import utcnow
from planning_core.domain import (
    PHASE_ORDER,
    Application,
    Dependency,
    Phase,
    PhaseStatus,
    PlanningConfig,
    Portfolio,
    TenantContext,
)
from planning_core.errors import InvalidInput, NotFound, StaleWriteError
from planning_core.plan import PlanDocument

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
_IN_LIST_LIMIT = 500  # above this many ids, filter in Python instead of a long IN (...) list


# Documents from which save_flow derives relational rows (resource pools come from the configuration).
RELATIONAL_SOURCES = frozenset({"resource_allocation", "timeline", "planning_config"})


class RevisionInfo(BaseModel):
    """One entry of a plan's history (without its snapshot)."""

    model_config = ConfigDict(frozen=True)

    revision: int
    created_at: datetime
    created_by: str
    action: str
    summary: str
    changes: dict[str, Any]


class TenancyRepository:
    """Client accounts, engagements, users and memberships (not tenant-scoped by nature)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure_client_account(self, name: str) -> int:
        """The id of the client account with this name, created if absent."""
        name = _clean_name(name, "client account")
        found = self.session.scalar(select(ClientAccount.id).where(ClientAccount.name == name))
        if found is not None:
            return found
        return self._insert_or_fetch(
            ClientAccount(name=name), select(ClientAccount.id).where(ClientAccount.name == name)
        )

    def ensure_engagement(self, client_account_id: int, name: str) -> int:
        """The id of the engagement with this name in the client account, created if absent."""
        name = _clean_name(name, "engagement")
        self._client_account_name(client_account_id)
        query = select(Engagement.id).where(
            Engagement.client_account_id == client_account_id, Engagement.name == name
        )
        found = self.session.scalar(query)
        if found is not None:
            return found
        return self._insert_or_fetch(Engagement(client_account_id=client_account_id, name=name), query)

    def ensure_user(self, user_id: str, display_name: str = "", email: str = "") -> None:
        """Create the user if absent; update display name and email when given."""
        user_id = _clean_name(user_id, "user id")
        user = self.session.get(User, user_id)
        if user is None:
            self.session.add(User(id=user_id, display_name=display_name, email=email))
        else:
            if display_name:
                user.display_name = display_name
            if email:
                user.email = email
        self.session.flush()

    def grant(self, user_id: str, client_account_id: int, engagement_id: int | None, role: str) -> None:
        """Give the user a role in one engagement (or, with None, every engagement of the account)."""
        if role not in ROLE_RANK:
            raise InvalidInput(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
        if self.session.get(User, user_id) is None:
            raise NotFound(f"User {user_id!r} does not exist.")
        self._client_account_name(client_account_id)
        if engagement_id is not None:
            self.names(client_account_id, engagement_id)
        membership = self.session.scalar(
            select(Membership).where(
                Membership.user_id == user_id,
                Membership.client_account_id == client_account_id,
                Membership.engagement_id.is_(None)
                if engagement_id is None
                else Membership.engagement_id == engagement_id,
            )
        )
        if membership is None:
            self.session.add(
                Membership(
                    user_id=user_id,
                    client_account_id=client_account_id,
                    engagement_id=engagement_id,
                    role=role,
                )
            )
        else:
            membership.role = role
        self.session.flush()

    def list_client_accounts(self, user_id: str | None = None) -> list[tuple[int, str]]:
        """(id, name) of every client account, or of those the user is a member of, by name."""
        query = select(ClientAccount.id, ClientAccount.name).order_by(ClientAccount.name)
        if user_id is not None:
            query = query.where(
                ClientAccount.id.in_(
                    select(Membership.client_account_id).where(Membership.user_id == user_id)
                )
            )
        return [(row.id, row.name) for row in self.session.execute(query)]

    def list_engagements(self, client_account_id: int, user_id: str | None = None) -> list[tuple[int, str]]:
        """(id, name) of the account's engagements, or of those the user may see, by name."""
        query = (
            select(Engagement.id, Engagement.name)
            .where(Engagement.client_account_id == client_account_id)
            .order_by(Engagement.name)
        )
        if user_id is not None:
            memberships = select(Membership.engagement_id).where(
                Membership.user_id == user_id, Membership.client_account_id == client_account_id
            )
            engagement_ids = list(self.session.scalars(memberships))
            if None not in engagement_ids:
                query = query.where(Engagement.id.in_([e for e in engagement_ids if e is not None]))
        return [(row.id, row.name) for row in self.session.execute(query)]

    def role_of(self, user_id: str, client_account_id: int, engagement_id: int) -> str | None:
        """The user's highest role for the engagement (account-wide grants count), or None."""
        roles = self.session.scalars(
            select(Membership.role).where(
                Membership.user_id == user_id,
                Membership.client_account_id == client_account_id,
                or_(Membership.engagement_id.is_(None), Membership.engagement_id == engagement_id),
            )
        )
        ranked = sorted(roles, key=lambda role: ROLE_RANK.get(role, -1))
        return ranked[-1] if ranked else None

    def names(self, client_account_id: int, engagement_id: int) -> tuple[str, str]:
        """(client account name, engagement name); NotFound if the pair does not exist."""
        row = self.session.execute(
            select(ClientAccount.name, Engagement.name)
            .join(Engagement, Engagement.client_account_id == ClientAccount.id)
            .where(ClientAccount.id == client_account_id, Engagement.id == engagement_id)
        ).first()
        if row is None:
            raise NotFound(
                f"Engagement {engagement_id} of client account {client_account_id} does not exist."
            )
        return row[0], row[1]

    def _client_account_name(self, client_account_id: int) -> str:
        name = self.session.scalar(select(ClientAccount.name).where(ClientAccount.id == client_account_id))
        if name is None:
            raise NotFound(f"Client account {client_account_id} does not exist.")
        return name

    def _insert_or_fetch(self, row: ClientAccount | Engagement, query: Select[Any]) -> int:
        """Insert in a savepoint; if a concurrent writer won the race, return its id."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
            return row.id
        except IntegrityError:
            found = self.session.scalar(query)
            if found is None:
                raise
            return int(found)


class Repository:
    """Everything of one client account and engagement: portfolio, plans, revisions, relational rows."""

    def __init__(self, session: Session, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant

    # --- scoping -------------------------------------------------------------------------------------

    def _scoped(self, model: Any) -> Any:
        """The SQL condition restricting a tenant table to this client account and engagement."""
        return and_(
            model.client_account_id == self.tenant.client_account_id,
            model.engagement_id == self.tenant.engagement_id,
        )

    def _names(self) -> tuple[str, str]:
        return TenancyRepository(self.session).names(self.tenant.client_account_id, self.tenant.engagement_id)

    def _insert(self, table: Any) -> Any:
        """A dialect-specific INSERT that supports ON CONFLICT (Postgres and SQLite)."""
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    # --- portfolio -----------------------------------------------------------------------------------

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
        if len(wanted) <= _IN_LIST_LIMIT:
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
        if len(wanted) <= _IN_LIST_LIMIT:
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
        using = self._flows_using(application_id)
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
        if _rowcount(result) == 0:
            raise NotFound(f"Application {application_id!r} does not exist in this engagement.")
        self.session.expire_all()

    def _flows_using(self, application_id: str) -> list[str]:
        rows = self.session.execute(
            select(PlanningFlowRow.id, PlanningFlowRow.name, PlanningFlowRow.selected_applications).where(
                self._scoped(PlanningFlowRow)
            )
        )
        return sorted(
            name or flow_id for flow_id, name, selected in rows if application_id in (selected or [])
        )

    # --- planning flows ------------------------------------------------------------------------------

    def create_flow(
        self, *, name: str, config: PlanningConfig, selected_application_ids: list[str], created_by: str
    ) -> PlanDocument:
        """A new plan: phase wave_planning, every phase pending, version 1, revision 0."""
        client_account_name, engagement_name = self._names()
        now = utcnow()
        row = PlanningFlowRow(
            id=str(uuid.uuid4()),
            **convert.tenant_values(self.tenant),
            name=name,
            current_phase=Phase.WAVE_PLANNING.value,
            phase_status=PhaseStatus.PENDING.value,
            phase_statuses={phase.value: PhaseStatus.PENDING.value for phase in PHASE_ORDER},
            version=1,
            revision=0,
            created_by=created_by,
            planning_config=config.model_dump(mode="json"),
            selected_applications=list(selected_application_ids),
            agent_execution_log=[],
            ui_state={},
            validation_errors=[],
            warnings=[],
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return convert.row_to_plan(
            row, client_account_name=client_account_name, engagement_name=engagement_name
        )

    def _flow_row(self, planning_flow_id: str, *columns: Any) -> PlanningFlowRow:
        query = select(PlanningFlowRow).where(
            self._scoped(PlanningFlowRow), PlanningFlowRow.id == planning_flow_id
        )
        if columns:
            query = query.options(load_only(*columns))
        row = self.session.scalar(query)
        if row is None:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")
        return row

    def get_flow(self, planning_flow_id: str) -> PlanDocument:
        """The whole plan (applications/dependencies empty); NotFound if absent for this tenant."""
        row = self._flow_row(planning_flow_id)
        client_account_name, engagement_name = self._names()
        return convert.row_to_plan(
            row, client_account_name=client_account_name, engagement_name=engagement_name
        )

    def list_flows(self) -> list[PlanDocument]:
        """The tenant's plans, newest first, without their phase documents (None)."""
        light = [
            PlanningFlowRow.id,
            PlanningFlowRow.client_account_id,
            PlanningFlowRow.engagement_id,
            PlanningFlowRow.name,
            PlanningFlowRow.current_phase,
            PlanningFlowRow.phase_status,
            PlanningFlowRow.phase_statuses,
            PlanningFlowRow.version,
            PlanningFlowRow.revision,
            PlanningFlowRow.planning_config,
            PlanningFlowRow.selected_applications,
            PlanningFlowRow.warnings,
            PlanningFlowRow.created_at,
            PlanningFlowRow.updated_at,
            PlanningFlowRow.planning_completed_at,
        ]
        query = (
            select(PlanningFlowRow)
            .options(load_only(*light, raiseload=True))
            .where(self._scoped(PlanningFlowRow))
            .order_by(PlanningFlowRow.created_at.desc(), PlanningFlowRow.id)
        )
        rows = list(self.session.scalars(query))
        if not rows:
            return []
        client_account_name, engagement_name = self._names()
        return [
            convert.row_to_plan(
                row,
                client_account_name=client_account_name,
                engagement_name=engagement_name,
                with_documents=False,
            )
            for row in rows
        ]

    def save_flow(
        self, plan: PlanDocument, *, expected_version: int, documents: Iterable[str] | None = None
    ) -> PlanDocument:
        """Write the plan if its stored version is `expected_version` (bumping it), with its relational rows.

        `documents` names the phase documents that changed (PlanDocument attribute names); the others
        are left as stored, and the relational rows are rewritten only when the resource allocation,
        the timeline or the configuration changed. None writes everything.
        """
        wanted = None if documents is None else set(documents)
        now = utcnow()
        result = self.session.execute(
            update(PlanningFlowRow)
            .where(
                self._scoped(PlanningFlowRow),
                PlanningFlowRow.id == plan.planning_flow_id,
                PlanningFlowRow.version == expected_version,
            )
            .values(
                **convert.flow_document_values(plan, wanted),
                version=PlanningFlowRow.version + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            current = self.session.scalar(
                select(PlanningFlowRow.version).where(
                    self._scoped(PlanningFlowRow), PlanningFlowRow.id == plan.planning_flow_id
                )
            )
            if current is None:
                raise NotFound(f"Plan {plan.planning_flow_id} does not exist in this engagement.")
            raise StaleWriteError(
                f"This plan was changed by someone else (version {expected_version} is now {current}). "
                "Reload to see the latest plan; your change was not saved."
            )
        if wanted is None or wanted & RELATIONAL_SOURCES:
            self._replace_relational_rows(plan, now)
        self.session.expire_all()
        return plan.model_copy(
            update={
                "version": expected_version + 1,
                "updated_at": now,
                "client_account_id": self.tenant.client_account_id,
                "engagement_id": self.tenant.engagement_id,
            }
        )

    def _replace_relational_rows(self, plan: PlanDocument, now: datetime) -> None:
        """Replace the plan's resource and timeline rows with those derived from its documents."""
        self._delete_relational_rows(plan.planning_flow_id)
        pools, skills, allocations = convert.resource_rows(plan, self.tenant, now)
        head, phases, milestones = convert.timeline_rows(plan, self.tenant, now)
        for model, rows in (
            (ResourcePoolRow, pools),
            (ResourceSkillRow, skills),
            (ResourceAllocationRow, allocations),
            (ProjectTimelineRow, [head] if head else []),
            (TimelinePhaseRow, phases),
            (TimelineMilestoneRow, milestones),
        ):
            if rows:
                self.session.execute(self._insert(model), rows)

    def _delete_relational_rows(self, planning_flow_id: str) -> None:
        timelines = select(ProjectTimelineRow.id).where(
            self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
        )
        pools = select(ResourcePoolRow.id).where(
            self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id
        )
        statements = (
            delete(TimelinePhaseRow).where(
                self._scoped(TimelinePhaseRow), TimelinePhaseRow.timeline_id.in_(timelines)
            ),
            delete(TimelineMilestoneRow).where(
                self._scoped(TimelineMilestoneRow), TimelineMilestoneRow.timeline_id.in_(timelines)
            ),
            delete(ProjectTimelineRow).where(
                self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
            ),
            delete(ResourceAllocationRow).where(
                self._scoped(ResourceAllocationRow),
                ResourceAllocationRow.planning_flow_id == planning_flow_id,
            ),
            delete(ResourceSkillRow).where(
                self._scoped(ResourceSkillRow), ResourceSkillRow.resource_pool_id.in_(pools)
            ),
            delete(ResourcePoolRow).where(
                self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id
            ),
        )
        for statement in statements:
            self.session.execute(statement.execution_options(synchronize_session=False))

    def touch_heartbeat(self, planning_flow_id: str) -> None:
        """Record that a phase of this plan is still running (does not change the version)."""
        result = self.session.execute(
            update(PlanningFlowRow)
            .where(self._scoped(PlanningFlowRow), PlanningFlowRow.id == planning_flow_id)
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) == 0:
            raise NotFound(f"Plan {planning_flow_id} does not exist in this engagement.")

    def heartbeat_at(self, planning_flow_id: str) -> datetime | None:
        """When the plan last reported a running phase, or None."""
        return self._flow_row(planning_flow_id, PlanningFlowRow.heartbeat_at).heartbeat_at

    def delete_flow(self, planning_flow_id: str) -> None:
        """Delete a plan with its revisions and relational rows; NotFound if absent."""
        self._flow_row(planning_flow_id, PlanningFlowRow.id)
        self._delete_relational_rows(planning_flow_id)
        self.session.execute(
            delete(PlanRevisionRow)
            .where(self._scoped(PlanRevisionRow), PlanRevisionRow.planning_flow_id == planning_flow_id)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            delete(PlanningFlowRow)
            .where(self._scoped(PlanningFlowRow), PlanningFlowRow.id == planning_flow_id)
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()

    # --- revisions -----------------------------------------------------------------------------------

    def add_revision(
        self,
        *,
        planning_flow_id: str,
        revision: int,
        action: str,
        summary: str,
        changes: dict[str, Any],
        snapshot: dict[str, Any],
        created_by: str,
    ) -> None:
        """Record a revision of the plan; a revision number already taken is a concurrent edit."""
        self._flow_row(planning_flow_id, PlanningFlowRow.id)
        try:
            with self.session.begin_nested():
                self.session.add(
                    PlanRevisionRow(
                        **convert.tenant_values(self.tenant),
                        planning_flow_id=planning_flow_id,
                        revision=revision,
                        created_at=utcnow(),
                        created_by=created_by,
                        action=action,
                        summary=summary,
                        changes=changes,
                        snapshot=snapshot,
                    )
                )
        except IntegrityError as exc:
            raise StaleWriteError(
                f"Revision {revision} of this plan was already recorded by someone else. "
                "Reload to see the latest plan; your change was not saved."
            ) from exc

    def list_revisions(self, planning_flow_id: str) -> list[RevisionInfo]:
        """The plan's history, oldest first (empty for a plan of another tenant)."""
        query = (
            select(PlanRevisionRow)
            .options(
                load_only(
                    PlanRevisionRow.revision,
                    PlanRevisionRow.created_at,
                    PlanRevisionRow.created_by,
                    PlanRevisionRow.action,
                    PlanRevisionRow.summary,
                    PlanRevisionRow.changes,
                    raiseload=True,
                )
            )
            .where(self._scoped(PlanRevisionRow), PlanRevisionRow.planning_flow_id == planning_flow_id)
            .order_by(PlanRevisionRow.revision)
        )
        return [
            RevisionInfo(
                revision=row.revision,
                created_at=row.created_at,
                created_by=row.created_by,
                action=row.action,
                summary=row.summary,
                changes=dict(row.changes or {}),
            )
            for row in self.session.scalars(query)
        ]

    def get_revision_snapshot(self, planning_flow_id: str, revision: int) -> dict[str, Any]:
        """The snapshot stored with a revision; NotFound if absent."""
        snapshot = self.session.scalar(
            select(PlanRevisionRow.snapshot).where(
                self._scoped(PlanRevisionRow),
                PlanRevisionRow.planning_flow_id == planning_flow_id,
                PlanRevisionRow.revision == revision,
            )
        )
        if snapshot is None:
            raise NotFound(f"Revision {revision} of plan {planning_flow_id} does not exist.")
        return dict(snapshot)

    # --- relational read-backs -----------------------------------------------------------------------

    def timeline_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's timeline_phases rows (one per activity), in order."""
        query = (
            select(TimelinePhaseRow)
            .join(ProjectTimelineRow, ProjectTimelineRow.id == TimelinePhaseRow.timeline_id)
            .where(
                self._scoped(TimelinePhaseRow),
                self._scoped(ProjectTimelineRow),
                ProjectTimelineRow.planning_flow_id == planning_flow_id,
            )
            .order_by(TimelinePhaseRow.phase_number)
        )
        return [convert.timeline_phase_dict(row) for row in self.session.scalars(query)]

    def milestone_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's timeline_milestones rows, in order."""
        query = (
            select(TimelineMilestoneRow)
            .join(ProjectTimelineRow, ProjectTimelineRow.id == TimelineMilestoneRow.timeline_id)
            .where(
                self._scoped(TimelineMilestoneRow),
                self._scoped(ProjectTimelineRow),
                ProjectTimelineRow.planning_flow_id == planning_flow_id,
            )
            .order_by(TimelineMilestoneRow.milestone_number)
        )
        return [convert.milestone_dict(row) for row in self.session.scalars(query)]

    def project_timeline_row(self, planning_flow_id: str) -> dict[str, Any] | None:
        """The plan's project_timelines row (name, overall dates, status), or None."""
        row = self.session.scalar(
            select(ProjectTimelineRow).where(
                self._scoped(ProjectTimelineRow), ProjectTimelineRow.planning_flow_id == planning_flow_id
            )
        )
        if row is None:
            return None
        return {
            "timeline_name": row.timeline_name,
            "overall_start_date": row.overall_start_date,
            "overall_end_date": row.overall_end_date,
            "timeline_status": row.timeline_status,
        }

    def allocation_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's resource_allocations rows, by wave then role."""
        query = (
            select(ResourceAllocationRow, ResourcePoolRow.pool_name)
            .outerjoin(
                ResourcePoolRow,
                and_(
                    ResourcePoolRow.id == ResourceAllocationRow.resource_pool_id,
                    self._scoped(ResourcePoolRow),
                ),
            )
            .where(
                self._scoped(ResourceAllocationRow),
                ResourceAllocationRow.planning_flow_id == planning_flow_id,
            )
            .order_by(ResourceAllocationRow.wave_number, ResourceAllocationRow.role, ResourceAllocationRow.id)
        )
        return [convert.allocation_dict(row, pool_name) for row, pool_name in self.session.execute(query)]

    def resource_pool_rows(self, planning_flow_id: str) -> list[dict[str, Any]]:
        """The plan's resource_pools rows with their skills, by role."""
        pools = list(
            self.session.scalars(
                select(ResourcePoolRow)
                .where(self._scoped(ResourcePoolRow), ResourcePoolRow.planning_flow_id == planning_flow_id)
                .order_by(ResourcePoolRow.role_name)
            )
        )
        if not pools:
            return []
        skills = list(
            self.session.scalars(
                select(ResourceSkillRow).where(
                    self._scoped(ResourceSkillRow),
                    ResourceSkillRow.resource_pool_id.in_([p.id for p in pools]),
                )
            )
        )
        return [convert.pool_dict(p, [s for s in skills if s.resource_pool_id == p.id]) for p in pools]


def _rowcount(result: Any) -> int:
    """Rows matched by an UPDATE/DELETE."""
    return cast(CursorResult[Any], result).rowcount


def _clean_name(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"The {what} must not be blank.")
    if len(value) > 200:
        raise InvalidInput(f"The {what} is too long ({len(value)} characters; at most 200).")
    return value
