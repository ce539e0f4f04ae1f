"""Input limits: sizes of uploads, numbers of applications and lengths of text, with clear messages."""

from __future__ import annotations

from datetime import date

from planning_core.domain import Portfolio
from planning_core.errors import InvalidInput

MAX_UPLOAD_MB = 50  # keep equal to [server] maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_APPLICATIONS_PER_IMPORT = 20_000
MAX_DEPENDENCIES_PER_IMPORT = 200_000
MAX_APPLICATIONS_PER_PLAN = 5_000
# Waves of one plan, and the highest wave an application may be pinned to (a pin to wave N makes the plan
# at least N waves long). Every export (PDF, XLSX, CSV, MS Project, JSON) is tested up to these sizes.
MAX_WAVES_PER_PLAN = 1_000
MAX_PINNED_WAVE = MAX_WAVES_PER_PLAN
MAX_REASON_LENGTH = 2_000
MAX_SOURCE_NAME_LENGTH = 200
# A plan's first day: the calendar engines add years of waves to it, so it must leave room before 9999.
EARLIEST_START_DATE = date(1970, 1, 1)
LATEST_START_DATE = date(2199, 12, 31)
# Reading a file: rows per file (or per workbook / archive) and bytes once decompressed, both counted
# while streaming, so that a small compressed file cannot expand into gigabytes before it is refused.
MAX_IMPORT_ROWS = 1_000_000
MAX_DECOMPRESSED_MB = 200
MAX_DECOMPRESSED_BYTES = MAX_DECOMPRESSED_MB * 1024 * 1024


def check_upload_size(size_bytes: int, filename: str = "the file") -> None:
    """InvalidInput when an uploaded file is larger than MAX_UPLOAD_BYTES."""
    if size_bytes > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            f"{filename} is {size_bytes / 1024 / 1024:.1f} MB; uploads are limited to {MAX_UPLOAD_MB} MB. "
            "Split the portfolio into several files."
        )


def check_portfolio_size(portfolio: Portfolio) -> None:
    """InvalidInput when one import holds too many applications or dependencies."""
    if len(portfolio.applications) > MAX_APPLICATIONS_PER_IMPORT:
        raise InvalidInput(
            f"The import holds {len(portfolio.applications):,} applications; at most "
            f"{MAX_APPLICATIONS_PER_IMPORT:,} can be imported at once."
        )
    if len(portfolio.dependencies) > MAX_DEPENDENCIES_PER_IMPORT:
        raise InvalidInput(
            f"The import holds {len(portfolio.dependencies):,} dependencies; at most "
            f"{MAX_DEPENDENCIES_PER_IMPORT:,} can be imported at once."
        )


def check_selection_size(count: int) -> None:
    """InvalidInput when a plan would cover too many applications."""
    if count > MAX_APPLICATIONS_PER_PLAN:
        raise InvalidInput(
            f"{count:,} applications are selected; a plan covers at most {MAX_APPLICATIONS_PER_PLAN:,}. "
            "Split the estate into several plans (for example by business unit)."
        )


def check_reason(reason: str) -> str:
    """The edit reason, stripped; InvalidInput when longer than MAX_REASON_LENGTH."""
    reason = reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"The reason is too long ({len(reason)} characters; at most {MAX_REASON_LENGTH}).")
    return reason


def check_start_date(start: date) -> None:
    """InvalidInput when a plan's migration start date is outside EARLIEST_START_DATE..LATEST_START_DATE."""
    if not EARLIEST_START_DATE <= start <= LATEST_START_DATE:
        raise InvalidInput(
            f"The migration start date {start.isoformat()} is out of range: choose a date between "
            f"{EARLIEST_START_DATE.isoformat()} and {LATEST_START_DATE.isoformat()}."
        )
