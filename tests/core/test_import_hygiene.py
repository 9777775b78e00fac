"""studio.core must stay headless (importing it never loads textual, click or rich), and
its parts stay apart: DNS without the template engine, checks without dnspython, the
catalogue without anything of Studio, and no module reaching for another's private names."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import studio.core

UI = ("textual", "click", "rich")


def _core_modules() -> list[str]:
    names = ["studio", "studio.core"]
    for info in pkgutil.walk_packages(studio.core.__path__, "studio.core."):
        names.append(info.name)
    return names


def test_core_modules_are_found() -> None:
    mods = _core_modules()
    assert "studio.core.render.pipeline" in mods
    assert "studio.core.workspace" in mods


def test_core_never_imports_ui_libraries() -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {_core_modules()!r}:\n"
        "    importlib.import_module(m)\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {UI!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"studio.core pulled in: {out.stdout.strip()}"


def _loaded_after(module: str) -> set[str]:
    """The modules in ``sys.modules`` after importing ``module`` in a fresh interpreter."""
    code = f"import sys, {module}\nprint('\\n'.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def _tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_dns_loads_neither_the_template_engine_nor_the_checks() -> None:
    loaded = _loaded_after("studio.core.dns")
    assert _tops(loaded) & {"jinja2", "mrml", "babel"} == set()
    assert "studio.core.checks" not in loaded
    assert "studio.core.catalogue" in loaded


def test_checks_do_not_load_dnspython() -> None:
    loaded = _loaded_after("studio.core.checks")
    assert "dns" not in _tops(loaded)
    assert "studio.core.dns" not in loaded


def test_the_catalogue_imports_nothing_of_studio() -> None:
    path = Path(studio.core.__file__).parent / "catalogue.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        node.module or "" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
    assert relative == []
    assert [m for m in imported if m.split(".")[0] == "studio"] == []


def _studio_modules() -> list[Path]:
    return sorted((Path(studio.core.__file__).parent.parent).rglob("*.py"))


def test_no_module_imports_a_private_name_of_another() -> None:
    found = []
    for path in _studio_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    found.append(f"{path.name}:{node.lineno} from {node.module} import {name}")
    assert found == []


def test_the_private_name_check_sees_every_module() -> None:
    names = {p.name for p in _studio_modules()}
    assert {"catalogue.py", "inbox.py", "app.py", "_common.py"} <= names
