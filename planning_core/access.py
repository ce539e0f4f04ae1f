"""Who may do what: roles, the actions they allow, and sign-in helpers (pure; no database, no streamlit).

Roles, lowest to highest (each includes the ones below):
- viewer: read plans and export them.
- analyst: edit plans: import portfolios, create plans, run phases, move applications, change the
  planning configuration (dates, wave limits, calendar, cost inputs), roll back.
- admin: also manage resource pools and their rates (the `resource_pools` of a plan's configuration)
  and the members of the client account.
A plan created by an analyst starts from the configuration the analyst gives (their draft); changing
the pools or rates of an existing plan needs an admin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from planning_core.domain import PlanningConfig
from planning_core.errors import InvalidInput, PermissionDenied

ROLES = ("viewer", "analyst", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MAX_USER_ID_LENGTH = 200


class Action(StrEnum):
    """Something a user asks the product to do."""

    READ = "read"
    EXPORT = "export"
    EDIT_PLAN = "edit the plan"
    MANAGE_RESOURCES = "change resource pools or rates"
    MANAGE_MEMBERS = "manage members"


REQUIRED_ROLE: dict[Action, str] = {
    Action.READ: "viewer",
    Action.EXPORT: "viewer",
    Action.EDIT_PLAN: "analyst",
    Action.MANAGE_RESOURCES: "admin",
    Action.MANAGE_MEMBERS: "admin",
}


def allows(role: str | None, action: Action) -> bool:
    """True when the role (None: no membership) may perform the action."""
    if role not in ROLE_RANK:
        return False
    return ROLE_RANK[role] >= ROLE_RANK[REQUIRED_ROLE[action]]


def require(role: str | None, action: Action, *, user_id: str) -> None:
    """PermissionDenied unless the role allows the action, with a message saying who may do it."""
    if allows(role, action):
        return
    needed = REQUIRED_ROLE[action]
    if role is None:
        raise PermissionDenied(
            f"{user_id} is not a member of this engagement; ask an admin of the client account for access."
        )
    raise PermissionDenied(
        f"{user_id} is {_article(role)} {role} here and cannot {action.value}: that needs the {needed} role "
        "(ask an admin of the client account)."
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def config_action(previous: PlanningConfig, new: PlanningConfig) -> Action:
    """MANAGE_RESOURCES when the change touches resource pools or rates, else EDIT_PLAN."""
    before = [p.model_dump(mode="json") for p in previous.resource_pools]
    after = [p.model_dump(mode="json") for p in new.resource_pools]
    return Action.MANAGE_RESOURCES if before != after else Action.EDIT_PLAN


# --------------------------------------------------------------------------- sign-in helpers
class SignedInUser(BaseModel):
    """A person signed in through OIDC (or the local analyst)."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    display_name: str = ""
    email: str = ""


def user_from_claims(claims: Mapping[str, Any]) -> SignedInUser:
    """The user of OIDC claims: the verified e-mail (lower case) as id, else issuer#subject."""
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True) not in (False, "false", "False")
    subject = str(claims.get("sub") or "").strip()
    issuer = str(claims.get("iss") or "").strip()
    if email and verified:
        user_id = email
    elif subject:
        user_id = f"{issuer}#{subject}" if issuer else subject
    else:
        raise InvalidInput("The sign-in provider returned neither a verified e-mail nor a subject id.")
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise InvalidInput(f"The signed-in user id is too long (at most {MAX_USER_ID_LENGTH} characters).")
    name = str(claims.get("name") or claims.get("preferred_username") or email or user_id).strip()
    return SignedInUser(user_id=user_id, display_name=name[:200], email=email[:320])


class MembershipView(BaseModel):
    """One grant: a role in one engagement, or (engagement_id None) in every engagement of the account."""

    model_config = ConfigDict(frozen=True)

    client_account_id: int
    engagement_id: int | None
    role: str


def role_in(memberships: Iterable[MembershipView], client_account_id: int, engagement_id: int) -> str | None:
    """The highest role the memberships give in the engagement, or None."""
    roles = [
        m.role
        for m in memberships
        if m.client_account_id == client_account_id and m.engagement_id in (None, engagement_id)
    ]
    return max(roles, key=lambda r: ROLE_RANK.get(r, -1)) if roles else None


def visible_engagements(
    memberships: Iterable[MembershipView], engagements: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The (client account id, engagement id) pairs the memberships let the user see, in given order."""
    grants = list(memberships)
    return [pair for pair in engagements if role_in(grants, pair[0], pair[1]) is not None]
