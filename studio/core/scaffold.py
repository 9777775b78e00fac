"""``init``: a new workspace (settings, brand, components, one template, a sample).

The files live in ``studio/scaffold/`` inside the package. Nothing that exists is
overwritten: init refuses when any file it would write is already there.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import ConfigError


def scaffold_files() -> list[tuple[str, bytes]]:
    root = resources.files("studio") / "scaffold"
    found: list[tuple[str, bytes]] = []

    def walk(node: object, prefix: str) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            else:
                found.append((name, child.read_bytes()))

    walk(root, "")
    return sorted(found)


def init_workspace(directory: Path) -> list[Path]:
    """Write a new workspace into ``directory``; return the files written."""
    files = scaffold_files()
    clashes = [directory / name for name, _ in files if (directory / name).exists()]
    if clashes:
        raise ConfigError(
            f"{clashes[0]}: already exists; init never overwrites (choose an empty directory)"
        )
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: exists and is not a directory")
    written = []
    try:
        for name, data in files:
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        for sub in ("samples", "templates", "components"):
            (directory / sub).mkdir(exist_ok=True)
    except OSError as exc:
        where = exc.filename or directory
        raise ConfigError(f"{where}: cannot create: {exc.strerror or exc}") from None
    return written
