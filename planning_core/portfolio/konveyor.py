"""Konveyor (Tackle) application import CSV.

``Record Type 1`` rows are applications, ``Record Type 2`` rows are dependencies. Konveyor has no
ids, so the id is the slug of the application name (see ``normalise.SlugRegistry``); Konveyor names
are unique, so a repeated name is a duplicate row.

Mapping: ``Business Service`` -> business unit; ``Description`` -> description; ``Owner``,
``Contributors``, ``Comments``, binary and repository columns -> attributes; every tag becomes the
attribute ``<Tag Category>`` (several tags of one category joined by ", "). Some tag categories carry
meaning: ``Migration Strategy`` (also ``Strategy``, ``6R``, ``7R``, ``Disposition``, ``Migration
Approach``) -> 6R strategy (absent: rehost, with a warning); ``Business Criticality`` (``Criticality``,
``Tier``) -> criticality; ``Complexity`` (1-10 or low/medium/high = 3/5/8) -> complexity;
``Environment`` -> environment; ``Language``, ``Runtime``, ``Database``, ``Framework`` -> required
skills (lower case).

Direction: Konveyor's *southbound* dependency of A on B means A calls B (B is downstream of A);
*northbound* means B calls A. The callee must migrate no later than its caller, so ``A southbound B``
gives ``B precedes A`` and ``A northbound B`` gives ``A precedes B``. A blank direction is read as
southbound (with a warning); the same dependency listed from both ends is kept once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from planning_core.domain import Application, Dependency
from planning_core.portfolio import normalise
from planning_core.portfolio.common import (
    Parsed,
    criticality_or_default,
    cut,
    report_missing_strategies,
    strategy_or_default,
)
from planning_core.portfolio.models import ImportOptions, Problems
from planning_core.portfolio.sources import Table, header_key
from planning_core.portfolio.template import build_application

RECORD_TYPE = "Record Type 1"
NAME = "Application Name"
DEPENDENCY = "Dependency"
DIRECTION = "Dependency Direction"
REQUIRED = (RECORD_TYPE, NAME)
SIGNATURE = (RECORD_TYPE, NAME, "Business Service", DEPENDENCY, DIRECTION, "Tag Category 1")
_STRATEGY_TAGS = {
    "migration strategy",
    "strategy",
    "6r",
    "7r",
    "6r strategy",
    "7r strategy",
    "disposition",
    "migration approach",
    "migration path",
}
_CRITICALITY_TAGS = {"business criticality", "criticality", "tier", "business tier"}
_COMPLEXITY_TAGS = {"complexity", "migration complexity"}
_ENVIRONMENT_TAGS = {"environment"}
_SKILL_TAGS = {"language", "runtime", "database", "framework"}
_COMPLEXITY_WORDS = {"low": 3, "medium": 5, "med": 5, "high": 8, "veryhigh": 10, "verylow": 1}
_ATTRIBUTE_COLUMNS = (
    "Comments",
    "Owner",
    "Contributors",
    "Binary Group",
    "Binary Artifact",
    "Binary Version",
    "Binary Packaging",
    "Repository Type",
    "Repository URL",
    "Repository Branch",
    "Repository Path",
)


def _tag_pairs(table: Table) -> list[tuple[int, int]]:
    """Column positions of (Tag Category n, Tag n) pairs."""
    categories, tags = {}, {}
    for key, position in table.columns.items():
        if match := re.fullmatch(r"tag category (\d+)", key):
            categories[int(match.group(1))] = position
        elif match := re.fullmatch(r"tag (\d+)", key):
            tags[int(match.group(1))] = position
    return [(categories[n], tags[n]) for n in sorted(categories) if n in tags]


def parse(table: Table, *, options: ImportOptions, problems: Problems) -> Parsed:
    """Applications and dependencies from a Konveyor application import table."""
    get_type, get_name = table.getter(RECORD_TYPE), table.getter(NAME)
    app_rows, dep_rows = [], []
    for row, cells in table.rows:
        kind = normalise.compact(get_type(cells))
        if kind in ("1", "10"):
            app_rows.append((row, cells))
        elif kind in ("2", "20"):
            dep_rows.append((row, cells))
        else:
            problems.add(
                row=row,
                column=RECORD_TYPE,
                message=f"unknown record type {get_type(cells)[:40]!r} (1 = application, 2 = dependency)",
                action="row skipped",
            )
    registry = normalise.SlugRegistry()
    applications: list[Application] = []
    ids: dict[str, str] = {}
    missing: list[str] = []
    pairs = _tag_pairs(table)
    for row, cells in app_rows:
        name = cut(get_name(cells), 300)
        if not name:
            problems.add(row=row, column=NAME, message="application name is blank", action="row skipped")
            continue
        key = " ".join(name.lower().split())
        if key in ids:
            problems.add(
                row=row,
                column=NAME,
                message=f"duplicate application {name!r}",
                action="row skipped (the first row is kept)",
            )
            continue
        app_id, collided = registry.id_for(name)
        if collided:
            problems.warn(
                row=row,
                column=NAME,
                message=f"the name {name!r} gives the same id as another application",
                action=f"given the id {app_id!r}",
            )
        app = build_application(
            _values(table, row, cells, app_id, name, pairs, problems, missing),
            row=row,
            problems=problems,
            defaulted="no such column or tag in the Konveyor file",
        )
        if app is not None:
            ids[key] = app_id
            applications.append(app)
    report_missing_strategies(missing, problems=problems, column="Tag Category (Migration Strategy)")
    dependencies, stats = _dependencies(table, dep_rows, ids, problems)
    stats["application_rows"] = len(app_rows)
    stats["dependency_rows"] = len(dep_rows)
    return Parsed(applications=applications, dependencies=dependencies, stats=stats)


def _values(
    table: Table,
    row: int,
    cells: list[str],
    app_id: str,
    name: str,
    pairs: list[tuple[int, int]],
    problems: Problems,
    missing: list[str],
) -> dict:
    tags: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for category_at, tag_at in pairs:
        category = cells[category_at].strip() if category_at < len(cells) else ""
        tag = cells[tag_at].strip() if tag_at < len(cells) else ""
        if category and tag:
            tags[header_key(category)].append(tag)
            labels.setdefault(header_key(category), cut(category, 200))
    values: dict = {
        "application_id": app_id,
        "name": name,
        "business_unit": cut(table.getter("Business Service")(cells), 200),
        "description": cut(table.getter("Description")(cells), 2000),
        "attributes": {},
        "required_skills": [],
    }
    strategy_raw = _first(tags, _STRATEGY_TAGS)
    values["six_r_strategy"] = strategy_or_default(
        strategy_raw,
        row=row,
        column="Tag (Migration Strategy)",
        problems=problems,
        missing=missing,
        name=name,
    )
    if raw := _first(tags, _CRITICALITY_TAGS):
        values["business_criticality"] = criticality_or_default(
            raw, row=row, column="Tag (Business Criticality)", problems=problems
        )
    if raw := _first(tags, _COMPLEXITY_TAGS):
        values["complexity"] = _complexity(raw, row=row, problems=problems)
    if raw := _first(tags, _ENVIRONMENT_TAGS):
        values["environment"] = cut(raw, 200)
    for key in sorted(_SKILL_TAGS & tags.keys()):
        values["required_skills"] += [cut(t.lower(), 200) for t in tags[key]]
    values["required_skills"] = values["required_skills"][:50]
    for column in _ATTRIBUTE_COLUMNS:
        if text := table.getter(column)(cells):
            values["attributes"][column] = cut(text, 2000)
    for key, items in tags.items():
        values["attributes"][labels[key]] = cut(", ".join(items), 2000)
    return values


def _first(tags: dict[str, list[str]], categories: set[str]) -> str:
    for key in tags:
        if key in categories:
            return tags[key][0]
    return ""


def _complexity(raw: str, *, row: int, problems: Problems) -> int:
    word = _COMPLEXITY_WORDS.get(normalise.compact(raw))
    if word is not None:
        return word
    try:
        value = normalise.integer(raw)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 10:
        problems.add(
            row=row,
            column="Tag (Complexity)",
            message=f"complexity must be 1-10 or low/medium/high, got {raw[:40]!r}",
            action="defaulted to 5",
        )
        problems.default("complexity", 5, "Tag (Complexity) not understood")
        return 5
    return value


def _dependencies(
    table: Table, rows: list[tuple[int, list[str]]], ids: dict[str, str], problems: Problems
) -> tuple[list[Dependency], Counter[str]]:
    get_name, get_other, get_direction = table.getter(NAME), table.getter(DEPENDENCY), table.getter(DIRECTION)
    stats: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    dependencies: list[Dependency] = []
    for row, cells in rows:
        app, other = (
            _known(get_name(cells), NAME, row, ids, problems),
            _known(get_other(cells), DEPENDENCY, row, ids, problems),
        )
        if app is None or other is None:
            continue
        if app == other:
            problems.add(
                row=row,
                column=DEPENDENCY,
                message=f"{get_name(cells)!r} cannot depend on itself",
                action="row skipped",
            )
            continue
        direction = normalise.compact(get_direction(cells))
        if not direction:
            problems.warn(
                row=row,
                column=DIRECTION,
                message="dependency direction is blank",
                action="read as southbound (the application calls the dependency)",
            )
            direction = "southbound"
        if direction not in ("southbound", "northbound"):
            problems.add(
                row=row,
                column=DIRECTION,
                message=f"unknown direction {get_direction(cells)[:40]!r} (northbound or southbound)",
                action="row skipped",
            )
            continue
        first, then = (other, app) if direction == "southbound" else (app, other)
        if (first, then) in seen:
            stats["duplicate_dependencies"] += 1
            continue
        seen.add((first, then))
        dependencies.append(Dependency(source_application_id=first, target_application_id=then))
    return dependencies, stats


def _known(name: str, column: str, row: int, ids: dict[str, str], problems: Problems) -> str | None:
    if not name:
        problems.add(row=row, column=column, message=f"{column} is blank", action="row skipped")
        return None
    found = ids.get(" ".join(name.lower().split()))
    if found is None:
        problems.add(
            row=row,
            column=column,
            message=f"dependency on unknown application {name[:100]!r}",
            action="row skipped",
        )
    return found
