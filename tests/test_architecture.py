"""The shape of the code: layers that import one way, no cycles, MkDocs only in the site layer, small units.

Imports are read from the source (every ``import`` statement, deferred ones inside functions and
``TYPE_CHECKING`` blocks included), so a cycle hidden in a function body is found too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = {"labjournal": REPO / "labjournal", "labjournal.executors": REPO / "executors"}

# Each package may import its own modules and those of lower layers, never higher ones.
LAYERS = {
    "labjournal": 0,  # the package's __init__: the kernel-side API (labjournal.record)
    "labjournal.errors": 0,
    "labjournal.states": 0,
    "labjournal.metrics": 0,
    "labjournal.markup": 0,
    "labjournal.limits": 0,
    "labjournal.store": 1,
    "labjournal.notes": 2,
    "labjournal.executors": 3,
    "labjournal.execution": 4,
    "labjournal.authoring": 4,
    "labjournal.rendering": 5,
    "labjournal.site": 6,
    "labjournal.api": 7,
    "labjournal.cli": 8,
}
SITE_ENGINES = ("mkdocs", "material", "properdocs")
MAX_CLASS_LINES = 200
MAX_FUNCTION_LINES = 80


def module_files() -> dict[str, Path]:
    """Every module by its installed name (``executors/local.py`` is ``labjournal.executors.local``)."""
    found: dict[str, Path] = {}
    for package, folder in SOURCES.items():
        for path in sorted(folder.rglob("*.py")):
            if path.is_relative_to(REPO / "labjournal" / "executors"):
                continue  # the link to executors/ that type checkers read through
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def imported(module: str, path: Path, modules: set[str] | frozenset[str] = frozenset()) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import statement in the file, wherever it stands.

    ``from package import name`` imports the module ``package.name`` when there is one (then the
    package itself is already loaded, being its parent), else the package.
    """
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = [f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in modules]
            yield from ((sub, node.lineno) for sub in submodules)
            if len(submodules) < len(node.names):
                yield target, node.lineno


def internal_graph() -> dict[str, set[str]]:
    """Module -> the labjournal modules it imports (a package's ``__init__`` counts for the package)."""
    modules = module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _ in imported(name, path, set(modules)):
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def layer_of(module: str) -> tuple[str, int]:
    best = max((prefix for prefix in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return best, LAYERS[best]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_reader_finds_deferred_and_relative_imports() -> None:
    graph = internal_graph()
    assert "labjournal.executors.kernel_client" in graph["labjournal.executors.base"]  # inside a function
    assert "labjournal.notes.formats" in graph["labjournal.notes.model"]  # relative
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycles() -> None:
    cycle = find_cycle(internal_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_layers_import_downwards_only() -> None:
    wrong = []
    for module, targets in internal_graph().items():
        package, rank = layer_of(module)
        for target in targets:
            other, other_rank = layer_of(target)
            upwards = other_rank > rank or (other_rank == rank and rank > 0)  # layer 0 is one foundation
            if other != package and upwards:
                wrong.append(f"{module} ({package}, layer {rank}) imports {target} (layer {other_rank})")
    assert not wrong, "\n".join(wrong)


def test_only_the_site_package_imports_the_site_engine() -> None:
    offenders = []
    for module, path in module_files().items():
        if module == "labjournal.site" or module.startswith("labjournal.site."):
            continue
        for target, line in imported(module, path):
            if target.split(".")[0] in SITE_ENGINES:
                offenders.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not offenders, "\n".join(offenders)


def _spans(tree: ast.AST) -> Iterator[tuple[ast.AST, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            yield node, node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("limit", ["class", "function"])
def test_classes_and_functions_stay_small(limit: str) -> None:
    too_long = []
    for path in module_files().values():
        for node, lines in _spans(ast.parse(path.read_text(encoding="utf-8"))):
            is_class = isinstance(node, ast.ClassDef)
            if limit == "class" and is_class and lines > MAX_CLASS_LINES:
                too_long.append(f"{path.relative_to(REPO)}: class {node.name} has {lines} lines")  # type: ignore[attr-defined]
            if limit == "function" and not is_class and lines > MAX_FUNCTION_LINES:
                too_long.append(f"{path.relative_to(REPO)}: {node.name}() has {lines} lines")  # type: ignore[attr-defined]
    assert not too_long, "\n".join(too_long)
