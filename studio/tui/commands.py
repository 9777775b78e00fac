"""The command palette's studio commands: every key of the key table, shown with its key."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .keys import KEYS, Key


def palette_label(key: Key) -> str:
    """How the palette lists a key: its title, then the key that runs it."""
    return f"{key.title}  ({key.key})"


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
