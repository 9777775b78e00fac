"""The workspace is data the render pipeline reads: no import circle between them.

``workspace.py`` names no render module at module level (not even for type
checking, where mypy and readers would still see a circle); ``Workspace.render``
hands over to the pipeline from inside the method.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import studio

PACKAGE = Path(studio.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class _TopLevelImports(ast.NodeVisitor):
    """Modules imported outside functions (``if TYPE_CHECKING:`` blocks included)."""

    def __init__(self, package: str):
        self.package = package
        self.found: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        pass  # a function-level import runs when the function is called

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        pass

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            anchor = parts[: len(parts) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        self.found.add(base)
        self.found.update(f"{base}.{alias.name}" for alias in node.names)  # submodules


def _top_level_imports(path: Path) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    collector = _TopLevelImports(package)
    collector.visit(ast.parse(path.read_text("utf-8")))
    return collector.found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: _top_level_imports(path) & modules.keys() for name, path in modules.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A chain of module-level imports from ``start`` back to ``goal``, if there is one."""
    stack = [(m, [start, m]) for m in sorted(graph[start])]
    seen: set[str] = set()
    while stack:
        module, chain = stack.pop()
        if module == goal:
            return chain
        if module in seen or module == "studio":  # the package's public face re-exports
            continue
        seen.add(module)
        stack.extend((m, [*chain, m]) for m in sorted(graph.get(module, ())))
    return None


def test_no_import_circle_through_the_workspace() -> None:
    graph = _graph()
    assert "studio.core.render.pipeline" in graph["studio.core.checks.context"]  # it sees imports
    chain = _reaches(graph, "studio.core.workspace", "studio.core.workspace")
    assert chain is None, " -> ".join(chain or [])


def test_the_workspace_does_not_import_the_pipeline() -> None:
    graph = _graph()
    assert "studio.core.render.pipeline" not in graph["studio.core.workspace"]
    code = (
        "import sys, studio.core.workspace\n"
        "print(','.join(sorted(m for m in sys.modules"
        " if m.startswith('studio.core.render') or m.split('.')[0] in ('jinja2', 'mrml'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
