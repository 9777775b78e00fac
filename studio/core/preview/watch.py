"""Notice saves to templates, components, brand tokens and samples (polling mtimes).

Partials that templates pull in with ``<mj-include>`` are watched too, wherever
they are in the workspace (their paths are read from the watched MJML files).

Polling every quarter second keeps it dependency-free and works on every filesystem;
a workspace has at most a few hundred files.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..render.include import included_paths

WATCHED = ("templates", "components", "brand", "samples")


class Watcher:
    """A generation counter that moves when a watched file changes; waiters wake up."""

    def __init__(self, root: Path, interval: float = 0.25) -> None:
        self.root = root
        self.interval = interval
        self.generation = 0
        self.changed = threading.Condition()
        self._stop = threading.Event()
        self._includes: dict[Path, tuple[tuple[int, int], list[str]]] = {}  # by mtime, size
        self._state = self._scan()
        self._thread = threading.Thread(target=self._run, daemon=True, name="studio-watch")

    def _scan(self) -> dict[Path, tuple[int, int]]:
        state = {}
        for sub in WATCHED:
            base = self.root / sub
            if not base.is_dir():
                continue
            for p in base.rglob("*"):
                try:
                    if p.is_file():
                        st = p.stat()
                        state[p] = (st.st_mtime_ns, st.st_size)
                except OSError:
                    continue
        self._add_partials(state)
        return state

    def _add_partials(self, state: dict[Path, tuple[int, int]]) -> None:
        """Add the files that watched MJML files include (and those they include)."""
        todo = [p for p in state if p.suffix == ".mjml"]
        while todo:
            path = todo.pop()
            for rel in self._included_by(path, state[path]):
                partial = self.root / rel
                if partial in state:
                    continue
                try:
                    st = partial.stat()
                except OSError:
                    state[partial] = (0, -1)  # missing now: its creation is a change
                    continue
                state[partial] = (st.st_mtime_ns, st.st_size)
                if partial.suffix == ".mjml":
                    todo.append(partial)

    def _included_by(self, path: Path, stamp: tuple[int, int]) -> list[str]:
        """What ``path`` includes, read again only when the file changed."""
        cached = self._includes.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            text = path.read_text(encoding="utf-8")
            found = included_paths(text, path.relative_to(self.root).as_posix(), self.root)
        except (OSError, UnicodeDecodeError, ValueError):
            found = []
        self._includes[path] = (stamp, found)
        return found

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            state = self._scan()
            if state != self._state:
                self._state = state
                self.bump()

    def bump(self) -> int:
        """Move the generation on (something other than a file changed); waiters wake up."""
        with self.changed:
            self.generation += 1
            self.changed.notify_all()
            return self.generation

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self.changed:
            self.changed.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        """Block until the generation passes ``since`` (or ``timeout``); return it."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.generation != since or self._stop.is_set(), timeout=timeout
            )
            return self.generation
