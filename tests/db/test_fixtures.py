"""The shared Postgres fixture: an unreachable server skips its tests, except under CI=true."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

UNREACHABLE = "postgresql://postgres:pw@127.0.0.1:1/test"
MESSAGE = "^Postgres is not reachable at postgresql\\+psycopg://postgres:\\*\\*\\*@127.0.0.1:1/test: "


@pytest.mark.parametrize("ci", ["", "false"])
def test_unreachable_postgres_skips_locally(
    postgres_opener: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=MESSAGE):
        postgres_opener(UNREACHABLE)


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_unreachable_postgres_fails_in_ci(
    postgres_opener: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=MESSAGE):
        postgres_opener(UNREACHABLE)


@pytest.mark.postgres
def test_reachable_postgres_creates_and_drops_databases(
    postgres_server: Any, postgres_opener: Callable[[str], Any]
) -> None:
    server = postgres_opener(postgres_server.url)
    try:
        url = server.create("planning_fixture")
        name = url.rsplit("/", 1)[1]
        assert server.created == [name]
        with server.admin.connect() as connection:
            assert name in connection.execute(text("SELECT datname FROM pg_database")).scalars().all()
        server.drop(url)
        assert server.created == []
        with server.admin.connect() as connection:
            assert name not in connection.execute(text("SELECT datname FROM pg_database")).scalars().all()
    finally:
        server.admin.dispose()
