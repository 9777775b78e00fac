"""Preview benchmark: save-to-reload latency, and screenshot cost against bare Chromium.

    python benchmarks/preview.py [--rounds N]

1. With the preview page open in headless Chromium, a template file is saved N times;
   the time from each save to the page's reload is measured (median).
2. Screenshots of one template × sample at 600 px (median per shot) against the same
   browser taking a screenshot of a blank page (the baseline).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.preview import PreviewServer  # noqa: E402
from studio.core.scaffold import init_workspace  # noqa: E402
from studio.core.shots import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        init_workspace(Path(tmp) / "ws")
        ws = Workspace.open(Path(tmp) / "ws")
        path = ws.template_path("password_reset")
        with PreviewServer(ws) as server, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.route(  # the e-mail's remote images: refused, not looked up
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith(server.url) else r.abort(),
            )
            page.goto(server.url + "t/password_reset")
            reloads = []
            for i in range(args.rounds):
                time.sleep(0.3)
                t0 = time.perf_counter()
                with page.expect_navigation(timeout=5000):
                    path.write_text(path.read_text() + f"\n{{# save {i} #}}\n")
                page.wait_for_load_state("load")
                reloads.append(time.perf_counter() - t0)
            html = ws.render("password_reset", sample="en_basic").html
            shots, blanks = [], []
            for _ in range(args.rounds):
                pg = browser.new_page(viewport={"width": 600, "height": 800})
                t0 = time.perf_counter()
                pg.set_content(html)
                pg.screenshot(path=str(Path(tmp) / "s.png"), full_page=True)
                shots.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                pg.set_content("<html><body></body></html>")
                pg.screenshot(path=str(Path(tmp) / "b.png"), full_page=True)
                blanks.append(time.perf_counter() - t0)
                pg.close()
            browser.close()
    r, s, b = (statistics.median(x) for x in (reloads, shots, blanks))
    print(
        f"save → page reloaded: median {r * 1000:.0f} ms over {args.rounds} saves"
        " (watcher polls every 250 ms)"
    )
    print(
        f"screenshot of password_reset at 600 px: {s * 1000:.0f} ms;"
        f" blank page (baseline) {b * 1000:.0f} ms: {s / b:.1f}x"
    )


if __name__ == "__main__":
    main()
