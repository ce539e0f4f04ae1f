"""Client accounts, engagements, users and memberships: the tenancy aggregate (not tenant-scoped)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.base import clean_name
from db.models import ROLES, ClientAccount, Engagement, Membership, User
from planning_core.errors import InvalidInput, NotFound

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


class TenancyRepository:
    """Client accounts, engagements, users and memberships (not tenant-scoped by nature)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure_client_account(self, name: str) -> int:
        """The id of the client account with this name, created if absent."""
        name = clean_name(name, "client account")
        found = self.session.scalar(select(ClientAccount.id).where(ClientAccount.name == name))
        if found is not None:
            return found
        return self._insert_or_fetch(
            ClientAccount(name=name), select(ClientAccount.id).where(ClientAccount.name == name)
        )

    def ensure_engagement(self, client_account_id: int, name: str) -> int:
        """The id of the engagement with this name in the client account, created if absent."""
        name = clean_name(name, "engagement")
        self._client_account_name(client_account_id)
        query = select(Engagement.id).where(
            Engagement.client_account_id == client_account_id, Engagement.name == name
        )
        found = self.session.scalar(query)
        if found is not None:
            return found
        return self._insert_or_fetch(Engagement(client_account_id=client_account_id, name=name), query)

    def ensure_user(self, user_id: str, display_name: str = "", email: str = "") -> None:
        """Create the user if absent; update display name and email when given."""
        user_id = clean_name(user_id, "user id")
        user = self.session.get(User, user_id)
        if user is None:
            self.session.add(User(id=user_id, display_name=display_name, email=email))
        else:
            if display_name:
                user.display_name = display_name
            if email:
                user.email = email
        self.session.flush()

    def grant(self, user_id: str, client_account_id: int, engagement_id: int | None, role: str) -> None:
        """Give the user a role in one engagement (or, with None, every engagement of the account)."""
        if role not in ROLE_RANK:
            raise InvalidInput(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
        if self.session.get(User, user_id) is None:
            raise NotFound(f"User {user_id!r} does not exist.")
        self._client_account_name(client_account_id)
        if engagement_id is not None:
            self.names(client_account_id, engagement_id)
        membership = self.session.scalar(
            select(Membership).where(
                Membership.user_id == user_id,
                Membership.client_account_id == client_account_id,
                Membership.engagement_id.is_(None)
                if engagement_id is None
                else Membership.engagement_id == engagement_id,
            )
        )
        if membership is None:
            self.session.add(
                Membership(
                    user_id=user_id,
                    client_account_id=client_account_id,
                    engagement_id=engagement_id,
                    role=role,
                )
            )
        else:
            membership.role = role
        self.session.flush()

    def list_client_accounts(self, user_id: str | None = None) -> list[tuple[int, str]]:
        """(id, name) of every client account, or of those the user is a member of, by name."""
        query = select(ClientAccount.id, ClientAccount.name).order_by(ClientAccount.name)
        if user_id is not None:
            query = query.where(
                ClientAccount.id.in_(
                    select(Membership.client_account_id).where(Membership.user_id == user_id)
                )
            )
        return [(row.id, row.name) for row in self.session.execute(query)]

    def list_engagements(self, client_account_id: int, user_id: str | None = None) -> list[tuple[int, str]]:
        """(id, name) of the account's engagements, or of those the user may see, by name."""
        query = (
            select(Engagement.id, Engagement.name)
            .where(Engagement.client_account_id == client_account_id)
            .order_by(Engagement.name)
        )
        if user_id is not None:
            memberships = select(Membership.engagement_id).where(
                Membership.user_id == user_id, Membership.client_account_id == client_account_id
            )
            engagement_ids = list(self.session.scalars(memberships))
            if None not in engagement_ids:
                query = query.where(Engagement.id.in_([e for e in engagement_ids if e is not None]))
        return [(row.id, row.name) for row in self.session.execute(query)]

    def role_of(self, user_id: str, client_account_id: int, engagement_id: int) -> str | None:
        """The user's highest role for the engagement (account-wide grants count), or None."""
        roles = self.session.scalars(
            select(Membership.role).where(
                Membership.user_id == user_id,
                Membership.client_account_id == client_account_id,
                or_(Membership.engagement_id.is_(None), Membership.engagement_id == engagement_id),
            )
        )
        ranked = sorted(roles, key=lambda role: ROLE_RANK.get(role, -1))
        return ranked[-1] if ranked else None

    def names(self, client_account_id: int, engagement_id: int) -> tuple[str, str]:
        """(client account name, engagement name); NotFound if the pair does not exist."""
        row = self.session.execute(
            select(ClientAccount.name, Engagement.name)
            .join(Engagement, Engagement.client_account_id == ClientAccount.id)
            .where(ClientAccount.id == client_account_id, Engagement.id == engagement_id)
        ).first()
        if row is None:
            raise NotFound(
                f"Engagement {engagement_id} of client account {client_account_id} does not exist."
            )
        return row[0], row[1]

    def _client_account_name(self, client_account_id: int) -> str:
        name = self.session.scalar(select(ClientAccount.name).where(ClientAccount.id == client_account_id))
        if name is None:
            raise NotFound(f"Client account {client_account_id} does not exist.")
        return name

    def _insert_or_fetch(self, row: ClientAccount | Engagement, query: Select[Any]) -> int:
        """Insert in a savepoint; if a concurrent writer won the race, return its id."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
            return row.id
        except IntegrityError:
            found = self.session.scalar(query)
            if found is None:
                raise
            return int(found)
