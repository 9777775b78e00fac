"""Editor highlighting benchmark: what a keystroke costs with the Jinja overlay.

    python benchmarks/highlight.py [--keys 200] [--scale 10] [--rounds 3]

Every edit in Textual's ``TextArea`` re-parses the buffer with tree-sitter and runs
the highlight query over the whole tree; the studio's editor then lays its Jinja
spans over the result (``studio/tui/widgets/highlight.py``). For the largest
example template (and the same text ``--scale`` times over, a template far larger
than any real one), a headless editor takes ``--keys`` single-character edits
(``--rounds`` times, with and without the overlay in turn), each
timed from the edit to its highlights being rebuilt (before painting), with the
overlay off (MJML as HTML only) and on. The overlay's own scan is timed alone too:
over every line, and as a keystroke runs it (only the edited line scanned again,
the others found in the editor's cache of scanned lines).
Figures are medians, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402

from studio.tui.widgets.highlight import TemplateEditor, line_spans  # noqa: E402


class Bench(App[None]):
    def compose(self) -> ComposeResult:
        yield TemplateEditor("", id="editor")


async def keystrokes(text: str, jinja: bool, keys: int) -> list[float]:
    app = Bench()
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        editor = app.query_one(TemplateEditor)
        editor.jinja = jinja
        editor.load_text(text)
        editor.language = "html"
        await pilot.pause()
        row = text.count("\n") // 2
        editor.move_cursor((row, 0))
        for _ in range(keys):
            start = time.perf_counter()
            editor.insert("x")
            times.append(time.perf_counter() - start)
        await pilot.pause()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    largest = max((ROOT / "templates").glob("*.mjml"), key=lambda p: p.stat().st_size)
    one = largest.read_text(encoding="utf-8")
    cases = [(f"{largest.name}", one), (f"{largest.name} x{args.scale}", one * args.scale)]
    print(
        f"{'text':<32} {'lines':>6} {'html only':>10} {'html+jinja':>11}"
        f" {'scan, all lines':>16} {'scan, one edited':>17}"
    )
    for label, text in cases:
        plain: list[float] = []
        jinja: list[float] = []
        for _ in range(args.rounds):  # interleaved, so that a busy moment hits both
            plain += asyncio.run(keystrokes(text, False, args.keys))
            jinja += asyncio.run(keystrokes(text, True, args.keys))
        scans, cached = [], []
        cache: dict[tuple[str | None, str], object] = {}
        line_spans(text, cache)  # type: ignore[arg-type]
        lines = text.split("\n")
        row = len(lines) // 2
        for i in range(args.keys):
            start = time.perf_counter()
            line_spans(text)
            scans.append(time.perf_counter() - start)
            lines[row] = "x" * (i + 1) + lines[row]  # one more key on the same line
            edited = "\n".join(lines)
            start = time.perf_counter()
            line_spans(edited, cache)  # type: ignore[arg-type]
            cached.append(time.perf_counter() - start)
        print(
            f"{label:<32} {text.count(chr(10)) + 1:>6}"
            f" {statistics.median(plain) * 1e3:>8.2f}ms {statistics.median(jinja) * 1e3:>9.2f}ms"
            f" {statistics.median(scans) * 1e3:>14.2f}ms {statistics.median(cached) * 1e3:>15.2f}ms"
        )


if __name__ == "__main__":
    main()
