"""The progress bar of long commands (``build``, ``check``, ``lint`` of a workspace).

Drawn on stderr, and only when both stdout and stderr are a terminal: a report
piped to a file or another program, or a machine format (json, junit, sarif,
github), gets no bar and no control sequence. The bar is transient: it is erased
when the work is done, before the report is printed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


def on_terminal() -> bool:
    """Both output streams are a terminal (nothing is piped or redirected)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


class Steps:
    """What a command reports its progress through."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("", total=total) if progress is not None else None
        self._started = False

    def _update(self, **kwargs: object) -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.update(self._task, **kwargs)  # type: ignore[arg-type]
        self._progress.refresh()  # a frame per step, not only on the refresh timer

    def done(self, what: str) -> None:
        """One step is finished (``what``: what it was)."""
        self._update(advance=1, description=what)

    def finish(self) -> None:
        """Every step is finished."""
        if self._progress is not None and self._task is not None:
            total = self._progress.tasks[0].total
            self._update(completed=total)

    def start(self, what: str) -> None:
        """A step begins: the one before it is finished."""
        self._update(advance=1 if self._started else 0, description=what)
        self._started = True


@contextmanager
def progress_bar(label: str, total: int, *, show: bool = True) -> Iterator[Steps]:
    """A bar of ``total`` steps labelled ``label``, when ``show`` and on a terminal.

    Without a bar the :class:`Steps` yielded does nothing, so callers need no branch.
    """
    if not (show and total > 0 and on_terminal()):
        yield Steps(None, total)
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        steps = Steps(progress, total)
        yield steps
        steps.finish()
