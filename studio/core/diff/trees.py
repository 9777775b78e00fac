"""The two sides of a diff as *trees*: the workspace's input files at a revision.

A tree is the working tree seen through an overlay: the texts that differ from the
files on disk (a revision's version of the changed files, or the editor's unsaved
buffers) and the files the side does not have. Rendering a side is then the
workspace's own renderer with the overlay as its buffers, so both sides share the
compiled code of every file whose text they share (keyed by relative name and
source checksum), and a revision is never exported to disk.

Only the inputs of a render matter: templates, components, samples, brand files
and the settings file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..workspace import SMS_SUFFIX, TEMPLATE_SUFFIX, Workspace
from .git import WORKTREE, Git

INPUT_FOLDERS = ("templates", "components", "samples", "brand")


def is_input(path: str, settings_file: str | None) -> bool:
    """Whether ``path`` (workspace-relative) can change a render."""
    if path == settings_file:
        return True
    top = path.split("/", 1)[0]
    if top not in INPUT_FOLDERS or "/" not in path:
        return False
    return not (top == "brand" and path.endswith(".zone"))  # DNS zone files render nothing


@dataclass
class Tree:
    """One side of a diff.

    Attributes:
        label: the revision as given (``HEAD~1``), or ``worktree``.
        commit: the commit id, or None for the working tree.
        overlay: texts that differ from the disk (what the renderer gets as buffers).
        files: every input file this side has (workspace-relative).
    """

    workspace: Workspace
    label: str
    commit: str | None
    overlay: dict[str, str]
    files: set[str]
    _disk: dict[str, str | None] = field(default_factory=dict, repr=False)

    def read(self, path: str) -> str | None:
        """The text of ``path`` on this side, or None when this side has no such file."""
        if path in self.overlay:
            return self.overlay[path]
        if path not in self.files:
            return None
        if path not in self._disk:
            try:
                self._disk[path] = (self.workspace.root / path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._disk[path] = None
        return self._disk[path]

    @cached_property
    def templates(self) -> list[str]:
        return _names(self.files, TEMPLATE_SUFFIX)

    @cached_property
    def sms_templates(self) -> list[str]:
        return _names(self.files, SMS_SUFFIX)

    @cached_property
    def _samples(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for p in self.files:
            parts = p.split("/")
            name = parts[-1]
            if (
                len(parts) == 3
                and parts[0] == "samples"
                and name.endswith(".json")
                and name[0] != "."
            ):
                found.setdefault(parts[1], []).append(parts[2][:-5])
        return {t: sorted(names) for t, names in found.items()}

    def samples(self, template: str) -> list[str]:
        return list(self._samples.get(template, ()))


def _names(files: set[str], suffix: str) -> list[str]:
    out = []
    for p in files:
        if p.startswith("templates/") and p.endswith(suffix) and p.count("/") == 1:
            name = p[len("templates/") : -len(suffix)]
            if suffix == TEMPLATE_SUFFIX or not name.endswith(".sms"):
                out.append(name)
    return sorted(out)


def disk_files(workspace: Workspace) -> set[str]:
    """The input files on disk (workspace-relative)."""
    settings = settings_rel(workspace)
    found: set[str] = {settings} if settings else set()
    root = str(workspace.root)
    for folder in INPUT_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, folder)):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for name in filenames:
                rel = f"{rel_dir}/{name}"
                if not name.startswith(".") and is_input(rel, settings):
                    found.add(rel)
    return found


def settings_rel(workspace: Workspace) -> str | None:
    if workspace.settings_file is None:
        return None
    return workspace.relpath(workspace.settings_file)


def worktree(
    workspace: Workspace, buffers: Mapping[str, str] | None = None, *, files: set[str] | None = None
) -> Tree:
    """The working tree, with unsaved ``buffers`` over it when given."""
    settings = settings_rel(workspace)
    overlay = {p: t for p, t in (buffers or {}).items() if is_input(p, settings)}
    on_disk = set(files) if files is not None else disk_files(workspace)
    return Tree(workspace, WORKTREE, None, overlay, on_disk | set(overlay))


def at_revision(workspace: Workspace, git: Git, label: str, commit: str) -> Tree:
    """The tree of ``commit``: its texts of the input files that differ from the disk."""
    settings = settings_rel(workspace)
    listed, changed = git.snapshot(commit, INPUT_FOLDERS)
    files = {p for p in listed if is_input(p, settings)}
    overlay = git.read(commit, (p for p in changed if p in files and is_input(p, settings)))
    return Tree(workspace, label, commit, overlay, files)
