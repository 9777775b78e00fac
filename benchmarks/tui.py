"""Studio TUI benchmark: keystroke-to-preview latency and startup time.

    python benchmarks/tui.py [--keys 20] [--process] [--startup-only --rounds 5]
    python benchmarks/tui.py --startup-only --instructions

With Textual's pilot (headless, 120×40) on each example template:

* **keystroke → preview**: a key is pressed in the editor, and the time runs until
  the preview showing that keystroke has been painted (the screen refreshed after
  the new preview was put in place). "Paced": one key, wait, the next (a designer
  making an edit); "burst": keys back to back as fast as the pilot sends them
  (edits coalesce into the next render). Baseline: rendering the same template
  alone in the core, without the UI.
* **startup**: from the start of ``run_test`` to the first paint and to the first
  preview, against a bare Textual app with one label (the framework's floor), and
  the same for fresh processes (imports included) with ``--process``; the bare
  app's process imports Textual alone. ``--startup-only`` times just those.
* ``--instructions``: the instructions each fresh process (the studio, the bare
  app) runs up to its first paint, counted by valgrind's callgrind (the processes
  exit there). Unlike times, the count does not move with the machine's load.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
importlib.import_module("studio.tui")  # first: it sets Textual's frame rate, as `studio` does

from rich.console import RenderableType  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Label, TextArea  # noqa: E402

from studio.core.workspace import Workspace  # noqa: E402
from studio.tui.app import StudioApp  # noqa: E402
from studio.tui.messages import PreviewRendered  # noqa: E402

EXIT_AT_PAINT = "STUDIO_BENCH_EXIT_AT_PAINT"
PROBE = "<mj-section><mj-column><mj-text></mj-text></mj-column></mj-section>"
SIZE = (120, 40)


class ProbeApp(StudioApp):
    """The studio, noting when each preview and the first screen reached the terminal.

    "Painted" is the first screen update written to the (headless) driver after
    the preview widgets were updated: what a terminal would draw next.
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace, watch_interval=0)
        self.shown: list[tuple[float, int]] = []  # (painted at, edits it reflects)
        self.first_paint: float | None = None
        self.first_paint_cpu = 0.0  # CPU seconds of the process at the first paint
        self._unpainted: int | None = None

    def on_preview_rendered(self, event: PreviewRendered) -> None:
        # Runs before StudioApp's own handler, which updates the pane in this
        # same turn: the next update written to the driver includes it.
        if event.generation == self.generation:
            self._unpainted = event.edits

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        now = time.perf_counter()
        if self.first_paint is None:
            self.first_paint = now
            self.first_paint_cpu = time.process_time()
            if os.environ.get(EXIT_AT_PAINT):
                os._exit(0)  # --instructions: count up to here
        if self._unpainted is not None and renderable is not None:
            self.shown.append((now, self._unpainted))
            self._unpainted = None


class BareApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.first_paint: float | None = None

    def compose(self) -> ComposeResult:
        yield Label("hello")

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        super()._display(screen, renderable)
        if self.first_paint is None:
            self.first_paint = time.perf_counter()


async def wait_for(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("the preview did not update")
        await asyncio.sleep(0.0005)


def shown_after(app: ProbeApp, edits: int) -> float | None:
    for at, seen in app.shown:
        if seen >= edits:
            return at
    return None


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def typing(ws: Workspace, template: str, keys: int) -> tuple[list[float], list[float]]:
    app = ProbeApp(ws)
    paced: list[float] = []
    burst: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_file(ws.template_path(template))
        await wait_for(lambda: app.shown)
        editor = app.query_one("#editor", TextArea)
        row = next(
            i for i, line in enumerate(editor.text.splitlines()) if "{% block content %}" in line
        )
        editor.move_cursor((row, len(editor.document.get_line(row))))
        editor.insert(PROBE)  # untimed: an empty text block to type into
        editor.move_cursor(
            (row, editor.cursor_location[1] - len("</mj-text></mj-column></mj-section>"))
        )
        editor.focus()
        await wait_for(lambda: shown_after(app, app.edits) is not None)
        await pilot.pause(0.3)
        for i in range(keys):
            t0 = time.perf_counter()
            await pilot.press("abcdefghijklmnopqrstuvwxyz"[i % 26])
            target = app.edits
            await wait_for(lambda t=target: shown_after(app, t) is not None)  # type: ignore[misc]
            paced.append(shown_after(app, target) - t0)  # type: ignore[operator]
            await pilot.pause(0.03)
        await wait_for(lambda: not app.renders.running)
        await pilot.pause(0.3)
        pressed: list[tuple[float, int]] = []
        for i in range(keys):
            t0 = time.perf_counter()
            await pilot.press("zyxwvutsrqponmlkjihgfedcba"[i % 26])
            pressed.append((t0, app.edits))
        await wait_for(lambda: shown_after(app, pressed[-1][1]) is not None)
        burst = [shown_after(app, e) - t0 for t0, e in pressed]  # type: ignore[operator]
        assert "abc" in editor.text
    return paced, burst


def core_render_ms(ws: Workspace, template: str, rounds: int = 30) -> float:
    import statistics

    sample = (ws.sample_names(template) or [None])[0]
    text = ws.template_path(template).read_text("utf-8")
    buffers = {ws.relpath(ws.template_path(template)): text}  # as the studio renders it
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        ws.render(template, sample=sample, buffers=buffers)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


async def startup(ws: Workspace) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    bare = BareApp()
    async with bare.run_test(size=SIZE):
        await wait_for(lambda: bare.first_paint is not None)
    floor = bare.first_paint - t0  # type: ignore[operator]
    t0 = time.perf_counter()
    app = ProbeApp(Workspace.open(ws.root))
    async with app.run_test(size=SIZE):
        await wait_for(lambda: app.first_paint is not None and app.shown)
    return floor, app.first_paint - t0, app.shown[0][0] - t0  # type: ignore[operator]


BARE_CHILD = """
import asyncio, os, sys, time
t_spawn = float(sys.argv[1])
from textual.app import App
from textual.widgets import Label
class Bare(App):
    first_paint = None
    def compose(self):
        yield Label("hello")
    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
            self.cpu = time.process_time()
            if os.environ.get("STUDIO_BENCH_EXIT_AT_PAINT"):
                os._exit(0)
async def main():
    app = Bare()
    async with app.run_test(size=(120, 40)):
        while app.first_paint is None:
            await asyncio.sleep(0.0005)
    print(time.time() - t_spawn - (time.perf_counter() - app.first_paint), app.cpu)
asyncio.run(main())
"""

STUDIO_CHILD = """
import asyncio, sys, time
t_spawn = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from benchmarks.tui import ProbeApp, wait_for, SIZE
from studio.core.workspace import Workspace
async def main():
    app = ProbeApp(Workspace.open(sys.argv[2]))
    async with app.run_test(size=SIZE):
        await wait_for(lambda: app.first_paint is not None and app.shown)
        now = time.perf_counter()
        at = time.time() - t_spawn
        loaded = sorted(m for m in ("dns", "aiosmtpd", "studio.core.inbox",
                        "studio.core.send", "studio.core.sink") if m in sys.modules)
    print(at - (now - app.first_paint), at - (now - app.shown[0][0]), ",".join(loaded) or "-",
          app.first_paint_cpu)
asyncio.run(main())
"""


def process_startup(which: str) -> list[str]:
    """One fresh process: the bare app imports Textual only; the studio its own modules."""
    import subprocess

    script = BARE_CHILD if which == "bare" else STUDIO_CHILD
    return subprocess.run(
        [sys.executable, "-c", script, str(time.time()), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()


def instructions(which: str) -> int:
    """Instructions a fresh process runs up to its first paint (callgrind's count)."""
    import re
    import subprocess

    script = BARE_CHILD if which == "bare" else STUDIO_CHILD
    env = dict(os.environ, PYTHONHASHSEED="0", **{EXIT_AT_PAINT: "1"})
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + [sys.executable, "-c", script, str(time.time()), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    ).stderr
    found = re.search(r"Collected : (\d+)", out)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{out[-2000:]}")
    return int(found.group(1))


def fresh_process_instructions() -> None:
    import compileall
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    compileall.compile_dir(ROOT / "studio", quiet=1)
    compileall.compile_file(ROOT / "benchmarks" / "tui.py", quiet=1)
    bare, studio = instructions("bare"), instructions("studio")
    print(
        f"instructions to the first paint, fresh process (callgrind): studio"
        f" {studio / 1e6:.0f} M, bare Textual app {bare / 1e6:.0f} M ({studio / bare:.2f}x)"
    )


def fresh_process_startup(rounds: int) -> None:
    """Median first paint of fresh processes, studio and bare app taking turns.

    The studio's modules are byte-compiled first, as an installed package's are (and
    as Textual's are): with ``PYTHONDONTWRITEBYTECODE`` set, every studio process
    would otherwise compile them from source again, which no user's start pays.
    """
    # here, not at the top: the studio's child process imports this module, and the
    # bare app's child imports none of them
    import compileall
    import statistics

    compileall.compile_dir(ROOT / "studio", quiet=1)
    compileall.compile_file(ROOT / "benchmarks" / "tui.py", quiet=1)
    bare, paint, preview, bare_cpu, paint_cpu = [], [], [], [], []
    loaded = ""
    for _ in range(rounds):
        b, bc = process_startup("bare")
        bare.append(float(b))
        bare_cpu.append(float(bc))
        p, v, loaded, pc = process_startup("studio")
        paint.append(float(p))
        preview.append(float(v))
        paint_cpu.append(float(pc))
    b, p, v, bc, pc = (
        statistics.median(x) * 1000 for x in (bare, paint, preview, bare_cpu, paint_cpu)
    )
    print(
        f"startup, fresh process (median of {rounds}): first paint {p:.0f} ms, first"
        f" preview {v:.0f} ms; bare Textual app (imports Textual only) {b:.0f} ms"
        f" ({p / b:.2f}x, target <= 1.5x); loaded at first preview: {loaded}"
    )
    print(
        f"  CPU time of the process at its first paint (steadier on a busy machine):"
        f" studio {pc:.0f} ms, bare app {bc:.0f} ms ({pc / bc:.2f}x)"
    )


def main() -> None:
    import argparse
    import statistics

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keys", type=int, default=20, help="keystrokes per template and mode")
    ap.add_argument("--process", action="store_true", help="also time fresh processes")
    ap.add_argument("--startup-only", action="store_true", help="fresh-process start-up only")
    ap.add_argument("--rounds", type=int, default=5, help="fresh processes of each kind")
    ap.add_argument(
        "--instructions", action="store_true", help="count instructions to the first paint"
    )
    args = ap.parse_args()
    if args.instructions:
        fresh_process_instructions()
    if args.startup_only:
        if not args.instructions:
            fresh_process_startup(args.rounds)
        return
    ws = Workspace.open(ROOT)
    all_paced: list[float] = []
    all_burst: list[float] = []
    print(f"keystroke → painted preview, {args.keys} keys per template and mode (ms)")
    print(
        f"{'template':24} {'core render':>11} {'paced p50':>10} {'p95':>6}"
        f" {'burst p50':>10} {'p95':>6}"
    )
    for name in ws.template_names():
        base = core_render_ms(ws, name)
        paced, burst = asyncio.run(typing(ws, name, args.keys))
        all_paced += paced
        all_burst += burst
        print(
            f"{name:24} {base:11.1f} {statistics.median(paced) * 1000:10.1f}"
            f" {pct(paced, 95) * 1000:6.1f} {statistics.median(burst) * 1000:10.1f}"
            f" {pct(burst, 95) * 1000:6.1f}"
        )
    print(
        f"{'all':24} {'':11} {statistics.median(all_paced) * 1000:10.1f}"
        f" {pct(all_paced, 95) * 1000:6.1f} {statistics.median(all_burst) * 1000:10.1f}"
        f" {pct(all_burst, 95) * 1000:6.1f}   (target: p95 < 50 ms)"
    )
    floor, paint, preview = asyncio.run(startup(ws))
    print(
        f"startup in process: first paint {paint * 1000:.0f} ms, first preview"
        f" {preview * 1000:.0f} ms; bare Textual app first paint {floor * 1000:.0f} ms"
        f" ({paint / floor:.1f}x)"
    )
    if args.process:
        fresh_process_startup(args.rounds)


if __name__ == "__main__":
    main()
