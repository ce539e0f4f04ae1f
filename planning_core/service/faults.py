"""Faults in one line: what the command line prints and the dashboard shows when something outside the
analyst's control fails (a lost database connection, a full disk, a killed worker), with every detail
(traceback, SQL, parameters) written to the log file instead (settings: PLANNING_LOG_FILE)."""

from __future__ import annotations

import errno
import logging
import os
import traceback
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from db.session import DatabaseUnavailable, fault_message, is_database_fault, retry_once
from planning_core.errors import PlanningError
from planning_core.settings import get_settings

__all__ = ["DatabaseUnavailable", "fault_line", "is_fault", "log_fault", "report_fault", "retry_once"]

_logger = logging.getLogger("planning_flow.faults")


def is_fault(error: BaseException) -> bool:
    """True for a failure of the machinery (database, disk, memory, a bug), False for a refusal with a
    message written for a person (PlanningError: bad input, not found, a stale write...)."""
    return isinstance(error, DatabaseUnavailable) or not isinstance(error, PlanningError)


def fault_line(error: BaseException) -> str:
    """One line naming the problem: never SQL, parameters or plan data."""
    if isinstance(error, PlanningError):
        return " ".join(str(error).split())
    if isinstance(error, SQLAlchemyError):
        return fault_message(error) if is_database_fault(error) else "the database refused the operation"
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return "the disk is full (no space left on device)"
        where = f" ({error.filename})" if error.filename else ""
        return f"cannot read or write a file{where}: {error.strerror or type(error).__name__}"
    if isinstance(error, MemoryError):
        return "out of memory"
    return f"an unexpected {type(error).__name__} stopped the operation"


def log_fault(error: BaseException, context: str = "") -> Path | None:
    """Append the error's full traceback to the log file; its path, or None if it cannot be written."""
    path = get_settings().log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # it may hold plan data
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(f"--- {context or 'fault'}\n")
            log.write("".join(traceback.format_exception(error)))
    except OSError:  # a full disk cannot take the log either: the one line is all there is
        _logger.debug("cannot write the fault log %s", path)
        return None
    return path


def report_fault(error: BaseException, context: str = "") -> str:
    """Log a fault's details and return the one line to show (a refusal is shown as it is, unlogged)."""
    if not is_fault(error):
        return fault_line(error)
    path = log_fault(error, context)
    details = f" (details in {path})" if path is not None else ""
    return f"{fault_line(error)}{details}"
