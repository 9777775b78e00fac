"""Helpers for the studio's pilot tests: wait on the app's own state, never on a clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def settle(pilot: Any, rounds: int = 2) -> None:
    """Let pending events and workers run to completion, ``rounds`` times over."""
    await pilot.pause()
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(
    pilot: Any,
    ready: Callable[[], bool],
    what: str,
    tries: int = 1200,
    step: float = 0.05,
    state: Callable[[], object] | None = None,
) -> None:
    """Let the app run until ``ready()`` holds: many short passes, a deadline, no sleep
    as synchronisation. The deadline (a minute of passes by default) only bounds a
    hang: on a loaded machine a listing with DKIM and SPF checks took over 10 s."""
    for _ in range(tries):
        if ready():
            return
        await pilot.pause(step)
        await pilot.app.workers.wait_for_complete()
    raise AssertionError(f"never happened: {what}" + (f" ({state()!r})" if state else ""))


async def quiet(pilot: Any) -> None:
    """Wait until the studio has rendered the preview and checked it: the findings
    delay passed and every worker done (a deadline guards a hang, no fixed wait)."""
    await until(
        pilot,
        lambda: not getattr(pilot.app, "settling", False),
        "the preview rendered and checked",
        tries=2400,
    )
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_search(pilot: Any, query: str = "") -> Any:
    """F10: the studio's search dialog, with ``query`` typed and its matches listed
    (none asked for without a query). Returns the dialog."""
    from studio.tui.screens import SearchScreen

    await pilot.press("f10")
    await until(pilot, lambda: isinstance(pilot.app.screen, SearchScreen), "the search opens")
    screen = pilot.app.screen
    if query:
        await pilot.press(*query)
        await until(pilot, lambda: bool(screen.matches), f"matches of {query!r}")
    return screen
