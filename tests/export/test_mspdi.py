"""MS Project XML: read back by an independent reader (MPXJ, Java) and by a plain XML parse."""

from __future__ import annotations

import shutil
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from planning_core.domain import PlanningConfig
from planning_core.errors import InvalidInput
from planning_core.export import render_mspdi
from planning_core.export.mspdi import work_blocks, working_days_between
from planning_core.plan import PlanDocument

NS = {"p": "http://schemas.microsoft.com/project"}

# (UID, ID, name, outline level, start, finish, duration, summary, milestone, critical, predecessor UIDs)
EXPECTED_TASKS = [
    (1, 1, "Pilot", 1, "2027-01-04T08:00", "2027-01-25T17:00", "16.0d", True, False, True, []),
    (3, 2, "Plan wave 1", 2, "2027-01-04T08:00", "2027-01-08T17:00", "5.0d", False, False, True, []),
    (4, 3, "Migrate wave 1", 2, "2027-01-11T08:00", "2027-01-22T17:00", "10.0d", False, False, True, [3]),
    (5, 4, "Cut over wave 1", 2, "2027-01-25T08:00", "2027-01-25T17:00", "1.0d", False, False, False, [4]),
    (9, 5, "Wave 1 cut-over", 2, "2027-01-25T17:00", "2027-01-25T17:00", "0.0d", False, True, False, []),
    (
        2,
        6,
        "Core & <i>critical</i>",
        1,
        "2027-01-25T08:00",
        "2027-02-15T17:00",
        "16.0d",
        True,
        False,
        True,
        [],
    ),
    (6, 7, "Plan wave 2", 2, "2027-01-25T08:00", "2027-01-29T17:00", "5.0d", False, False, True, [4]),
    (7, 8, "Migrate wave 2", 2, "2027-02-01T08:00", "2027-02-12T17:00", "10.0d", False, False, True, [6]),
    (8, 9, "Cut over wave 2", 2, "2027-02-15T08:00", "2027-02-15T17:00", "1.0d", False, False, True, [7]),
    (10, 10, "Wave 2 go-live", 2, "2027-02-15T17:00", "2027-02-15T17:00", "0.0d", False, True, False, []),
    (11, 11, "Migration complete", 1, "2027-02-15T17:00", "2027-02-15T17:00", "0.0d", False, True, False, []),
]
EXPECTED_ASSIGNMENTS = [
    ("Plan wave 1", "migration_engineer", "20.0h"),
    ("Migrate wave 1", "migration_engineer", "100.0h"),
    ("Migrate wave 1", "tester", "20.0h"),
    ("Plan wave 2", "developer", "20.0h"),
    ("Migrate wave 2", "developer", "280.0h"),
    ("Migrate wave 2", "tester", "20.0h"),
]


@pytest.fixture(scope="module")
def xml_bytes(small_plan: PlanDocument) -> bytes:
    return render_mspdi(small_plan)


@pytest.fixture(scope="module")
def mpxj_project(xml_bytes: bytes, tmp_path_factory: pytest.TempPathFactory):
    """The file as MPXJ (the library ProjectLibre and many tools use) reads it."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed: MPXJ needs a Java runtime")
    jpype = pytest.importorskip("jpype")
    pytest.importorskip("mpxj")
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from org.mpxj.reader import UniversalProjectReader  # noqa: PLC0415 (Java class, needs the JVM)

    path = tmp_path_factory.mktemp("mspdi") / "plan.mspdi.xml"
    path.write_bytes(xml_bytes)
    return UniversalProjectReader().read(str(path))


def test_mpxj_reads_the_same_tasks_dates_and_links(mpxj_project) -> None:
    got = []
    for task in mpxj_project.getTasks():
        if int(task.getUniqueID()) == 0:
            continue  # MPXJ's own project summary task
        got.append(
            (
                int(task.getUniqueID()),
                int(task.getID()),
                str(task.getName()),
                int(task.getOutlineLevel()),
                str(task.getStart()),
                str(task.getFinish()),
                str(task.getDuration()),
                bool(task.getSummary()),
                bool(task.getMilestone()),
                bool(task.getCritical()),
                [int(link.getPredecessorTask().getUniqueID()) for link in task.getPredecessors()],
            )
        )
    assert got == EXPECTED_TASKS


def test_mpxj_reads_finish_to_start_links(mpxj_project) -> None:
    kinds = {str(link.getType()) for task in mpxj_project.getTasks() for link in task.getPredecessors()}
    assert kinds == {"FS"}


def test_mpxj_reads_resources_and_assignments(mpxj_project) -> None:
    resources = [
        (str(r.getName()), float(r.getMaxUnits().doubleValue()), str(r.getStandardRate()))
        for r in mpxj_project.getResources()
        if r.getName() is not None
    ]
    assert resources == [
        ("migration_engineer", 400.0, "110.0/h"),
        ("cloud_architect", 300.0, "165.0/h"),
        ("developer", 500.0, "120.0/h"),
        ("dba", 200.0, "130.0/h"),
        ("tester", 400.0, "85.0/h"),
        ("project_manager", 200.0, "140.0/h"),
    ]
    assignments = [
        (str(a.getTask().getName()), str(a.getResource().getName()), str(a.getWork()))
        for a in mpxj_project.getResourceAssignments()
    ]
    assert assignments == EXPECTED_ASSIGNMENTS


def test_mpxj_reads_the_project_and_its_calendar(mpxj_project) -> None:
    props = mpxj_project.getProjectProperties()
    assert str(props.getStartDate()) == "2027-01-04T08:00"
    assert str(props.getFinishDate()) == "2027-02-15T17:00"
    calendar = mpxj_project.getDefaultCalendar()
    from java.time import LocalDate  # noqa: PLC0415 (Java class, needs the JVM)

    assert bool(calendar.isWorkingDate(LocalDate.of(2027, 1, 4))) is True
    assert bool(calendar.isWorkingDate(LocalDate.of(2027, 1, 9))) is False  # Saturday
    assert bool(calendar.isWorkingDate(LocalDate.of(2027, 5, 31))) is False  # holiday


# ---------------------------------------------------------------- plain XML parse (no Java needed)


def test_xml_is_in_the_ms_project_namespace(xml_bytes: bytes) -> None:
    root = ET.fromstring(xml_bytes)
    assert root.tag == "{http://schemas.microsoft.com/project}Project"
    assert xml_bytes.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns=')
    assert root.findtext("p:Title", namespaces=NS) == "Contoso exit plan"
    assert root.findtext("p:Company", namespaces=NS) == "Contoso & Sons <Ltd>"


def test_xml_tasks_in_outline_order_with_iso_durations(xml_bytes: bytes) -> None:
    root = ET.fromstring(xml_bytes)
    rows = [
        (
            int(t.findtext("p:UID", namespaces=NS)),
            t.findtext("p:OutlineNumber", namespaces=NS),
            t.findtext("p:Duration", namespaces=NS),
            [int(x.text) for x in t.findall("p:PredecessorLink/p:PredecessorUID", NS)],
        )
        for t in root.findall("p:Tasks/p:Task", NS)
    ]
    assert rows == [
        (1, "1", "PT128H0M0S", []),
        (3, "1.1", "PT40H0M0S", []),
        (4, "1.2", "PT80H0M0S", [3]),
        (5, "1.3", "PT8H0M0S", [4]),
        (9, "1.4", "PT0H0M0S", []),
        (2, "2", "PT128H0M0S", []),
        (6, "2.1", "PT40H0M0S", [4]),
        (7, "2.2", "PT80H0M0S", [6]),
        (8, "2.3", "PT8H0M0S", [7]),
        (10, "2.4", "PT0H0M0S", []),
        (11, "3", "PT0H0M0S", []),
    ]


def test_xml_task_children_follow_the_schema_order(xml_bytes: bytes) -> None:
    root = ET.fromstring(xml_bytes)
    task = root.find("p:Tasks/p:Task[p:UID='4']", NS)
    tags = [child.tag.split("}")[1] for child in task]
    assert tags == [
        "UID",
        "ID",
        "Name",
        "Type",
        "IsNull",
        "WBS",
        "OutlineNumber",
        "OutlineLevel",
        "Priority",
        "Start",
        "Finish",
        "Duration",
        "DurationFormat",
        "Estimated",
        "Milestone",
        "Summary",
        "Critical",
        "TotalSlack",
        "ConstraintType",
        "Notes",
        "PredecessorLink",
    ]


def test_xml_assignments_point_at_existing_tasks_and_resources(xml_bytes: bytes) -> None:
    root = ET.fromstring(xml_bytes)
    tasks = {t.findtext("p:UID", namespaces=NS) for t in root.findall("p:Tasks/p:Task", NS)}
    resources = {r.findtext("p:UID", namespaces=NS) for r in root.findall("p:Resources/p:Resource", NS)}
    links = [
        (
            a.findtext("p:TaskUID", namespaces=NS),
            a.findtext("p:ResourceUID", namespaces=NS),
            a.findtext("p:Work", namespaces=NS),
        )
        for a in root.findall("p:Assignments/p:Assignment", NS)
    ]
    assert links == [
        ("3", "1", "PT20H0M0S"),
        ("4", "1", "PT100H0M0S"),
        ("4", "5", "PT20H0M0S"),
        ("6", "3", "PT20H0M0S"),
        ("7", "3", "PT280H0M0S"),
        ("7", "5", "PT20H0M0S"),
    ]
    assert {t for t, _, _ in links} <= tasks
    assert {r for _, r, _ in links} <= resources


def test_mspdi_needs_a_timeline(small_plan: PlanDocument) -> None:
    with pytest.raises(
        InvalidInput, match="^the timeline phase has not been run yet, so there is no schedule"
    ):
        render_mspdi(small_plan.model_copy(update={"timeline": None}))


def test_work_blocks_follow_the_hours_per_day() -> None:
    assert [(a.isoformat(), b.isoformat()) for a, b in work_blocks(8)] == [
        ("08:00:00", "12:00:00"),
        ("13:00:00", "17:00:00"),
    ]
    assert [(a.isoformat(), b.isoformat()) for a, b in work_blocks(7.5)] == [
        ("08:00:00", "12:00:00"),
        ("13:00:00", "16:30:00"),
    ]
    assert [(a.isoformat(), b.isoformat()) for a, b in work_blocks(3)] == [("08:00:00", "11:00:00")]


def test_working_days_between_skips_weekends_and_holidays() -> None:
    config = PlanningConfig(holidays=[date(2027, 1, 6)])
    assert working_days_between(date(2027, 1, 4), date(2027, 1, 15), config) == 9
    assert working_days_between(date(2027, 1, 9), date(2027, 1, 10), config) == 0
