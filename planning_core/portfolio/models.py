"""What an import produces before anything is written: the preview, its problems and the options."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from pydantic import Field

from planning_core.domain import Model, Portfolio

Severity = Literal["error", "warning"]

# Ports whose traffic is administration, monitoring or infrastructure plumbing rather than an
# application calling another: RDP, SSH, WinRM (HTTP/HTTPS), SNMP and its traps, DNS, NTP, Kerberos,
# LDAP/LDAPS and the global catalogue, RPC endpoint mapper, NetBIOS, syslog, VNC, Zabbix and Nagios
# agents. SMB (445) is NOT dropped by default: file shares are often a real application dependency.
DEFAULT_ADMIN_PORTS: tuple[int, ...] = (
    22,
    53,
    88,
    123,
    135,
    137,
    138,
    139,
    161,
    162,
    389,
    514,
    636,
    3268,
    3269,
    3389,
    5900,
    5985,
    5986,
    10050,
    10051,
    5666,
)


class ImportProblem(Model):
    """One row-level (or file-level) problem and what the import does about it."""

    row: int | None = None
    column: str | None = None
    message: str
    action: str
    severity: Severity = "error"


class DefaultApplied(Model):
    """A value the import assumed because the file did not give one (or gave one it could not use).

    ``column`` is the portfolio field (``six_r_strategy``, ``complexity``...), ``value`` the value
    assumed, ``rows`` how many applications (or dependencies) got it, ``reason`` why, naming the
    file's own column where it has one.
    """

    column: str
    value: str
    rows: int
    reason: str

    def line(self) -> str:
        """The default as one sentence for the preview, the CLI and the plan's warnings."""
        return f"{self.column}: {self.value} assumed for {self.rows} row(s) ({self.reason})"


class ImportOptions(Model):
    """How an import reads its file.

    ``server_applications`` maps server names or IPs to application ids (for example the ``servers``
    of an inventory's preview) so that a dependency export attaches to the inventory's applications.
    ``move_together_min_observations``: both directions seen at least this often make two
    applications move together. ``import_wave_pins``: turn wave names (CMF) into pinned waves.
    """

    admin_ports: list[Annotated[int, Field(ge=0, le=65535)]] = Field(
        default_factory=lambda: list(DEFAULT_ADMIN_PORTS)
    )
    move_together_min_observations: Annotated[int, Field(ge=1)] = 10
    import_wave_pins: bool = False
    server_applications: dict[str, str] = Field(default_factory=dict)
    encoding: str | None = None
    max_problems: Annotated[int, Field(ge=1, le=1_000_000)] = 1000


class ImportPreview(Model):
    """The result of reading a file: the validated portfolio, every problem, pins and counts.

    ``servers`` maps each server key (short host name or IP, lower case) to its application id.
    """

    format: str
    portfolio: Portfolio
    problems: list[ImportProblem] = Field(default_factory=list)
    pins: dict[str, int] = Field(default_factory=dict)
    stats: dict[str, int] = Field(default_factory=dict)
    servers: dict[str, str] = Field(default_factory=dict)
    defaults: list[DefaultApplied] = Field(default_factory=list)

    def default_lines(self) -> list[str]:
        """Every default the import applied, one line each (see ``DefaultApplied.line``)."""
        return [d.line() for d in self.defaults]

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.severity == "warning"]


class Problems:
    """Collects problems while parsing (at most ``limit`` listed, the rest counted) and the defaults
    applied (counted per column, value and reason)."""

    def __init__(self, limit: int = 1000) -> None:
        self.items: list[ImportProblem] = []
        self.limit = limit
        self.not_listed: Counter[str] = Counter()
        self.defaults: Counter[tuple[str, str, str]] = Counter()

    def default(self, column: str, value: object, reason: str, rows: int = 1) -> None:
        """Count ``rows`` rows for which ``column`` took ``value`` because of ``reason``."""
        text = getattr(value, "value", value)
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        self.defaults[(column, str(text), reason)] += rows

    def defaults_applied(self) -> list[DefaultApplied]:
        """The defaults, in the order first met."""
        return [
            DefaultApplied(column=column, value=value, rows=rows, reason=reason)
            for (column, value, reason), rows in self.defaults.items()
        ]

    def add(
        self, *, row: int | None, column: str | None, message: str, action: str, severity: Severity = "error"
    ) -> None:
        """Record one problem (beyond the limit it is only counted; file-level repeats are dropped)."""
        if row is None and any(
            p.row is None and p.column == column and p.message == message[:500] for p in self.items
        ):
            return
        if len(self.items) >= self.limit:
            self.not_listed[severity] += 1
            return
        self.items.append(
            ImportProblem(row=row, column=column, message=message[:500], action=action, severity=severity)
        )

    def warn(self, *, row: int | None, column: str | None, message: str, action: str) -> None:
        """Record a warning."""
        self.add(row=row, column=column, message=message, action=action, severity="warning")

    def finished(self) -> list[ImportProblem]:
        """The listed problems plus one line per severity for those left out."""
        tail = [
            ImportProblem(
                message=f"{count} more {severity}s not listed (the preview lists the first {self.limit})",
                action="see the listed problems; the unlisted ones were handled the same way",
                severity=severity,  # type: ignore[arg-type]
            )
            for severity, count in sorted(self.not_listed.items())
        ]
        return self.items + tail
