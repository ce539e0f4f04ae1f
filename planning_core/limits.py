"""Input limits: sizes of uploads, numbers of applications and lengths of text, with clear messages."""

from __future__ import annotations

from planning_core.domain import Portfolio
from planning_core.errors import InvalidInput

MAX_UPLOAD_MB = 50  # keep equal to [server] maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_APPLICATIONS_PER_IMPORT = 20_000
MAX_DEPENDENCIES_PER_IMPORT = 200_000
MAX_APPLICATIONS_PER_PLAN = 5_000
MAX_REASON_LENGTH = 2_000


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
