"""Exceptions the library raises; every message is written for an analyst, not a developer."""

from __future__ import annotations


class PlanningError(Exception):
    """Base class: anything the product refuses, with a message a person understands."""


class InvalidInput(PlanningError):
    """Input (a config value, an id, a file) is not acceptable; nothing was written."""


class NotFound(PlanningError):
    """The requested record does not exist for this client account and engagement."""


class PhaseOrderError(PlanningError):
    """A phase was asked to run before the phases it depends on."""


class StaleWriteError(PlanningError):
    """Someone else changed the plan since it was read; the write was refused and nothing is lost."""


class PortfolioFormatError(InvalidInput):
    """A portfolio file is missing columns or cannot be read."""


class ConstraintViolationError(PlanningError):
    """An edit breaks a hard constraint and was not confirmed."""

    def __init__(self, message: str, violations: list | None = None) -> None:
        super().__init__(message)
        self.violations = list(violations or [])


class PermissionDenied(PlanningError):
    """The user's role does not allow this action."""
