"""Domain models shared by every engine: the portfolio and the planning configuration.

All models are pydantic v2; they are the only shapes that cross the boundary between the engines,
the repository layer, the command line and the pages.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    field_validator,
    model_validator,
)


def to_money(value: Decimal | float | int | str) -> Decimal:
    """Round a value to the cent, half up (the way finance rounds)."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """An amount to the cent with thousands separators after its currency: 'USD 1,234.50'.

    With no currency ('') the figure alone: '1,234.50' (tables that name the currency in the header).
    """
    figure = f"{to_money(amount):,.2f}"
    return f"{currency} {figure}" if currency else figure


# Money is exact (Decimal, to the cent) in Python and a plain number in JSON documents.
Money = Annotated[Decimal, PlainSerializer(lambda d: float(d), return_type=float, when_used="json")]


class Model(BaseModel):
    """Base for every domain model: unknown keys are refused, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class SixR(StrEnum):
    REHOST = "rehost"
    REPLATFORM = "replatform"
    REFACTOR = "refactor"
    REPURCHASE = "repurchase"
    RELOCATE = "relocate"
    RETIRE = "retire"
    RETAIN = "retain"


NOT_MIGRATED_STRATEGIES = frozenset({SixR.RETIRE, SixR.RETAIN})


class Criticality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


CRITICALITY_RANK = {Criticality.LOW: 0, Criticality.MEDIUM: 1, Criticality.HIGH: 2, Criticality.CRITICAL: 3}


class DependencyType(StrEnum):
    MOVE_TOGETHER = "move_together"
    PRECEDES = "precedes"


class Phase(StrEnum):
    WAVE_PLANNING = "wave_planning"
    RESOURCE_ALLOCATION = "resource_allocation"
    TIMELINE_GENERATION = "timeline_generation"
    COST_ESTIMATION = "cost_estimation"
    SYNTHESIS = "synthesis"
    COMPLETED = "completed"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)
PHASE_LABELS: dict[Phase, str] = {
    Phase.WAVE_PLANNING: "Wave planning",
    Phase.RESOURCE_ALLOCATION: "Resource allocation",
    Phase.TIMELINE_GENERATION: "Timeline generation",
    Phase.COST_ESTIMATION: "Cost estimation",
    Phase.SYNTHESIS: "Synthesis",
    Phase.COMPLETED: "Completed",
}
RUNNABLE_PHASES: tuple[Phase, ...] = PHASE_ORDER[:-1]


class PhaseStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STALE = "stale"


# Effort model: base hours per application by 6R strategy for a complexity-5 application, scaled
# linearly with complexity (factor 0.4 at complexity 0 up to 1.6 at complexity 10), plus 8 hours per
# server beyond the first. Documented in the README; used only when an application has no effort.
BASE_EFFORT_HOURS: dict[SixR, float] = {
    SixR.REHOST: 60.0,
    SixR.REPLATFORM: 160.0,
    SixR.REFACTOR: 480.0,
    SixR.REPURCHASE: 200.0,
    SixR.RELOCATE: 30.0,
    SixR.RETIRE: 16.0,
    SixR.RETAIN: 0.0,
}
HOURS_PER_EXTRA_SERVER = 8.0


def derived_effort_hours(strategy: SixR, complexity: int, server_count: int) -> float:
    """Effort in hours from 6R strategy, complexity and server count (the documented effort model)."""
    if strategy == SixR.RETAIN:
        return 0.0
    factor = 0.4 + 0.12 * complexity
    extra = HOURS_PER_EXTRA_SERVER * max(server_count - 1, 0)
    return round(BASE_EFFORT_HOURS[strategy] * factor + extra, 1)


ShortText = Annotated[str, Field(max_length=200)]
Identifier = Annotated[str, Field(min_length=1, max_length=100)]


class Application(Model):
    """One application of the portfolio."""

    application_id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=300)]
    business_unit: ShortText = ""
    environment: ShortText = "production"
    six_r_strategy: SixR = SixR.REHOST
    complexity: Annotated[int, Field(ge=1, le=10)] = 5
    business_criticality: Criticality = Criticality.MEDIUM
    effort_hours: Annotated[float, Field(ge=0, le=1_000_000)] | None = None
    server_count: Annotated[int, Field(ge=0, le=100_000)] = 1
    data_size_gb: Annotated[float, Field(ge=0, le=1e9)] = 0.0
    required_skills: list[ShortText] = Field(default_factory=list, max_length=50)
    pinned_wave: Annotated[int, Field(ge=1, le=10_000)] | None = None
    description: Annotated[str, Field(max_length=2000)] = ""
    attributes: dict[ShortText, Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict)

    @field_validator("application_id", "name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("required_skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        seen: list[str] = []
        for skill in value:
            skill = skill.strip().lower()
            if skill and skill not in seen:
                seen.append(skill)
        return seen

    @property
    def effort(self) -> float:
        """Effort in hours: the given value, else the effort model's."""
        if self.effort_hours is not None:
            return float(self.effort_hours)
        return derived_effort_hours(self.six_r_strategy, self.complexity, self.server_count)

    @property
    def migrated(self) -> bool:
        """Retire and retain are not migrated and get no wave."""
        return self.six_r_strategy not in NOT_MIGRATED_STRATEGIES


class Dependency(Model):
    """A dependency between two applications: move together, or source no later than target."""

    source_application_id: Identifier
    target_application_id: Identifier
    dependency_type: DependencyType = DependencyType.PRECEDES
    weight: Annotated[float, Field(gt=0, le=1e9)] = 1.0

    @model_validator(mode="after")
    def _not_self(self) -> Dependency:
        if self.source_application_id == self.target_application_id:
            raise ValueError(f"application {self.source_application_id!r} cannot depend on itself")
        return self


class Portfolio(Model):
    """Applications and their dependencies; ids are unique and every dependency names known ids."""

    applications: list[Application] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Portfolio:
        ids: set[str] = set()
        duplicates: list[str] = []
        for app in self.applications:
            if app.application_id in ids:
                duplicates.append(app.application_id)
            ids.add(app.application_id)
        if duplicates:
            raise ValueError(f"duplicate application ids: {', '.join(sorted(set(duplicates))[:10])}")
        unknown = sorted(
            {
                ref
                for dep in self.dependencies
                for ref in (dep.source_application_id, dep.target_application_id)
                if ref not in ids
            }
        )
        if unknown:
            raise ValueError(f"dependencies name unknown applications: {', '.join(unknown[:10])}")
        return self

    def by_id(self) -> dict[str, Application]:
        return {app.application_id: app for app in self.applications}

    def subset(self, application_ids: list[str]) -> Portfolio:
        """The portfolio restricted to the given applications and the dependencies among them."""
        keep = set(application_ids)
        return Portfolio(
            applications=[a for a in self.applications if a.application_id in keep],
            dependencies=[
                d
                for d in self.dependencies
                if d.source_application_id in keep and d.target_application_id in keep
            ],
        )


class BlackoutWindow(Model):
    """A period (inclusive) in which no migration work is scheduled, e.g. a change freeze."""

    start: date
    end: date
    reason: ShortText = ""

    @model_validator(mode="after")
    def _ordered(self) -> BlackoutWindow:
        if self.end < self.start:
            raise ValueError(f"blackout window ends ({self.end}) before it starts ({self.start})")
        return self


class ResourcePool(Model):
    """A role-based pool of people (seed #690): capacity is per person per week."""

    role: Annotated[str, Field(min_length=1, max_length=100)]
    headcount: Annotated[int, Field(ge=0, le=10_000)] = 1
    capacity_hours_per_week: Annotated[float, Field(ge=0, le=168)] = 40.0
    hourly_rate: Annotated[Money, Field(ge=0, le=100_000)] = Decimal("100")
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "USD"
    skills: list[ShortText] = Field(default_factory=list, max_length=100)
    # Crew bounds: people of this role one activity uses (None: the scheduler's documented default,
    # see planning_core.engines.schedule.crews). Both are clamped to the headcount.
    min_crew: Annotated[int, Field(ge=1, le=10_000)] | None = None
    max_crew: Annotated[int, Field(ge=1, le=10_000)] | None = None

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        return sorted({s.strip().lower() for s in value if s.strip()})

    @model_validator(mode="after")
    def _crew(self) -> ResourcePool:
        if self.min_crew is not None and self.max_crew is not None and self.min_crew > self.max_crew:
            raise ValueError(
                f"the {self.role} pool's minimum crew ({self.min_crew}) is above its maximum ({self.max_crew})"
            )
        return self

    @field_validator("hourly_rate")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        return to_money(value)

    @property
    def weekly_capacity_hours(self) -> float:
        return self.headcount * self.capacity_hours_per_week


class OneOffCost(Model):
    """A one-off cost line (tooling, licences, training...)."""

    name: ShortText
    category: ShortText = "tooling"
    amount: Annotated[Money, Field(ge=0, le=1e12)]

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        return to_money(value)


class CostOverride(Model):
    """An analyst's cost line: ``add`` a new line to a category, or ``set`` a computed category's amount.

    Categories are those of the estimate's breakdown (``labour``, ``data_transfer``, ``dual_running``,
    ``programme_team``, ``environments``, ``one_off:<name>``) or, for ``add``, any new name. The reason is
    required and shown with the line.
    """

    category: Annotated[str, Field(min_length=1, max_length=200)]
    amount: Annotated[Money, Field(ge=-1e12, le=1e12)]
    mode: Literal["add", "set"] = "add"
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    name: ShortText = ""

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        return to_money(value)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a cost override needs a reason")
        return value.strip()


class CostInputs(Model):
    """Inputs of the cost phase beyond labour.

    Time-based costs run for every week of the programme (schedule start to end, calendar weeks):
    ``programme_team_cost_per_week`` (the programme office: leadership, PMO, change and service
    management, not part of the role pools) and ``environment_cost_per_week`` (landing zone, tooling and
    non-production environments). ``dual_running_months`` is the dual-running period of each wave before
    a timeline exists; once scheduled, each wave's applications run twice from the wave's start to the end
    of its hypercare.
    """

    one_off_costs: list[OneOffCost] = Field(default_factory=list)
    data_transfer_cost_per_gb: Annotated[Money, Field(ge=0, le=1e6)] = Decimal("0.02")
    dual_running_cost_per_server_per_month: Annotated[Money, Field(ge=0, le=1e7)] = Decimal("150")
    dual_running_months: Annotated[float, Field(ge=0, le=60)] = 1.0
    effort_uncertainty_pct: Annotated[float, Field(ge=0, le=200)] = 20.0
    programme_team_cost_per_week: Annotated[Money, Field(ge=0, le=1e9)] = Decimal("8000")
    environment_cost_per_week: Annotated[Money, Field(ge=0, le=1e9)] = Decimal("1500")
    cost_overrides: list[CostOverride] = Field(default_factory=list, max_length=200)

    @field_validator(
        "data_transfer_cost_per_gb",
        "dual_running_cost_per_server_per_month",
        "programme_team_cost_per_week",
        "environment_cost_per_week",
    )
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        return to_money(value)


def default_resource_pools() -> list[ResourcePool]:
    """The role pools a new plan starts with; analysts edit them in the wizard.

    Headcounts follow the effort split of a typical portfolio (about 20 % migration engineering, 15 %
    architecture, 25 % development, 10 % database, 20 % testing, 10 % project management), so that no
    single role throttles the whole programme.
    """
    return [
        ResourcePool(
            role="migration_engineer",
            headcount=4,
            hourly_rate=Decimal("110"),
            skills=["rehost", "vmware", "linux", "windows", "networking"],
        ),
        ResourcePool(
            role="cloud_architect",
            headcount=3,
            hourly_rate=Decimal("165"),
            skills=["architecture", "aws", "azure", "security", "networking"],
        ),
        ResourcePool(
            role="developer",
            headcount=5,
            hourly_rate=Decimal("120"),
            skills=["java", ".net", "python", "containers", "refactor"],
        ),
        ResourcePool(
            role="dba",
            headcount=2,
            hourly_rate=Decimal("130"),
            skills=["oracle", "sql server", "postgresql", "mysql", "data migration"],
        ),
        ResourcePool(role="tester", headcount=4, hourly_rate=Decimal("85"), skills=["testing", "automation"]),
        ResourcePool(role="project_manager", headcount=2, hourly_rate=Decimal("140"), skills=["governance"]),
    ]


# Validation context key of a configuration entered by an analyst (see PlanningConfig.from_analyst).
ANALYST_INPUT = "analyst_input"


class PlanningConfig(Model):
    """Everything a plan is built from besides the portfolio. Defaults are documented in the README."""

    max_apps_per_wave: int = 5  # the seed's default (its wizard, API example and end-to-end test)
    wave_duration_limit_days: int = 90
    contingency_percentage: float = 15.0
    migration_start_date: date = date(2027, 1, 4)
    working_days_per_week: Annotated[int, Field(ge=1, le=7)] = 5
    hours_per_day: Annotated[float, Field(gt=0, le=24)] = 8.0
    holidays: list[date] = Field(default_factory=list, max_length=1000)
    blackout_windows: list[BlackoutWindow] = Field(default_factory=list, max_length=200)
    resource_pools: list[ResourcePool] = Field(default_factory=default_resource_pools, max_length=100)
    cost_inputs: CostInputs = Field(default_factory=CostInputs)
    max_effort_hours_per_wave: Annotated[float, Field(gt=0, le=1e9)] | None = None
    pilot_wave: bool = True
    pilot_max_apps: Annotated[int, Field(ge=1, le=50)] = 3
    solver_time_limit_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    random_seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    # Iterations of the risk simulation run with the cost estimate (seed: random_seed; 0: no simulation).
    risk_iterations: Annotated[int, Field(ge=0, le=20_000)] = (
        200  # Monte Carlo iterations of the risk simulation (0: none); see README
    )
    auto_progress: bool = True
    # The specialists' valid suggestions: "apply" applies them at once (the command line's default, for
    # automation); "review" keeps them pending for the analyst (the dashboard's wizard sets it).
    suggestion_mode: Literal["apply", "review"] = "apply"

    @field_validator("max_apps_per_wave")
    @classmethod
    def _max_apps(cls, value: int) -> int:
        if value < 1:
            raise ValueError("max apps per wave must be at least 1")
        if value > 10_000:
            raise ValueError("max apps per wave must be at most 10,000")
        return value

    @field_validator("wave_duration_limit_days")
    @classmethod
    def _duration(cls, value: int) -> int:
        if value < 30:
            raise ValueError("wave duration limit must be at least 30 days")
        if value > 3650:
            raise ValueError("wave duration limit must be at most 3,650 days")
        return value

    @field_validator("contingency_percentage")
    @classmethod
    def _contingency(cls, value: float) -> float:
        if not 0 <= value <= 100:
            raise ValueError("contingency percentage must be between 0 and 100")
        return value

    @field_validator("resource_pools")
    @classmethod
    def _some_pools(cls, value: list[ResourcePool], info: ValidationInfo) -> list[ResourcePool]:
        if not value and (info.context or {}).get(ANALYST_INPUT):
            raise ValueError("add at least one resource pool")
        return value

    @classmethod
    def from_analyst(cls, values: Any) -> PlanningConfig:
        """Validate a configuration an analyst enters or edits: every rule, and at least one resource pool.

        (A configuration without pools stays readable and valid as engine input: stored plans and tests
        have them, and the resource allocation then refuses to run with its own message.)
        """
        return cls.model_validate(values, context={ANALYST_INPUT: True})

    @model_validator(mode="after")
    def _pools(self) -> PlanningConfig:
        roles = [p.role for p in self.resource_pools]
        if len(roles) != len(set(roles)):
            raise ValueError("each resource pool role may appear only once")
        return self

    @property
    def weekly_team_capacity_hours(self) -> float:
        return sum(p.weekly_capacity_hours for p in self.resource_pools)

    @property
    def wave_effort_capacity_hours(self) -> float:
        """Effort one wave can absorb: the explicit cap, else team capacity over the wave duration."""
        if self.max_effort_hours_per_wave is not None:
            return float(self.max_effort_hours_per_wave)
        weeks = self.wave_duration_limit_days / 7.0
        return round(self.weekly_team_capacity_hours * weeks, 1)


class TenantContext(Model):
    """Who is asking: every repository call is scoped by client account and engagement."""

    client_account_id: int
    engagement_id: int
    user_id: str = "local-analyst"
