"""The command palette's studio commands: every key of the key table, and the unsaved files."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .keys import KEYS, Key


def palette_label(key: Key) -> str:
    """How the palette lists a key: its title, then the key that runs it (if any)."""
    return f"{key.title}  ({key.key})" if key.key else key.title


class StudioCommands(Provider):
    """Every studio action, searchable in the palette (ctrl+p)."""

    def _keys(self) -> list[Key]:
        app = self.app
        return [k for k in KEYS if hasattr(app, f"action_{k.action}")]

    async def discover(self) -> Hits:
        for key in self._keys():
            yield DiscoveryHit(palette_label(key), partial(self._run, key.action), help=key.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key in self._keys():
            label = palette_label(key)
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(label), partial(self._run, key.action), help=key.help
                )

    async def _run(self, action: str) -> None:
        await self.app.run_action(action)


class _Editing(Protocol):
    def unsaved_files(self) -> list[tuple[str, Path]]: ...

    def open_file(self, path: Path) -> bool: ...


UNSAVED = "Unsaved: "


class UnsavedFiles(Provider):
    """The files with unsaved edits ("Unsaved: templates/x.mjml"): choosing one opens it."""

    def _files(self) -> list[tuple[str, Callable[[], object]]]:
        app = self.app
        if not hasattr(app, "unsaved_files"):
            return []
        editing: _Editing = app  # type: ignore[assignment]
        return [
            (UNSAVED + rel, partial(editing.open_file, p)) for rel, p in editing.unsaved_files()
        ]

    async def discover(self) -> Hits:
        for label, run in self._files():
            yield DiscoveryHit(label, run, help="open it in the editor")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, run in self._files():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help="open it in the editor")
