"""Hostile values through the service API: only clear PlanningError refusals, nothing partially written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.session import Database
from planning_core.domain import Application, Portfolio
from planning_core.errors import PlanningError
from planning_core.service.flow import PlanningService
from tests.conftest import make_tenant
from tests.security.helpers import FAST_CONFIG, app_ids, tiny_portfolio

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE planning_flows; --",
            "a\x00b",
            "\u202eevil\u202c",
            "𝕳𝖊𝖑𝖑𝖔 🚀",
            "{{7*7}}",
            " ",
            "",
        ]
    ),
    st.text(min_size=190, max_size=260).map(lambda s: (s * 40)[: len(s) * 10 + 150]),
    st.just("x" * 1_000_000),
)
HOSTILE_NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
)
HOSTILE_ID = st.one_of(HOSTILE_TEXT, st.uuids().map(str))


def _state(service: PlanningService, plan_id: str) -> tuple[Any, ...]:
    plan = service.get_plan(plan_id)
    return (
        plan.version,
        plan.revision,
        plan.name,
        len(service.revisions(plan_id)),
        len(service.list_plans()),
        len(service.portfolio().applications),
    )


@pytest.fixture(scope="module")
def target(database: Database) -> tuple[PlanningService, str]:
    tenant = make_tenant(database, "hostile")
    service = PlanningService(database, tenant)
    service.import_portfolio(tiny_portfolio())
    plan = service.initialize(
        selected_application_ids=app_ids(tiny_portfolio()), config=FAST_CONFIG, run=False
    )
    return service, plan.planning_flow_id


def _calls(service: PlanningService, plan_id: str, text: str, number: Any, other_id: str) -> list[Any]:
    version = service.get_plan(plan_id).version
    return [
        lambda: service.get_plan(other_id),
        lambda: service.revisions(other_id),
        lambda: service.update(
            planning_flow_id=plan_id, expected_version=version, name=text, recompute=False
        ),
        lambda: service.update(
            planning_flow_id=plan_id, expected_version=number, name="Valid name", recompute=False
        ),
        lambda: service.update(planning_flow_id=plan_id, expected_version=version, reason=text, name="Plan"),
        lambda: service.update(
            planning_flow_id=plan_id,
            expected_version=version,
            config={"max_apps_per_wave": number},
            recompute=False,
        ),
        lambda: service.update(
            planning_flow_id=plan_id,
            expected_version=version,
            config={
                **FAST_CONFIG,
                "blackout_windows": [{"start": "2027-01-01", "end": "2027-01-02", "reason": text}],
            },
            recompute=False,
        ),
        lambda: service.execute_phase(planning_flow_id=plan_id, phase=text),
        lambda: service.execute_phase(planning_flow_id=other_id, phase="wave_planning"),
        lambda: service.rollback(planning_flow_id=plan_id, revision=number, expected_version=version),
        lambda: service.rollback(planning_flow_id=other_id, revision=0, expected_version=version),
        lambda: service.initialize(selected_application_ids=[other_id, text], config=FAST_CONFIG, run=False),
        lambda: service.initialize(
            selected_application_ids=app_ids(tiny_portfolio()),
            config={"pilot_max_apps": number},
            name=text,
            run=False,
        ),
        lambda: service.portfolio([other_id, text]),
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE_TEXT, number=HOSTILE_NUMBER, other_id=HOSTILE_ID, which=st.integers(0, 13))
def test_hostile_service_calls_fail_clearly_and_write_nothing(target, text, number, other_id, which) -> None:
    service, plan_id = target
    before = _state(service, plan_id)
    call = _calls(service, plan_id, text, number, other_id)[which]
    try:
        call()
    except PlanningError as error:
        assert str(error).strip(), "an error needs a message"
        assert _state(service, plan_id) == before  # refused: nothing partially written
        return
    # accepted: the plan still reads back and validates (a stored name reads back exactly)
    after = service.get_plan(plan_id)
    if which == 2:
        assert after.name == text.strip()
        service.update(planning_flow_id=plan_id, expected_version=after.version, name="Plan", recompute=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE_TEXT, description=HOSTILE_TEXT, skill=HOSTILE_TEXT)
def test_hostile_application_text_is_stored_exactly_or_refused_whole(
    target, name, description, skill
) -> None:
    service, _plan_id = target
    try:
        app = Application(
            application_id="hostile-app", name=name, description=description, required_skills=[skill]
        )
    except ValueError:
        return  # the domain model refuses it before the service is reached
    count = len(service.portfolio().applications)
    try:
        service.import_portfolio(Portfolio(applications=[app]))
    except PlanningError as error:
        assert str(error).strip()
        assert len(service.portfolio().applications) == count
        return
    stored = service.portfolio(["hostile-app"]).applications
    assert [(a.name, a.description, a.required_skills) for a in stored] == [
        (app.name, app.description, app.required_skills)
    ]


def test_a_nul_character_is_refused_clearly_on_postgres_and_kept_on_sqlite(
    target, database: Database
) -> None:
    service, plan_id = target
    before = service.get_plan(plan_id)
    if database.dialect == "postgresql":
        with pytest.raises(PlanningError) as error:
            service.update(
                planning_flow_id=plan_id, expected_version=before.version, name="a\x00b", recompute=False
            )
        assert str(error.value).startswith("A value cannot be stored (text with a NUL character")
        assert str(error.value).endswith("nothing was saved.")
        assert service.get_plan(plan_id).version == before.version
    else:
        stored = service.update(
            planning_flow_id=plan_id, expected_version=before.version, name="a\x00b", recompute=False
        )
        assert (stored.name, stored.version) == ("a\x00b", before.version + 1)
        service.update(
            planning_flow_id=plan_id, expected_version=stored.version, name="Plan", recompute=False
        )
