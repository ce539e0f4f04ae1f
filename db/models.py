"""Typed ORM (SQLAlchemy 2.0): tenancy, portfolio, planning flows, revisions and the seed's relational rows.

Every tenant table carries `client_account_id` and `engagement_id` (indexed together, and a composite
foreign key to the engagement so the pair is always consistent); on Postgres these columns are what
row-level security policies key on.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import JSONDocument, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("viewer", "analyst", "admin")


class Base(DeclarativeBase):
    """Declarative base with a naming convention so every constraint has a stable name."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def tenant_table_args(table: str, *extra: Any) -> tuple[Any, ...]:
    """Index on the tenant pair and a composite foreign key to the engagement, plus extra args."""
    return (
        Index(f"ix_{table}_tenant", "client_account_id", "engagement_id"),
        ForeignKeyConstraint(
            ["client_account_id", "engagement_id"],
            ["engagements.client_account_id", "engagements.id"],
            ondelete="CASCADE",
            name=f"fk_{table}_tenant",
        ),
        *extra,
    )


class TenantMixin:
    """The two tenant columns every tenant table carries."""

    client_account_id: Mapped[int] = mapped_column(Integer, nullable=False)
    engagement_id: Mapped[int] = mapped_column(Integer, nullable=False)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


# --- tenancy ---------------------------------------------------------------------------------------


class ClientAccount(Base):
    __tablename__ = "client_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Engagement(Base):
    __tablename__ = "engagements"
    __table_args__ = (
        UniqueConstraint("client_account_id", "name"),
        UniqueConstraint("client_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_account_id: Mapped[int] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Membership(Base):
    """A user's role in a client account; engagement_id NULL means every engagement of the account."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('viewer', 'analyst', 'admin')", name="role"),
        Index("ix_memberships_user", "user_id", "client_account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    client_account_id: Mapped[int] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="CASCADE"), nullable=False
    )
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), nullable=True
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


# --- portfolio -------------------------------------------------------------------------------------


class ApplicationRow(TenantMixin, TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = tenant_table_args(
        "applications",
        UniqueConstraint(
            "client_account_id",
            "engagement_id",
            "application_id",
            name="uq_applications_tenant_application_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    business_unit: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    environment: Mapped[str] = mapped_column(String(200), nullable=False, default="production")
    six_r_strategy: Mapped[str] = mapped_column(String(20), nullable=False)
    complexity: Mapped[int] = mapped_column(Integer, nullable=False)
    business_criticality: Mapped[str] = mapped_column(String(20), nullable=False)
    effort_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    server_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    data_size_gb: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    required_skills: Mapped[list[str]] = mapped_column(JSONDocument, nullable=False, default=list)
    pinned_wave: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    attributes: Mapped[dict[str, str]] = mapped_column(JSONDocument, nullable=False, default=dict)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Provenance: the source whose import last wrote the row, and that import (NULL: an unnamed import).
    source_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    import_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class DependencyRow(TenantMixin, Base):
    __tablename__ = "application_dependencies"
    __table_args__ = tenant_table_args(
        "application_dependencies",
        UniqueConstraint(
            "client_account_id",
            "engagement_id",
            "source_application_id",
            "target_application_id",
            "dependency_type",
            name="uq_application_dependencies_tenant_edge",
        ),
        ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "source_application_id"],
            ["applications.client_account_id", "applications.engagement_id", "applications.application_id"],
            ondelete="CASCADE",
            name="fk_application_dependencies_source",
        ),
        ForeignKeyConstraint(
            ["client_account_id", "engagement_id", "target_application_id"],
            ["applications.client_account_id", "applications.engagement_id", "applications.application_id"],
            ondelete="CASCADE",
            name="fk_application_dependencies_target",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    target_application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    dependency_type: Mapped[str] = mapped_column(String(20), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)
    source_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    import_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- portfolio sources: what each named source (a file) currently says, and its imports --------------


class PortfolioSourceRow(TenantMixin, Base):
    """A named source of the portfolio (by default the file's name) and its last import."""

    __tablename__ = "portfolio_sources"
    __table_args__ = tenant_table_args(
        "portfolio_sources",
        UniqueConstraint(
            "client_account_id", "engagement_id", "name", name="uq_portfolio_sources_tenant_name"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    format: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    last_import_id: Mapped[int] = mapped_column(Integer, nullable=False)


class PortfolioImportRow(TenantMixin, Base):
    """One import (or removal) of a source: who, when, and what it added, changed and removed."""

    __tablename__ = "portfolio_imports"
    __table_args__ = tenant_table_args("portfolio_imports")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    counts: Mapped[dict[str, int]] = mapped_column(JSONDocument, nullable=False, default=dict)
    # Every default the importer applied (one line each: column, value assumed, rows, why).
    defaults: Mapped[list[str]] = mapped_column(JSONDocument, nullable=False, default=list)


class PortfolioEditRow(TenantMixin, Base):
    """One analyst's edit of the portfolio (an application's fields, archive or restore, a dependency added
    or removed): who, when, before and after. ``import_id``: the import the edited row came from."""

    __tablename__ = "portfolio_edits"
    __table_args__ = tenant_table_args("portfolio_edits")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    target_application_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    dependency_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    before: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False, default=dict)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    import_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    edited_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class SourceApplicationRow(TenantMixin, Base):
    """An application as one source currently gives it (ids already matched to the workspace's)."""

    __tablename__ = "portfolio_source_applications"
    __table_args__ = tenant_table_args(
        "portfolio_source_applications",
        UniqueConstraint("source_id", "application_id", name="uq_portfolio_source_applications_source_app"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_sources.id", ondelete="CASCADE"), nullable=False
    )
    application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)


class SourceDependencyRow(TenantMixin, Base):
    """A dependency as one source currently gives it."""

    __tablename__ = "portfolio_source_dependencies"
    __table_args__ = tenant_table_args(
        "portfolio_source_dependencies",
        UniqueConstraint(
            "source_id",
            "source_application_id",
            "target_application_id",
            "dependency_type",
            name="uq_portfolio_source_dependencies_source_edge",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_sources.id", ondelete="CASCADE"), nullable=False
    )
    source_application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    target_application_id: Mapped[str] = mapped_column(String(100), nullable=False)
    dependency_type: Mapped[str] = mapped_column(String(20), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)


# --- planning flows and revisions ---------------------------------------------------------------------


class PlanRow(TenantMixin, TimestampMixin, Base):
    """One plan: phase state, the JSON documents of every phase and a version for optimistic locking."""

    __tablename__ = "planning_flows"
    __table_args__ = tenant_table_args("planning_flows")

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    current_phase: Mapped[str] = mapped_column(String(30), nullable=False)
    phase_status: Mapped[str] = mapped_column(String(20), nullable=False)
    phase_statuses: Mapped[dict[str, str]] = mapped_column(JSONDocument, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    planning_config: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)
    selected_applications: Mapped[list[str]] = mapped_column(JSONDocument, nullable=False)
    wave_plan_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    resource_allocation_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    timeline_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    cost_estimation_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    synthesis_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    agent_execution_log: Mapped[list[Any]] = mapped_column(JSONDocument, nullable=False, default=list)
    suggestions: Mapped[list[Any]] = mapped_column(JSONDocument, nullable=False, default=list)
    ui_state: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False, default=dict)
    validation_errors: Mapped[list[Any]] = mapped_column(JSONDocument, nullable=False, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSONDocument, nullable=False, default=list)
    planning_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The risk simulation of the cost estimate, and where a scenario comes from (NULL: a main plan).
    risk_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    scenario_data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)


class PlanSourceRow(TenantMixin, Base):
    """A source a plan plans: the plan's dependencies are those its sources give (none recorded: all)."""

    __tablename__ = "plan_sources"
    __table_args__ = tenant_table_args(
        "plan_sources",
        UniqueConstraint("planning_flow_id", "source_name", name="uq_plan_sources_plan_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False
    )
    source_name: Mapped[str] = mapped_column(String(200), nullable=False)


class PlanBaselineRow(TenantMixin, Base):
    """A plan's state saved as a baseline: its dates, waves and cost at one revision (`data`)."""

    __tablename__ = "plan_baselines"
    __table_args__ = tenant_table_args("plan_baselines")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)


class PlanRevisionRow(TenantMixin, Base):
    """One revision of a plan: who, when, what changed, and a snapshot to roll back to."""

    __tablename__ = "plan_revisions"
    __table_args__ = tenant_table_args("plan_revisions", UniqueConstraint("planning_flow_id", "revision"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False
    )
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False, default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False)


# --- the seed's relational rows, written with the documents --------------------------------------------


class ProjectTimelineRow(TenantMixin, TimestampMixin, Base):
    __tablename__ = "project_timelines"
    __table_args__ = tenant_table_args("project_timelines")

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False, index=True
    )
    timeline_name: Mapped[str] = mapped_column(String(255), nullable=False)
    overall_start_date: Mapped[date] = mapped_column(Date, nullable=False)
    overall_end_date: Mapped[date] = mapped_column(Date, nullable=False)
    timeline_status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")


class TimelinePhaseRow(TenantMixin, Base):
    """One activity of the timeline (the seed's timeline phase)."""

    __tablename__ = "timeline_phases"
    __table_args__ = tenant_table_args("timeline_phases")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timeline_id: Mapped[str] = mapped_column(
        ForeignKey("project_timelines.id", ondelete="CASCADE"), nullable=False, index=True
    )
    phase_number: Mapped[int] = mapped_column(Integer, nullable=False)
    phase_name: Mapped[str] = mapped_column(String(255), nullable=False)
    activity_id: Mapped[str] = mapped_column(String(100), nullable=False)
    wave_number: Mapped[int] = mapped_column(Integer, nullable=False)
    planned_start_date: Mapped[date] = mapped_column(Date, nullable=False)
    planned_end_date: Mapped[date] = mapped_column(Date, nullable=False)
    slack_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_critical: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TimelineMilestoneRow(TenantMixin, Base):
    __tablename__ = "timeline_milestones"
    __table_args__ = tenant_table_args("timeline_milestones")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timeline_id: Mapped[str] = mapped_column(
        ForeignKey("project_timelines.id", ondelete="CASCADE"), nullable=False, index=True
    )
    milestone_number: Mapped[int] = mapped_column(Integer, nullable=False)
    milestone_name: Mapped[str] = mapped_column(String(255), nullable=False)
    target_date: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    milestone_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    wave_number: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ResourcePoolRow(TenantMixin, TimestampMixin, Base):
    """A role pool of one plan; hours are over the planned waves, utilisation computed in Python."""

    __tablename__ = "resource_pools"
    __table_args__ = tenant_table_args("resource_pools", UniqueConstraint("planning_flow_id", "role_name"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False
    )
    pool_name: Mapped[str] = mapped_column(String(100), nullable=False)
    role_name: Mapped[str] = mapped_column(String(100), nullable=False)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False)
    capacity_hours_per_week: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    total_capacity_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    available_capacity_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    allocated_capacity_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    utilization_percentage: Mapped[Decimal] = mapped_column(Numeric(7, 2), nullable=False)
    skills: Mapped[list[str]] = mapped_column(JSONDocument, nullable=False, default=list)


class ResourceAllocationRow(TenantMixin, Base):
    __tablename__ = "resource_allocations"
    __table_args__ = tenant_table_args("resource_allocations")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False, index=True
    )
    resource_pool_id: Mapped[str | None] = mapped_column(
        ForeignKey("resource_pools.id", ondelete="CASCADE"), nullable=True
    )
    wave_number: Mapped[int] = mapped_column(Integer, nullable=False)
    role: Mapped[str] = mapped_column(String(100), nullable=False)
    allocated_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    capacity_hours: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False)
    is_ai_suggested: Mapped[bool] = mapped_column(Boolean, nullable=False)
    ai_confidence_score: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ResourceSkillRow(TenantMixin, Base):
    __tablename__ = "resource_skills"
    __table_args__ = tenant_table_args("resource_skills")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_pool_id: Mapped[str] = mapped_column(
        ForeignKey("resource_pools.id", ondelete="CASCADE"), nullable=False, index=True
    )
    skill_name: Mapped[str] = mapped_column(String(200), nullable=False)


TENANT_TABLES: tuple[str, ...] = tuple(
    t.name
    for t in Base.metadata.sorted_tables
    if "client_account_id" in t.c and "engagement_id" in t.c and t.name != "memberships"
)
