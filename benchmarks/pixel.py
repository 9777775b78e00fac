"""Pixel preview benchmark: typing pause -> picture painted, against `studio shot`.

    python benchmarks/pixel.py [--keys 12] [--shots 3]

With Textual's pilot (headless, 120×40) and the Pixel tab open, on each example
template:

* **pause → painted**: a key is typed into the editor (inside a Jinja comment, so
  every key renders), then nothing: the time runs from the key until the Pixel
  tab's new picture has been written to the terminal (the first screen update after
  the picture was put in place). It includes the pause the studio waits for
  (``PIXEL_DELAY``), the text render, Chromium drawing the page, decoding, and the
  half-block repaint.
* **baseline**: ``studio shot TEMPLATE --width 600`` of the same template, a fresh
  process each time (what a designer ran before the tab existed), in the same run.
* **text preview while pixels refresh**: keys typed ``--gap`` ms apart with the
  Pixel tab open (each pause long enough for a pixel refresh to start, which the
  next key drops): keystroke -> text preview painted, against the same typing with
  the Pixel tab closed (the baseline), same run.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rich.console import RenderableType  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import TextArea  # noqa: E402
from tui import ProbeApp, pct, shown_after, wait_for  # noqa: E402

from studio.core.workspace import Workspace  # noqa: E402
from studio.tui.messages import PixelDrawn  # noqa: E402

SIZE = (120, 40)


class PixelProbe(ProbeApp):
    """The studio, noting when each pixel picture reached the terminal."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.painted: list[tuple[float, int]] = []  # (painted at, token)
        self._pixel_unpainted: int | None = None

    def on_pixel_drawn(self, event: PixelDrawn) -> None:
        # Runs before PixelFlow's handler, which puts the picture in place this turn.
        if event.picture.token == self._pixel_asked and event.picture.error is None:
            self._pixel_unpainted = event.picture.token

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if self._pixel_unpainted is not None and renderable is not None:
            self.painted.append((time.perf_counter(), self._pixel_unpainted))
            self._pixel_unpainted = None


async def comment_cursor(app: PixelProbe, pilot: object) -> TextArea:
    """Put an empty Jinja comment at the end of the template and the cursor inside it."""
    editor = app.query_one("#editor", TextArea)
    editor.text = editor.text.rstrip("\n") + "\n{#  #}\n"
    await wait_for(lambda: shown_after(app, app.edits) is not None)
    editor.move_cursor((editor.document.line_count - 2, 3))
    editor.focus()
    return editor


async def pause_to_paint(ws: Workspace, template: str, keys: int) -> list[float]:
    app = PixelProbe(ws)
    out: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(ws.template_path(template))
        await wait_for(lambda: app.shown)
        await pilot.press("alt+p")
        await wait_for(lambda: app.painted, timeout=60)
        await comment_cursor(app, pilot)
        await wait_for(lambda: not app.pixel_settling, timeout=30)
        for i in range(keys):
            before = len(app.painted)
            t0 = time.perf_counter()
            await pilot.press("abcdefghijklmnopqrstuvwxyz"[i % 26])
            await wait_for(lambda b=before: len(app.painted) > b, timeout=30)  # type: ignore[misc]
            at, token = app.painted[-1]
            assert token == app._pixel_asked
            out.append(at - t0)
            await pilot.pause(0.05)
    return out


async def typing_during_refreshes(
    ws: Workspace, template: str, keys: int, gap: float, pixel: bool
) -> list[float]:
    app = PixelProbe(ws)
    out: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(ws.template_path(template))
        await wait_for(lambda: app.shown)
        if pixel:
            await pilot.press("alt+p")
            await wait_for(lambda: app.painted, timeout=60)
        await comment_cursor(app, pilot)
        for i in range(keys):
            t0 = time.perf_counter()
            await pilot.press("zyxwvutsrqponmlkjihgfedcba"[i % 26])
            target = app.edits
            await wait_for(lambda t=target: shown_after(app, t) is not None)  # type: ignore[misc]
            out.append(shown_after(app, target) - t0)  # type: ignore[operator]
            await asyncio.sleep(gap)  # a pause: a pixel refresh starts, the next key drops it
    return out


def shot_seconds(ws: Workspace, template: str, rounds: int) -> list[float]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "studio", "shot", template, "--width", "600", "-o", tmp],
                cwd=ws.root,
                check=True,
                capture_output=True,
            )
            out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=12)
    parser.add_argument("--shots", type=int, default=3)
    parser.add_argument("--gap", type=float, default=0.25, help="s between keys (third part)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from tests.conftest import copy_example

        ws = Workspace.open(copy_example(Path(tmp) / "ws"))
        print("pause -> painted, ms (baseline: `studio shot --width 600`, fresh process)")
        print(f"{'template':24} {'p50':>7} {'p95':>7}   {'shot p50':>8} {'shot/p50':>8}")
        every: list[float] = []
        for name in ws.template_names():
            ms = [x * 1000 for x in asyncio.run(pause_to_paint(ws, name, args.keys))]
            every += ms
            shots = [x * 1000 for x in shot_seconds(ws, name, args.shots)]
            p50 = pct(ms, 50)
            print(
                f"{name:24} {p50:7.0f} {pct(ms, 95):7.0f}   {pct(shots, 50):8.0f}"
                f" {pct(shots, 50) / p50:7.1f}×"
            )
        print(f"{'all':24} {pct(every, 50):7.0f} {pct(every, 95):7.0f}")
        print()
        print(f"text preview, keystroke -> painted, keys {args.gap * 1000:.0f} ms apart, ms")
        print(f"{'template':24} {'closed p50':>10} {'p95':>6}   {'Pixel open p50':>14} {'p95':>6}")
        closed_all: list[float] = []
        open_all: list[float] = []
        for name in ws.template_names():
            closed = [
                x * 1000
                for x in asyncio.run(typing_during_refreshes(ws, name, args.keys, args.gap, False))
            ]
            opened = [
                x * 1000
                for x in asyncio.run(typing_during_refreshes(ws, name, args.keys, args.gap, True))
            ]
            closed_all += closed
            open_all += opened
            print(
                f"{name:24} {pct(closed, 50):10.1f} {pct(closed, 95):6.1f}"
                f"   {pct(opened, 50):14.1f} {pct(opened, 95):6.1f}"
            )
        print(
            f"{'all':24} {pct(closed_all, 50):10.1f} {pct(closed_all, 95):6.1f}"
            f"   {pct(open_all, 50):14.1f} {pct(open_all, 95):6.1f}"
        )


if __name__ == "__main__":
    main()
