"""The architecture's rules that import-linter does not check (its contracts are in pyproject.toml).

- No module in planning_core or db is longer than MAX_MODULE_LINES lines.
- No import cycle between modules, counting function-level imports (imports under TYPE_CHECKING aside).
- Nothing in planning_core, db or migrations imports streamlit; ui/ and pages/ import nothing from
  planning_core.engines.
- Only planning_core/settings.py touches the environment (os.environ, os.getenv, environ.get, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp

from planning_core.graph import strongly_connected_keys

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 600
GRAPH_PACKAGES = ("planning_core", "db", "ui", "pages", "migrations")
SETTINGS_MODULE = ROOT / "planning_core" / "settings.py"
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def python_files(*places: str) -> Iterator[Path]:
    """The .py files of the given folders (recursively) and files, relative to the repository root."""
    for place in places:
        path = ROOT / place
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT).as_posix()}:{getattr(node, 'lineno', 0)}"


def imported_modules(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every module an import statement names, anywhere in the file (function bodies included).

    `from a.b import c` yields both a.b and a.b.c (c may be a module); relative imports are skipped
    (the project uses absolute imports only).
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node, node.module
            for alias in node.names:
                yield node, f"{node.module}.{alias.name}"


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# --- (i) module size ------------------------------------------------------------------------------


def test_no_module_in_planning_core_or_db_is_longer_than_the_limit() -> None:
    too_long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in python_files("planning_core", "db")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules longer than {MAX_MODULE_LINES} lines: {too_long}"


# --- (ii) import cycles ---------------------------------------------------------------------------


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """The components (planning_core.graph's Tarjan), each sorted."""
    return [sorted(component) for component in strongly_connected_keys(graph)]


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The components with a cycle: more than one module, or a module that imports itself."""
    return [
        component
        for component in strongly_connected_components(graph)
        if len(component) > 1 or component[0] in graph.get(component[0], ())
    ]


def test_tarjan_finds_every_cycle_and_nothing_else() -> None:
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": {"e"},
        "e": set(),
        "f": {"f"},
        "g": {"h"},
        "h": {"g", "e"},
    }
    assert sorted(import_cycles(graph)) == [["a", "b", "c"], ["f"], ["g", "h"]]
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}  # deeper than the recursion limit
    chain["m5000"] = {"m0"}
    assert [len(c) for c in import_cycles(chain)] == [5001]


def module_graph() -> tuple[grimp.ImportGraph, dict[str, set[str]]]:
    graph = grimp.build_graph(
        *GRAPH_PACKAGES,
        include_external_packages=False,
        exclude_type_checking_imports=True,
        cache_dir=None,
    )
    edges = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    return graph, edges


def describe_cycle(graph: grimp.ImportGraph, component: list[str], edges: dict[str, set[str]]) -> str:
    members = set(component)
    lines = [f"cycle of {len(component)} modules: {', '.join(component)}"]
    for importer in component:
        for imported in sorted(edges[importer] & members):
            details = graph.get_import_details(importer=importer, imported=imported)
            at = ", ".join(f"l.{d['line_number']}" for d in details) or "?"
            lines.append(f"    {importer} -> {imported} ({at})")
    return "\n".join(lines)


def test_no_import_cycle_between_modules() -> None:
    graph, edges = module_graph()
    cycles = import_cycles(edges)
    report = "\n".join(describe_cycle(graph, component, edges) for component in cycles)
    assert not cycles, f"{len(cycles)} import cycle(s), function-level imports included:\n{report}"


# --- (iii) streamlit below the UI, engines above it -----------------------------------------------


def imports_of(package: str, paths: Iterator[Path]) -> list[str]:
    """'file:line imports module' for each import statement of the files that reaches the package."""
    found: dict[str, str] = {}
    for path in paths:
        for node, module in imported_modules(parse(path)):
            if is_within(module, package):
                found.setdefault(where(path, node), module)
    return [f"{place} imports {module}" for place, module in found.items()]


def test_nothing_in_planning_core_db_or_migrations_imports_streamlit() -> None:
    found = imports_of("streamlit", python_files("planning_core", "db", "migrations"))
    assert not found, "streamlit imported below the UI:\n" + "\n".join(found)


def test_ui_and_pages_import_nothing_from_the_engines() -> None:
    found = imports_of("planning_core.engines", python_files("ui", "pages", "app.py"))
    assert not found, "the UI imports the engines (go through planning_core.views):\n" + "\n".join(found)


# --- (iv) the environment is read in planning_core/settings.py only -------------------------------


def environment_accesses(tree: ast.Module) -> Iterator[ast.AST]:
    """os.environ / os.getenv / os.putenv ..., `from os import environ`, and any `environ.get`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in ENVIRONMENT_NAMES and isinstance(node.value, ast.Name) and node.value.id == "os":
                yield node
            elif node.attr == "get" and isinstance(node.value, ast.Name) and node.value.id == "environ":
                yield node
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(alias.name in ENVIRONMENT_NAMES for alias in node.names):
                yield node


def test_the_environment_detector_sees_every_form() -> None:
    source = (
        "import os\nfrom os import environ, getenv\n"
        "a = os.environ['X']\nb = os.getenv('X')\nc = environ.get('X')\nos.environ['Y'] = '1'\n"
        "def f():\n    return os.environ.get('Z')\n"
        "d = {}.get('environ')\nsettings.environment\n"
    )
    lines = sorted(getattr(node, "lineno", 0) for node in environment_accesses(ast.parse(source)))
    assert lines == [2, 3, 4, 5, 6, 8]


def test_only_the_settings_module_reads_the_environment() -> None:
    found = [
        where(path, node)
        for path in python_files("planning_core", "db", "migrations", "ui", "pages", "app.py")
        if path != SETTINGS_MODULE
        for node in environment_accesses(parse(path))
    ]
    assert not found, (
        "environment read outside planning_core/settings.py (add a Settings field instead):\n"
        + "\n".join(sorted(set(found)))
    )
