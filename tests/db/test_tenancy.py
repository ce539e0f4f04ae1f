"""Tenancy: client accounts, engagements, users, memberships and roles."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from db.models import User
from db.session import Database
from planning_core.errors import InvalidInput, NotFound


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


def test_ensure_is_idempotent_and_names_resolve(database: Database) -> None:
    name = unique("Acme")
    with database.tenancy() as tenancy:
        client = tenancy.ensure_client_account(name)
        engagement = tenancy.ensure_engagement(client, "Datacentre exit")
    with database.tenancy() as tenancy:
        assert tenancy.ensure_client_account(f"  {name} ") == client
        assert tenancy.ensure_engagement(client, "Datacentre exit") == engagement
        assert tenancy.names(client, engagement) == (name, "Datacentre exit")
        assert tenancy.list_engagements(client) == [(engagement, "Datacentre exit")]


def test_same_engagement_name_in_two_accounts_is_two_engagements(database: Database) -> None:
    with database.tenancy() as tenancy:
        first = tenancy.ensure_client_account(unique("A"))
        second = tenancy.ensure_client_account(unique("B"))
        assert tenancy.ensure_engagement(first, "Wave 0") != tenancy.ensure_engagement(second, "Wave 0")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "^The client account must not be blank.$"),
        ("x" * 201, r"^The client account is too long \(201"),
    ],
)
def test_bad_client_account_names_are_refused(database: Database, name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        with database.tenancy() as tenancy:
            tenancy.ensure_client_account(name)


def test_engagement_of_absent_account_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound, match="^Client account 987654321 does not exist.$"):
        with database.tenancy() as tenancy:
            tenancy.ensure_engagement(987654321, "x")


def test_names_of_a_crossed_pair_is_not_found(database: Database) -> None:
    with database.tenancy() as tenancy:
        first = tenancy.ensure_client_account(unique("A"))
        second = tenancy.ensure_client_account(unique("B"))
        engagement = tenancy.ensure_engagement(second, "e")
        with pytest.raises(
            NotFound, match=f"^Engagement {engagement} of client account {first} does not exist.$"
        ):
            tenancy.names(first, engagement)


def test_memberships_decide_what_a_user_sees_and_their_role(database: Database) -> None:
    user = unique("user")
    with database.tenancy() as tenancy:
        acme_name, globex_name = unique("acme"), unique("globex")
        acme = tenancy.ensure_client_account(acme_name)
        globex = tenancy.ensure_client_account(globex_name)
        hidden_name = unique("hidden")
        hidden = tenancy.ensure_client_account(hidden_name)
        exit_dc = tenancy.ensure_engagement(acme, "dc exit")
        sap = tenancy.ensure_engagement(acme, "sap")
        g1 = tenancy.ensure_engagement(globex, "g1")
        g2 = tenancy.ensure_engagement(globex, "g2")
        tenancy.ensure_engagement(hidden, "h")
        tenancy.ensure_user(user, "Ana", "ana@example.com")
        tenancy.grant(user, acme, exit_dc, "viewer")
        tenancy.grant(user, globex, None, "analyst")
        tenancy.grant(user, globex, g2, "admin")
    with database.tenancy() as tenancy:
        assert tenancy.list_client_accounts(user) == [(acme, acme_name), (globex, globex_name)]
        assert {(acme, acme_name), (globex, globex_name), (hidden, hidden_name)} <= set(
            tenancy.list_client_accounts()
        )
        assert tenancy.list_engagements(acme, user) == [(exit_dc, "dc exit")]
        assert tenancy.list_engagements(acme) == [(exit_dc, "dc exit"), (sap, "sap")]
        assert tenancy.list_engagements(globex, user) == [(g1, "g1"), (g2, "g2")]
        assert tenancy.list_engagements(hidden, user) == []
        assert tenancy.role_of(user, acme, exit_dc) == "viewer"
        assert tenancy.role_of(user, acme, sap) is None
        assert tenancy.role_of(user, globex, g1) == "analyst"
        assert tenancy.role_of(user, globex, g2) == "admin"
        assert tenancy.role_of("nobody", acme, exit_dc) is None


def test_grant_again_changes_the_role(database: Database) -> None:
    user = unique("user")
    with database.tenancy() as tenancy:
        client = tenancy.ensure_client_account(unique("c"))
        engagement = tenancy.ensure_engagement(client, "e")
        tenancy.ensure_user(user)
        tenancy.grant(user, client, engagement, "admin")
        tenancy.grant(user, client, engagement, "viewer")
        assert tenancy.role_of(user, client, engagement) == "viewer"


def test_grant_refuses_unknown_role_user_and_engagement(database: Database) -> None:
    user = unique("user")
    with database.tenancy() as tenancy:
        client = tenancy.ensure_client_account(unique("c"))
        other = tenancy.ensure_client_account(unique("o"))
        foreign = tenancy.ensure_engagement(other, "e")
        tenancy.ensure_user(user)
        with pytest.raises(
            InvalidInput, match="^Unknown role 'owner': choose one of viewer, analyst, admin.$"
        ):
            tenancy.grant(user, client, None, "owner")
        with pytest.raises(NotFound, match="^User 'ghost' does not exist.$"):
            tenancy.grant("ghost", client, None, "viewer")
        with pytest.raises(
            NotFound, match=f"^Engagement {foreign} of client account {client} does not exist.$"
        ):
            tenancy.grant(user, client, foreign, "viewer")
        assert tenancy.role_of(user, client, foreign) is None


def test_ensure_user_updates_only_given_fields(database: Database) -> None:
    user = unique("user")
    with database.tenancy() as tenancy:
        tenancy.ensure_user(user, "Ana", "ana@example.com")
        tenancy.ensure_user(user, email="ana@corp.example")
        row = tenancy.session.scalars(select(User).where(User.id == user)).one()
        assert (row.display_name, row.email) == ("Ana", "ana@corp.example")
