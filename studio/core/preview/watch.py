"""Notice saves to templates, components, brand tokens and samples (polling mtimes).

Polling every quarter second keeps it dependency-free and works on every filesystem;
a workspace has at most a few hundred files.
"""

from __future__ import annotations

import threading
from pathlib import Path

WATCHED = ("templates", "components", "brand", "samples")


class Watcher:
    """A generation counter that moves when a watched file changes; waiters wake up."""

    def __init__(self, root: Path, interval: float = 0.25) -> None:
        self.root = root
        self.interval = interval
        self.generation = 0
        self.changed = threading.Condition()
        self._stop = threading.Event()
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
        return state

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            state = self._scan()
            if state != self._state:
                self._state = state
                with self.changed:
                    self.generation += 1
                    self.changed.notify_all()

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
