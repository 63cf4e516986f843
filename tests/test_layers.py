"""The import structure of ADR 0007: no loops between files, and no import hidden in a function
without a comment saying why. (The layer order itself is import-linter's contract, `make lint`.)"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sourcewise"


def import_loops(graph: grimp.ImportGraph) -> list[set[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                loops.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return loops


def uncommented_function_imports(source: str) -> list[int]:
    """Lines of `from sourcewise... import` inside a function with no comment on it or just above."""
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if not (module or "").startswith("sourcewise"):
                    continue
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                if "#" not in lines[node.lineno - 1] and not above.startswith("#"):
                    found.append(node.lineno)
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sourcewise", exclude_type_checking_imports=True)


def test_no_two_files_import_each_other(graph):
    loops = import_loops(graph)
    assert loops == [], "import loops: " + "; ".join(" ↔ ".join(sorted(loop)) for loop in loops)


def test_the_loop_finder_finds_a_loop():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    assert import_loops(graph) == []
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert import_loops(graph) == [{"pkg.a", "pkg.b", "pkg.c"}]


def test_every_import_inside_a_function_says_why():
    offences = [
        f"{path.relative_to(SRC.parent)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for line in uncommented_function_imports(path.read_text())
    ]
    assert offences == [], "imports inside functions without a comment: " + ", ".join(offences)


def test_the_scan_finds_an_uncommented_import_and_accepts_a_commented_one():
    source = (
        "def f():\n"
        "    from sourcewise.core import places\n"
        "def g():\n"
        "    # here: the models are not loaded yet\n"
        "    from sourcewise.core import places\n"
        "def h():\n"
        "    from sourcewise.core import places  # a reason\n"
        "def i():\n"
        "    import json\n"
    )
    assert uncommented_function_imports(source) == [2]
