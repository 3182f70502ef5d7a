"""The package's shape, as issue 21 left it: folders by role, imports pointing one way, Prefect
where runs are wired, stage and engine packages free of Prefect, click and rich, and no
function too long to read at once. Each check reads the code, so a change that breaks the
shape fails here, not in a review."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "flows"
# The per-article stages and the engines: they never know how they are run.
STAGE_PACKAGES = ("readers", "segmentation", "text", "language", "translation", "engines", "store")
MAX_TOP_MODULES = 10
MAX_PREFECT_MODULES = 3
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def imported_modules(name: str) -> set[str]:
    """The `flows` modules `name` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in MODULES and m not in ("flows", name)}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while (top := stack.pop()) != node:
                group.append(top)
            if group:
                found.append(sorted([node, *group]))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_not_even_through_imports_inside_functions() -> None:
    graph = {name: imported_modules(name) for name in MODULES}
    assert cycles(graph) == []
    # the check sees a circle when there is one
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_top_holds_few_modules_and_the_rest_sits_in_packages_named_by_role() -> None:
    top = [p for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    packages = [p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert len(top) <= MAX_TOP_MODULES, sorted(p.name for p in top)
    assert {"cli.py", "pipeline.py"} <= {p.name for p in top}  # where the entry points find them
    assert len(packages) >= 3
    for package in packages:  # each says what its role is
        assert ast.get_docstring(TREES[module_name(package / "__init__.py")]), package.name


def test_prefect_is_imported_where_runs_are_wired_only() -> None:
    importing = sorted(
        name
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            (m or "").split(".")[0] == "prefect"
            for m in (
                [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
        )
    )
    assert len(set(importing)) <= MAX_PREFECT_MODULES, sorted(set(importing))


def test_no_function_is_longer_than_a_screen() -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def uncommented_imports_in_functions(source: str) -> list[int]:
    """Line numbers of imports inside functions with no comment saying why: on the line,
    on the line above, or above the block of imports it belongs to."""
    lines = source.splitlines()
    missing = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            above = node.lineno - 2
            while above >= 0 and re.match(r"\s*(from|import) ", lines[above]):
                above -= 1
            if "#" not in lines[node.lineno - 1] and not lines[above].strip().startswith("#"):
                missing.append(node.lineno)
    return missing


def test_every_import_inside_a_function_says_why_it_is_there() -> None:
    """An import inside a function is there for start-up time (never to dodge a circle:
    there is none), and its comment says what it keeps out of start-up."""
    missing = [
        f"{MODULES[name].relative_to(ROOT)}:{line}"
        for name in MODULES
        for line in uncommented_imports_in_functions(MODULES[name].read_text(encoding="utf-8"))
    ]
    assert missing == []
    bare = "def f():\n    x = 1\n    from a import b\n    import c\n"
    assert uncommented_imports_in_functions(bare) == [3, 4]
    said = "def f():\n    # a: slow\n    from a import b\n    import c\n"
    assert uncommented_imports_in_functions(said) == []


def _loaded_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return {m.split(".")[0] for m in json.loads(done.stdout.splitlines()[-1])}


def test_stage_and_engine_packages_load_no_prefect_click_or_rich() -> None:
    """In a fresh interpreter: every module of the stage, engine and store packages, and the
    engines' own modules, imported; none pulls in how runs are wired or shown."""
    modules = sorted(n for n in MODULES if n.split(".")[1:2] and n.split(".")[1] in STAGE_PACKAGES)
    assert "flows.engines.argos" in modules and "flows.language.detection" in modules
    loaded = _loaded_after("\n".join(f"import {m}" for m in modules))
    assert {"prefect", "click", "rich"}.isdisjoint(loaded)
    assert "click" in _loaded_after("import flows.cli")  # the check sees what is loaded


def test_importing_the_command_line_changes_no_environment_variable() -> None:
    code = (
        "import os\nbefore = dict(os.environ)\nimport flows.cli\nprint(dict(os.environ) == before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "True"


@pytest.mark.parametrize("folder", ["readers", "segmentation", "language", "engines", "views"])
def test_the_tests_folders_mirror_the_packages(folder: str) -> None:
    assert (PACKAGE / folder).is_dir() and (ROOT / "tests" / folder).is_dir()
    assert any((ROOT / "tests" / folder).glob("test_*.py"))


def test_no_module_is_renamed_on_import() -> None:
    """`from flows.x import y as z` hides what a name is; the modules are named so that no
    caller needs to (a re-export for the command line is the one kind allowed: `y as y`)."""
    renamed = [
        f"{name}: {alias.name} as {alias.asname}"
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flows")
        for alias in node.names
        if alias.asname and alias.asname != alias.name
    ]
    assert renamed == []
