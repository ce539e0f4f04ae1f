"""Roles: what viewers, analysts and admins may do, in planning_core.access and through the service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.session import Database
from planning_core.access import (
    Action,
    MembershipView,
    allows,
    config_action,
    require,
    role_in,
    user_from_claims,
    visible_engagements,
)
from planning_core.domain import PlanningConfig, ResourcePool
from planning_core.errors import InvalidInput, PermissionDenied
from planning_core.service.flow import PlanningService
from tests.conftest import make_tenant
from tests.security.helpers import FAST_CONFIG, app_ids, tiny_portfolio

# ----------------------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (None, set()),
        ("viewer", {Action.READ, Action.EXPORT}),
        ("analyst", {Action.READ, Action.EXPORT, Action.EDIT_PLAN}),
        ("admin", set(Action)),
        ("owner", set()),  # an unknown role allows nothing
    ],
)
def test_each_role_allows_exactly_its_actions(role: str | None, allowed: set[Action]) -> None:
    assert {action for action in Action if allows(role, action)} == allowed


def test_require_refuses_a_viewer_edit_with_the_role_needed() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require("viewer", Action.EDIT_PLAN, user_id="vera@example.com")
    assert str(refused.value) == (
        "vera@example.com is a viewer here and cannot edit the plan: that needs the analyst role "
        "(ask an admin of the client account)."
    )


def test_require_refuses_a_non_member() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(None, Action.READ, user_id="stranger")
    assert str(refused.value) == (
        "stranger is not a member of this engagement; ask an admin of the client account for access."
    )


def test_require_lets_an_analyst_edit() -> None:
    assert require("analyst", Action.EDIT_PLAN, user_id="ana") is None


def test_config_change_of_a_rate_needs_admin_other_changes_do_not() -> None:
    base = PlanningConfig()
    pools = list(base.resource_pools)
    pools[0] = pools[0].model_copy(update={"hourly_rate": Decimal("999")})
    assert config_action(base, base.model_copy(update={"resource_pools": pools})) == Action.MANAGE_RESOURCES
    assert config_action(base, base.model_copy(update={"max_apps_per_wave": 7})) == Action.EDIT_PLAN
    extra = [*base.resource_pools, ResourcePool(role="sre", headcount=1)]
    assert config_action(base, base.model_copy(update={"resource_pools": extra})) == Action.MANAGE_RESOURCES


def test_user_from_claims_prefers_the_verified_email() -> None:
    user = user_from_claims({"email": " Ana@Example.COM ", "sub": "123", "iss": "https://idp", "name": "Ana"})
    assert user.model_dump() == {
        "user_id": "ana@example.com",
        "display_name": "Ana",
        "email": "ana@example.com",
    }


def test_user_from_claims_falls_back_to_issuer_and_subject_when_email_unverified() -> None:
    user = user_from_claims(
        {"email": "x@example.com", "email_verified": False, "sub": "42", "iss": "https://idp"}
    )
    assert user.user_id == "https://idp#42"


def test_user_from_claims_without_identity_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        user_from_claims({"name": "Nobody"})
    assert str(refused.value) == "The sign-in provider returned neither a verified e-mail nor a subject id."


def test_memberships_decide_role_and_visible_engagements() -> None:
    grants = [
        MembershipView(client_account_id=1, engagement_id=None, role="viewer"),
        MembershipView(client_account_id=1, engagement_id=11, role="admin"),
        MembershipView(client_account_id=2, engagement_id=21, role="analyst"),
    ]
    assert [
        role_in(grants, 1, 11),
        role_in(grants, 1, 12),
        role_in(grants, 2, 21),
        role_in(grants, 2, 22),
    ] == [
        "admin",
        "viewer",
        "analyst",
        None,
    ]
    every = [(1, 11), (1, 12), (2, 21), (2, 22), (3, 31)]
    assert visible_engagements(grants, every) == [(1, 11), (1, 12), (2, 21)]


# ----------------------------------------------------------------------------- through the service


@pytest.fixture
def planned(database: Database) -> tuple[Database, object, str]:
    """A tenant whose analyst created and ran a plan; returns (database, tenant, plan id)."""
    tenant = make_tenant(database, "roles", user_id="owner-analyst", role="admin")
    service = PlanningService(database, tenant)
    service.import_portfolio(tiny_portfolio())
    plan = service.initialize(
        selected_application_ids=app_ids(tiny_portfolio()), config=FAST_CONFIG, run=False
    )
    return database, tenant, plan.planning_flow_id


def _as(database: Database, tenant, user_id: str, role: str | None) -> PlanningService:
    with database.tenancy() as tenancy:
        tenancy.ensure_user(user_id)
        if role is not None:
            tenancy.grant(user_id, tenant.client_account_id, tenant.engagement_id, role)
    return PlanningService(database, tenant.model_copy(update={"user_id": user_id}))


def _write_attempts(service: PlanningService, plan_id: str, version: int) -> dict[str, object]:
    return {
        "import_portfolio": lambda: service.import_portfolio(tiny_portfolio("x-")),
        "initialize": lambda: service.initialize(
            selected_application_ids=app_ids(tiny_portfolio()), config=FAST_CONFIG, run=False
        ),
        "execute_phase": lambda: service.execute_phase(planning_flow_id=plan_id, phase="wave_planning"),
        "run_all": lambda: service.run_all(plan_id),
        "update": lambda: service.update(planning_flow_id=plan_id, expected_version=version, name="Hijacked"),
        "rollback": lambda: service.rollback(planning_flow_id=plan_id, revision=0, expected_version=version),
        "grant_role": lambda: service.grant_role(user_id="friend", role="admin"),
    }


def test_a_viewer_can_read_but_every_write_is_refused_and_nothing_changes(planned) -> None:
    database, tenant, plan_id = planned
    viewer = _as(database, tenant, "vera", "viewer")
    before = viewer.get_plan(plan_id)
    refused = {}
    for name, attempt in _write_attempts(viewer, plan_id, before.version).items():
        with pytest.raises(PermissionDenied) as error:
            attempt()
        refused[name] = str(error.value).split(":")[0]
    assert refused == {
        **{
            name: "vera is a viewer here and cannot edit the plan" for name in refused if name != "grant_role"
        },
        "grant_role": "vera is a viewer here and cannot manage members",
    }
    after = viewer.get_plan(plan_id)
    assert (after.version, after.revision, after.name, len(viewer.list_plans())) == (
        before.version,
        before.revision,
        before.name,
        1,
    )
    assert [r.action for r in viewer.revisions(plan_id)] == ["initialize"]
    assert len(viewer.portfolio().applications) == 5


def test_a_non_member_cannot_even_read(planned) -> None:
    database, tenant, plan_id = planned
    stranger = _as(database, tenant, "stranger", None)
    for attempt in (lambda: stranger.get_plan(plan_id), stranger.list_plans, stranger.portfolio):
        with pytest.raises(PermissionDenied) as error:
            attempt()
        assert str(error.value).startswith("stranger is not a member of this engagement")


def test_an_analyst_edits_the_plan_and_its_config_but_not_rates(planned) -> None:
    database, tenant, plan_id = planned
    analyst = _as(database, tenant, "ana", "analyst")
    plan = analyst.update(
        planning_flow_id=plan_id,
        expected_version=analyst.get_plan(plan_id).version,
        name="Renamed by Ana",
        recompute=False,
    )
    assert plan.name == "Renamed by Ana"
    config = plan.planning_config.model_dump(mode="json")
    config["resource_pools"][0]["hourly_rate"] = "1.00"
    with pytest.raises(PermissionDenied) as error:
        analyst.update(
            planning_flow_id=plan_id, expected_version=plan.version, config=config, recompute=False
        )
    assert str(error.value).startswith("ana is an analyst here and cannot change resource pools or rates")
    stored = analyst.get_plan(plan_id)
    assert (stored.version, stored.planning_config.resource_pools[0].hourly_rate) == (
        plan.version,
        plan.planning_config.resource_pools[0].hourly_rate,
    )
    with pytest.raises(PermissionDenied):
        analyst.grant_role(user_id="friend", role="viewer")
    wider = {**plan.planning_config.model_dump(mode="json"), "max_apps_per_wave": 3}
    edited = analyst.update(
        planning_flow_id=plan_id, expected_version=plan.version, config=wider, recompute=False
    )
    assert edited.planning_config.max_apps_per_wave == 3


def test_an_admin_changes_rates_and_grants_roles(planned) -> None:
    database, tenant, plan_id = planned
    admin = PlanningService(database, tenant)
    plan = admin.get_plan(plan_id)
    config = plan.planning_config.model_dump(mode="json")
    config["resource_pools"][0]["hourly_rate"] = "1.00"
    edited = admin.update(
        planning_flow_id=plan_id, expected_version=plan.version, config=config, recompute=False
    )
    assert edited.planning_config.resource_pools[0].hourly_rate == Decimal("1.00")
    admin.grant_role(user_id="newcomer", role="viewer")
    newcomer = PlanningService(database, tenant.model_copy(update={"user_id": "newcomer"}))
    assert (newcomer.role(), newcomer.get_plan(plan_id).name) == ("viewer", plan.name)
    assert [(r.action, r.created_by) for r in admin.revisions(plan_id)] == [
        ("initialize", "owner-analyst"),
        ("update", "owner-analyst"),
    ]
