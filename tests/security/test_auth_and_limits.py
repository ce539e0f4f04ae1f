"""Sign-in resolution (OIDC or the local analyst) and the input limits' messages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planning_core.access import SignedInUser
from planning_core.domain import Application, Portfolio
from planning_core.errors import InvalidInput
from planning_core.limits import (
    MAX_APPLICATIONS_PER_IMPORT,
    MAX_APPLICATIONS_PER_PLAN,
    MAX_UPLOAD_BYTES,
    check_portfolio_size,
    check_reason,
    check_selection_size,
    check_upload_size,
)
from ui.auth import LOCAL_ANALYST, provider_name, resolve_user

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s", "client_id": "c"}


def test_without_auth_settings_the_local_analyst_is_signed_in() -> None:
    assert resolve_user(None, None, authlib_available=False) == LOCAL_ANALYST


def test_with_auth_settings_nobody_is_signed_in_until_the_provider_says_so() -> None:
    assert resolve_user(AUTH, {"is_logged_in": False}, authlib_available=True) is None
    claims = {"is_logged_in": True, "email": "Ana@Example.com", "name": "Ana", "sub": "1"}
    assert resolve_user(AUTH, claims, authlib_available=True) == SignedInUser(
        user_id="ana@example.com", display_name="Ana", email="ana@example.com"
    )


def test_auth_configured_without_authlib_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as error:
        resolve_user(AUTH, {"is_logged_in": True, "email": "a@b.c"}, authlib_available=False)
    assert "the Authlib package is missing" in str(error.value)


def test_provider_is_the_first_named_section() -> None:
    assert (provider_name(AUTH), provider_name({**AUTH, "microsoft": {"client_id": "x"}})) == (
        None,
        "microsoft",
    )


def _page() -> None:
    import streamlit as st

    from ui.auth import current_user

    st.write(f"user={current_user().user_id}")


def test_the_page_runs_as_the_local_analyst_without_secrets() -> None:
    app = AppTest.from_function(_page).run(timeout=30)
    assert [m.value for m in app.markdown] == ["user=local-analyst"]


def test_the_page_asks_to_sign_in_when_auth_is_configured() -> None:
    app = AppTest.from_function(_page)
    app.secrets["auth"] = AUTH
    app.run(timeout=30)
    if app.error:  # Authlib not installed here: the page says so instead of crashing
        assert "Authlib package is missing" in app.error[0].value
    else:
        assert ([b.label for b in app.button], [m.value for m in app.markdown][-1:]) == (
            ["Sign in"],
            ["Sign in with your organisation account to open your migration plans."],
        )


def test_upload_limit() -> None:
    assert check_upload_size(MAX_UPLOAD_BYTES, "apps.csv") is None
    with pytest.raises(InvalidInput) as error:
        check_upload_size(MAX_UPLOAD_BYTES + 1, "apps.csv")
    assert str(error.value) == (
        "apps.csv is 50.0 MB; uploads are limited to 50 MB. Split the portfolio into several files."
    )


def test_import_size_limit() -> None:
    app = Application(application_id="a", name="A")
    many = Portfolio.model_construct(applications=[app] * (MAX_APPLICATIONS_PER_IMPORT + 1), dependencies=[])
    with pytest.raises(InvalidInput) as error:
        check_portfolio_size(many)
    assert str(error.value) == "The import holds 20,001 applications; at most 20,000 can be imported at once."
    assert check_portfolio_size(Portfolio(applications=[app])) is None


def test_plan_size_limit() -> None:
    assert check_selection_size(MAX_APPLICATIONS_PER_PLAN) is None
    with pytest.raises(InvalidInput) as error:
        check_selection_size(MAX_APPLICATIONS_PER_PLAN + 1)
    assert str(error.value) == (
        "5,001 applications are selected; a plan covers at most 5,000. "
        "Split the estate into several plans (for example by business unit)."
    )


def test_reason_limit() -> None:
    assert check_reason("  moved db to wave 2 ") == "moved db to wave 2"
    with pytest.raises(InvalidInput) as error:
        check_reason("x" * 2001)
    assert str(error.value) == "The reason is too long (2001 characters; at most 2000)."
