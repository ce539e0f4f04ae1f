"""Adversarial tenant suite on Postgres: another tenant's rows stay invisible and unwritable.

The app engine logs in as planning_app (no table ownership, row-level security forced). For every tenant
table, generated attempts read and write the victim's rows through raw SQL under the app role (no
tenant, the attacker's tenant, a mismatched pair, hostile setting values, an unscoped query in the app's
own session) and through the service; every read returns 0 victim rows and the victim's data is
byte-for-byte unchanged afterwards (0 writes).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from db.session import Database
from migrations.rls import TENANCY_TABLES, tenant_tables
from planning_core.domain import TenantContext
from planning_core.errors import NotFound, PermissionDenied
from planning_core.service.flow import PlanningService
from planning_core.service.scenarios import ScenarioService
from tests.conftest import make_tenant
from tests.security.helpers import FAST_CONFIG, app_ids, tiny_portfolio

pytestmark = pytest.mark.postgres

RAW_ATTEMPTS = 1_200
SERVICE_ATTEMPTS = 240
HOSTILE_SETTINGS = ["", "0", "-1", "1 OR 1=1", "abc", "99999999999", "NULL", "' OR ''='"]


def _owner(database: Database) -> Connection:
    return database.owner_engine.connect()


def _seed_tenant(database: Database, label: str) -> tuple[TenantContext, str]:
    """A tenant with a fully planned portfolio plus a job and a learning (rows in every tenant table)."""
    tenant = make_tenant(database, label, user_id=f"{label}-user", role="analyst")
    service = PlanningService(database, tenant)
    service.import_portfolio(tiny_portfolio(), source="tiny.xlsx")
    plan = service.initialize(selected_application_ids=app_ids(tiny_portfolio()), config=FAST_CONFIG)
    ScenarioService(database, tenant).save_baseline(plan.planning_flow_id)
    with database.unit_of_work(tenant) as repo:
        repo.portfolio.set_plan_sources(plan.planning_flow_id, ["tiny.xlsx"])
        repo.portfolio.add_edit(
            action="edit",
            application_id=app_ids(tiny_portfolio())[0],
            before={},
            after={},
            user=tenant.user_id,
        )
    values = {"ca": tenant.client_account_id, "eng": tenant.engagement_id, "flow": plan.planning_flow_id}
    with database.owner_engine.begin() as owner:
        owner.execute(
            text(
                "INSERT INTO planning_jobs (id, planning_flow_id, kind, status, progress, error, requested_by,"
                " worker, attempts, client_account_id, engagement_id, created_at, updated_at) VALUES "
                "(:id, :flow, 'run_all', 'queued', '', '', :user, '', 0, :ca, :eng, now(), now())"
            ),
            {**values, "id": str(uuid.uuid4()), "user": tenant.user_id},
        )
        owner.execute(
            text(
                "INSERT INTO engagement_learnings (planning_flow_id, revision, data, created_at,"
                " client_account_id, engagement_id) VALUES (:flow, 1, '{\"lesson\": 1}', now(), :ca, :eng)"
            ),
            values,
        )
    return tenant, plan.planning_flow_id


def _fingerprints(database: Database, tables: list[str], tenant: TenantContext) -> dict[str, tuple[int, str]]:
    """Row count and md5 of every row of the tenant in each table, read as the owner (bypasses RLS)."""
    result = {}
    with _owner(database) as owner:
        for table in tables:
            row = owner.execute(
                text(
                    f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
                    " WHERE client_account_id = :ca AND engagement_id = :eng"
                ),
                {"ca": tenant.client_account_id, "eng": tenant.engagement_id},
            ).one()
            result[table] = (row[0], row[1])
    return result


def _primary_keys(database: Database, tables: list[str]) -> dict[str, tuple[str, str]]:
    """(column, data type) of each table's single-column primary key."""
    query = text(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a"
        " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:t AS regclass)"
        " AND i.indisprimary"
    )
    with _owner(database) as owner:
        return {t: tuple(owner.execute(query, {"t": t}).one()) for t in tables}


class Attempt:
    """One generated attack: a context (which settings the transaction has) and an operation."""

    CONTEXTS = ("none", "attacker", "mismatched", "hostile", "victim_account_only", "job_worker")
    OPERATIONS = (
        "select_all",
        "select_victim",
        "update_victim",
        "delete_victim",
        "insert_victim",
        "move_own",
    )

    def __init__(self, rng: random.Random, tables: list[str]) -> None:
        self.table = rng.choice(tables)
        self.context = rng.choice(self.CONTEXTS)
        self.operation = rng.choice(self.OPERATIONS)
        self.hostile = rng.choice(HOSTILE_SETTINGS)
        self.salt = rng.randrange(1, 10**6)


def _set_context(
    connection: Connection, attempt: Attempt, attacker: TenantContext, victim: TenantContext
) -> None:
    settings: dict[str, str] = {}
    if attempt.context == "attacker":
        settings = {
            "app.client_account_id": str(attacker.client_account_id),
            "app.engagement_id": str(attacker.engagement_id),
            "app.user_id": attacker.user_id,
        }
    elif attempt.context == "mismatched":
        settings = {
            "app.client_account_id": str(attacker.client_account_id),
            "app.engagement_id": str(victim.engagement_id),
        }
    elif attempt.context == "hostile":
        settings = {
            "app.client_account_id": attempt.hostile,
            "app.engagement_id": attempt.hostile,
            "app.user_id": attempt.hostile,
        }
    elif attempt.context == "victim_account_only":
        settings = {"app.client_account_id": str(victim.client_account_id)}
    elif attempt.context == "job_worker":  # the queue's flag opens planning_jobs only
        settings = {
            "app.job_worker": "on",
            "app.client_account_id": str(attacker.client_account_id),
            "app.engagement_id": str(attacker.engagement_id),
        }
    for name, value in settings.items():
        connection.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})


def _run(
    connection: Connection,
    attempt: Attempt,
    attacker: TenantContext,
    victim: TenantContext,
    key: tuple[str, str],
    *,
    keep: bool = True,
) -> tuple[int, int, str]:
    """(victim rows read, victim rows written, SQLSTATE of the refusal or "") of one attempt."""
    table, victim_where = attempt.table, "client_account_id = :vca AND engagement_id = :veng"
    ids = {"vca": victim.client_account_id, "veng": victim.engagement_id}
    column, kind = key
    new_id = str(uuid.uuid4()) if "char" in kind else 2_000_000_000 - attempt.salt
    patch = (
        f'{{"client_account_id": {victim.client_account_id}, "engagement_id": {victim.engagement_id}, '
        f'"{column}": {new_id if isinstance(new_id, int) else chr(34) + new_id + chr(34)}}}'
    )
    statements = {
        "select_all": f"SELECT count(*) FROM {table} WHERE NOT (client_account_id = :aca AND engagement_id = :aeng)",
        "select_victim": f"SELECT count(*) FROM {table} WHERE {victim_where}",
        "update_victim": f"UPDATE {table} SET client_account_id = client_account_id WHERE {victim_where}",
        "delete_victim": f"DELETE FROM {table} WHERE {victim_where}",
        "insert_victim": f"INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(x) "
        f"|| CAST(:patch AS jsonb))).* FROM {table} x LIMIT 1",
        "move_own": f"UPDATE {table} SET client_account_id = :vca, engagement_id = :veng "
        "WHERE client_account_id = :aca AND engagement_id = :aeng",
    }
    params = {**ids, "aca": attacker.client_account_id, "aeng": attacker.engagement_id, "patch": patch}
    transaction = connection.begin()
    try:
        _set_context(connection, attempt, attacker, victim)
        result = connection.execute(text(statements[attempt.operation]), params)
        outcome = (
            (int(result.scalar_one()), 0) if attempt.operation.startswith("select") else (0, result.rowcount)
        )
    except DBAPIError as error:
        transaction.rollback()
        return 0, 0, str(getattr(error.orig, "sqlstate", "") or "")
    if keep:
        transaction.commit()
    else:
        transaction.rollback()
    return (*outcome, "")


@pytest.fixture(scope="module")
def two_tenants(app_role_database: Database) -> tuple[Database, TenantContext, str, TenantContext, str]:
    attacker, attacker_plan = _seed_tenant(app_role_database, "attacker")
    victim, victim_plan = _seed_tenant(app_role_database, "victim")
    return app_role_database, attacker, attacker_plan, victim, victim_plan


def test_the_app_engine_is_a_non_owner_role_and_every_tenant_table_forces_rls(two_tenants) -> None:
    database = two_tenants[0]
    with database.engine.connect() as app:
        who = app.execute(
            text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    with _owner(database) as owner:
        tables = tenant_tables(owner)
        flags = owner.execute(
            text(
                "SELECT relname, relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) FROM pg_class"
                " WHERE relname = ANY(:t) ORDER BY relname"
            ),
            {"t": tables},
        ).all()
        policies = set(
            owner.execute(
                text("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
            ).scalars()
        )
    assert tuple(who) == ("planning_app", False, False)
    assert tables == sorted(
        [
            "applications",
            "application_dependencies",
            "engagement_learnings",
            "planning_flows",
            "planning_jobs",
            "plan_baselines",
            "plan_revisions",
            "plan_sources",
            "portfolio_edits",
            "portfolio_imports",
            "portfolio_source_applications",
            "portfolio_source_dependencies",
            "portfolio_sources",
            "project_timelines",
            "resource_allocations",
            "resource_pools",
            "resource_skills",
            "timeline_milestones",
            "timeline_phases",
        ]
    )
    assert [(name, rls, force, owner_name != "planning_app") for name, rls, force, owner_name in flags] == [
        (name, True, True, True) for name in tables
    ]
    assert policies == set(tables)


def test_generated_attacks_read_nothing_and_write_nothing(two_tenants, capsys) -> None:
    database, attacker, _attacker_plan, victim, _victim_plan = two_tenants
    with _owner(database) as owner:
        tables = tenant_tables(owner)
    before = _fingerprints(database, tables, victim)
    assert {t: count > 0 for t, (count, _) in before.items()} == {t: True for t in tables}, "seed every table"
    keys = _primary_keys(database, tables)
    rng = random.Random(8)
    tally: Counter[str] = Counter()
    leaks = []
    write_refusals: Counter[str] = Counter()
    with database.engine.connect() as app:
        for _ in range(RAW_ATTEMPTS):
            attempt = Attempt(rng, tables)
            if attempt.context == "job_worker" and attempt.table == "planning_jobs":
                attempt.context = "attacker"  # the queue flag is the documented exception for jobs
            read, written, state = _run(app, attempt, attacker, victim, keys[attempt.table])
            tally[attempt.operation] += 1
            if attempt.operation in ("insert_victim", "move_own") and state:
                write_refusals[state] += 1
            if read or written:
                leaks.append((attempt.table, attempt.context, attempt.operation, read, written))
    after = _fingerprints(database, tables, victim)
    with capsys.disabled():
        print(
            f"\nRLS raw SQL as planning_app: {RAW_ATTEMPTS} attempts over {len(tables)} tables "
            f"{dict(sorted(tally.items()))}, leaks={len(leaks)}, victim rows changed="
            f"{sum(before[t] != after[t] for t in tables)}, write refusals by SQLSTATE {dict(write_refusals)}"
        )
    assert leaks == []
    assert after == before
    # refused by row-level security (42501) or by a malformed setting (22P02, 22003), never by a
    # unique or foreign key check (23xxx) that would mean the row got past the policy
    assert set(write_refusals) <= {"42501", "22P02", "22003"}, write_refusals
    assert write_refusals["42501"] > 100


def test_an_unscoped_query_in_the_apps_own_session_sees_only_its_tenant(two_tenants) -> None:
    database, attacker, _plan, victim, _victim_plan = two_tenants
    with _owner(database) as owner:
        tables = tenant_tables(owner) + ["client_accounts", "engagements", "memberships", "users"]
    seen: dict[str, set[Any]] = {}
    with database.unit_of_work(attacker) as repo:  # a repository bug: no tenant filter at all
        for table in tables:
            column = "id" if table in ("client_accounts",) else "client_account_id"
            column = "user_id" if table == "memberships" else "id" if table == "users" else column
            seen[table] = set(repo.session.execute(text(f"SELECT {column} FROM {table}")).scalars())
    assert seen == {
        **{t: {attacker.client_account_id} for t in tables if t not in TENANCY_TABLES},
        "client_accounts": {attacker.client_account_id},
        "engagements": {attacker.client_account_id},
        "memberships": {attacker.user_id},
        "users": {attacker.user_id},
    }


def test_service_attacks_are_refused_and_change_nothing(two_tenants, capsys) -> None:
    database, attacker, attacker_plan, victim, victim_plan = two_tenants
    with _owner(database) as owner:
        tables = tenant_tables(owner)
    before = _fingerprints(database, tables, victim)
    mine = PlanningService(database, attacker)
    not_member = PlanningService(database, victim.model_copy(update={"user_id": attacker.user_id}))
    mismatched = PlanningService(
        database, attacker.model_copy(update={"engagement_id": victim.engagement_id})
    )
    attacks = [
        lambda: mine.get_plan(victim_plan),
        lambda: mine.execute_phase(planning_flow_id=victim_plan, phase="wave_planning"),
        lambda: mine.run_all(victim_plan),
        lambda: mine.update(planning_flow_id=victim_plan, expected_version=1, name="pwned"),
        lambda: mine.rollback(planning_flow_id=victim_plan, revision=0, expected_version=1),
        lambda: not_member.get_plan(victim_plan),
        lambda: not_member.list_plans(),
        lambda: not_member.portfolio(),
        lambda: not_member.update(planning_flow_id=victim_plan, expected_version=1, name="pwned"),
        lambda: not_member.import_portfolio(tiny_portfolio("evil-")),
        lambda: mismatched.get_plan(victim_plan),
        lambda: mismatched.import_portfolio(tiny_portfolio("evil-")),
    ]
    refused: Counter[str] = Counter()
    leaks = []
    for index in range(SERVICE_ATTEMPTS):
        try:
            leaks.append(attacks[index % len(attacks)]())
        except (NotFound, PermissionDenied) as error:
            refused[type(error).__name__] += 1
    visible = (mine.revisions(victim_plan), [p.planning_flow_id for p in mine.list_plans()])
    after = _fingerprints(database, tables, victim)
    with capsys.disabled():
        print(f"\nRLS service attempts: {SERVICE_ATTEMPTS} {dict(refused)}, leaks={len(leaks)}")
    assert (leaks, sum(refused.values())) == ([], SERVICE_ATTEMPTS)
    assert visible == ([], [attacker_plan])
    assert after == before


def test_a_transaction_without_tenant_settings_sees_nothing(two_tenants) -> None:
    database = two_tenants[0]
    with _owner(database) as owner:
        tables = tenant_tables(owner) + list(TENANCY_TABLES)
    with database.engine.connect() as app:
        counts = {t: app.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    assert counts == {t: 0 for t in tables}


def test_the_job_worker_flag_opens_planning_jobs_and_nothing_else(two_tenants) -> None:
    database, attacker, _plan, victim, _victim_plan = two_tenants
    with _owner(database) as owner:
        tables = tenant_tables(owner)
        all_jobs = owner.execute(text("SELECT count(*) FROM planning_jobs")).scalar_one()
    with database.engine.connect() as app, app.begin():
        app.execute(text("SELECT set_config('app.job_worker', 'on', true)"))
        counts = {t: app.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    with database.engine.connect() as app, app.begin():  # it reads and updates jobs; never deletes them
        app.execute(text("SELECT set_config('app.job_worker', 'on', true)"))
        deleted = app.execute(text("DELETE FROM planning_jobs")).rowcount
    assert all_jobs >= 2  # the two tenants' jobs, plus any other test's in this session database
    assert counts == {t: (all_jobs if t == "planning_jobs" else 0) for t in tables}
    assert deleted == 0


def test_tenancy_as_a_user_sees_only_their_memberships(two_tenants) -> None:
    database, attacker, _plan, victim, _victim_plan = two_tenants
    with database.tenancy(user_id=attacker.user_id) as tenancy:
        accounts = [cid for cid, _ in tenancy.list_client_accounts()]
        victim_engagements = tenancy.list_engagements(victim.client_account_id)
        role_in_victim = tenancy.role_of(victim.user_id, victim.client_account_id, victim.engagement_id)
    assert (accounts, victim_engagements, role_in_victim) == ([attacker.client_account_id], [], None)


def test_control_the_same_attacks_as_the_owner_do_reach_the_victim(two_tenants) -> None:
    """The attacks are real: with RLS bypassed (the superuser owner), they read and write victim rows."""
    database, attacker, _plan, victim, _victim_plan = two_tenants
    with _owner(database) as owner:
        tables = tenant_tables(owner)
    keys = _primary_keys(database, tables)
    reached: dict[str, set[str]] = {}
    with _owner(database) as owner:
        for table in tables:
            for operation in ("select_victim", "update_victim", "delete_victim", "insert_victim"):
                attempt = Attempt(random.Random(1), tables)
                attempt.table, attempt.context, attempt.operation = table, "attacker", operation
                read, written, state = _run(owner, attempt, attacker, victim, keys[table], keep=False)
                if read or written or state.startswith("23"):  # 23xxx: past RLS, stopped by a constraint
                    reached.setdefault(table, set()).add(operation)
    assert reached == {
        t: {"select_victim", "update_victim", "delete_victim", "insert_victim"} for t in tables
    }
