"""studio.core must stay headless: importing it never loads textual, click or rich."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

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
