"""Background jobs and tenant memory tables (same Base and naming convention as db.models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, TenantMixin, TimestampMixin, tenant_table_args
from db.types import JSONDocument, UTCDateTime

JOB_STATUSES = ("queued", "running", "done", "failed")


class PlanningJobRow(TenantMixin, TimestampMixin, Base):
    """One background run of a plan's phases: claimed by a worker, kept alive by its heartbeat."""

    __tablename__ = "planning_jobs"
    __table_args__ = tenant_table_args(
        "planning_jobs",
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_planning_jobs_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(
        ForeignKey("planning_flows.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default="run_all")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    progress: Mapped[str] = mapped_column(Text, nullable=False, default="")
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    worker: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EngagementLearningRow(TenantMixin, Base):
    """What one completed plan taught about its engagement (tenant memory)."""

    __tablename__ = "engagement_learnings"
    __table_args__ = tenant_table_args("engagement_learnings")

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    planning_flow_id: Mapped[str] = mapped_column(String(36), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
