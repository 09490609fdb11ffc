"""The shape of the code (docs/architecture.md): one layout per app, no import cycle.

The layer contract itself (``api`` above ``training`` and ``billing`` above ``projects``
above ``resources`` above ``members`` above ``algoric``) is checked by ``lint-imports``
with the contract in ``pyproject.toml`` (CI); these tests check what the contract cannot
say.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PACKAGES = ("algoric", "members", "resources", "projects", "training", "billing", "api")
#: The apps and the project-level apps, whose roots must not grow suffixed siblings.
APP_ROOTS = ("api", "members", "resources", "projects", "training", "billing",
             "resources/accounting",
             "projects/reports", "projects/outputs", "algoric/audit", "algoric/notifications",
             "algoric/pages", "algoric/operations", "algoric/core")
#: Lines above which a module must be split by subject (CONVENTIONS.md: ~400).
MAX_LINES = 420
#: Modules allowed to be longer, and why (each also says so in its docstring).
LONG_MODULES: dict[str, str] = {}


def app_modules() -> list[Path]:
    """Every Python module of the app code (migrations aside)."""
    return sorted(path for package in PACKAGES for path in (BASE_DIR / package).rglob("*.py")
                  if "migrations" not in path.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    """Every import of app code (at the top of a module or inside a function) read as an
    edge: the dependency order of the modules can be read from their imports."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    edges = {module: {imported for imported in graph.find_modules_directly_imported_by(module)
                      if ".migrations" not in imported}
             for module in graph.modules if ".migrations" not in module}
    assert strongly_connected(edges) == []


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of each import of app code inside a function of ``path``."""
    source = path.read_text()
    tree = ast.parse(source)
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(
        ".")[0]
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - node.level + 1]
                    target = ".".join([*base, target] if target else base)
            elif isinstance(node, ast.Import):
                target = node.names[0].name
            else:
                continue
            if target.split(".")[0] in PACKAGES:
                found.append((node.lineno, target))
    return found


def _explained(lines: list[str], lineno: int) -> bool:
    """Whether the import at ``lineno`` (1-based) follows a comment, possibly above a run
    of other imports."""
    row = lineno - 2
    while row >= 0 and re.match(r"\s*(from \S+ )?import ", lines[row]):
        row -= 1
    while row >= 0 and not lines[row].strip():
        row -= 1
    return row >= 0 and (lines[row].strip().startswith("#")
                         or "# " in lines[lineno - 1])


def test_function_level_imports_of_app_code_say_why():
    """A function-level import of app code remains only where Django's app loading needs
    it, with a comment saying so (``AppConfig.ready()`` explains itself)."""
    unexplained = []
    for path in app_modules():
        lines = path.read_text().splitlines()
        for lineno, target in _function_level_imports(path):
            if path.name == "apps.py" or _explained(lines, lineno):
                continue
            unexplained.append(f"{path.relative_to(BASE_DIR)}:{lineno} imports {target}")
    assert unexplained == []


def test_no_suffixed_siblings_at_an_app_root():
    """A second module of a kind makes the kind a package: no ``services_x.py`` beside
    ``services.py``."""
    pattern = re.compile(r"^(services|selectors|forms|urls|views|models|tasks)_\w+\.py$")
    found = [f"{root}/{path.name}" for root in APP_ROOTS
             for path in (BASE_DIR / root).glob("*.py") if pattern.match(path.name)]
    assert found == []


@pytest.mark.parametrize("kind", ["models", "services", "selectors", "forms", "views"])
def test_a_kind_is_a_module_or_a_package_never_both(kind):
    both = [root for root in APP_ROOTS
            if (BASE_DIR / root / f"{kind}.py").exists() and (BASE_DIR / root / kind).is_dir()]
    assert both == []


def test_modules_are_split_by_subject_past_about_400_lines():
    long = {str(path.relative_to(BASE_DIR)): len(path.read_text().splitlines())
            for path in app_modules()
            if len(path.read_text().splitlines()) > MAX_LINES}
    assert {path: lines for path, lines in long.items() if path not in LONG_MODULES} == {}
