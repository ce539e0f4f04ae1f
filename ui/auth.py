"""Sign-in: Streamlit's built-in OIDC (st.login / st.user) when [auth] is configured, else the local analyst.

Configure OIDC in .streamlit/secrets.toml (needs the Authlib package: `pip install "streamlit[auth]"`):

    [auth]
    redirect_uri = "https://planning.example.com/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.com/.well-known/openid-configuration"

Without [auth], the app has a single local analyst (the embedded default). Which client accounts and
engagements a signed-in user sees, and what they may do there, is decided by their memberships
(planning_core.access); an admin grants them with PlanningService.grant_role.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

import streamlit as st

from planning_core.access import SignedInUser, user_from_claims
from planning_core.errors import InvalidInput
from planning_core.service.workspace import LOCAL_USER

LOCAL_ANALYST = SignedInUser(user_id=LOCAL_USER, display_name="Local analyst")


def auth_settings() -> Mapping[str, Any] | None:
    """The [auth] section of secrets.toml, or None when sign-in is not configured."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return None
    return section if isinstance(section, Mapping) and section else None


def provider_name(settings: Mapping[str, Any]) -> str | None:
    """The provider to pass to st.login: the first named [auth.<provider>] section, else None."""
    named = [key for key, value in settings.items() if isinstance(value, Mapping)]
    return named[0] if named else None


def resolve_user(
    settings: Mapping[str, Any] | None, claims: Mapping[str, Any] | None, *, authlib_available: bool
) -> SignedInUser | None:
    """The local analyst without [auth]; the OIDC user when signed in; None when sign-in is needed."""
    if settings is None:
        return LOCAL_ANALYST
    if not authlib_available:
        raise InvalidInput(
            "Sign-in is configured in .streamlit/secrets.toml but the Authlib package is missing: "
            'run `pip install "streamlit[auth]"` (or remove the [auth] section to use the local analyst).'
        )
    if not claims or not claims.get("is_logged_in"):
        return None
    return user_from_claims(claims)


def current_user() -> SignedInUser:
    """The signed-in user; shows the sign-in screen and stops the page while nobody is signed in."""
    settings = auth_settings()
    try:
        user = resolve_user(
            settings,
            st.user.to_dict() if settings is not None else None,
            authlib_available=importlib.util.find_spec("authlib") is not None,
        )
    except InvalidInput as error:
        st.error(str(error))
        st.stop()
    if user is None:
        st.title("Planning Flow")
        st.write("Sign in with your organisation account to open your migration plans.")
        provider = provider_name(settings or {})
        st.button("Sign in", type="primary", on_click=st.login, args=(provider,) if provider else ())
        st.stop()
    return user


def require_sign_in(database: Any) -> SignedInUser:
    """current_user(), recorded in the users table, with its name and a sign-out button in the sidebar."""
    user = current_user()
    if st.session_state.get("_signed_in_user") != user.user_id:
        with database.tenancy(user_id=user.user_id) as tenancy:
            tenancy.ensure_user(user.user_id, user.display_name, user.email)
        st.session_state["_signed_in_user"] = user.user_id
    with st.sidebar:
        st.caption(f"Signed in as {user.display_name or user.user_id}")
        if user != LOCAL_ANALYST:
            st.button("Sign out", on_click=st.logout)
    return user
