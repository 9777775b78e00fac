"""Checks benchmark: `lint` of the example workspace against rendering alone.

    python benchmarks/checks.py [--rounds 7]

Renders every template × sample (the baseline), then lints the workspace without
SpamAssassin (which renders every sample itself, then checks), and prints the
median wall times, the lint/render ratio and the checks-only/render ratio (lint
minus its own rendering). Warm: as in a long-lived process (the studio, the
preview), after one run that compiled the templates. Cold: a fresh workspace
each round, as a `studio lint` run pays. Then one run with SpamAssassin (first
sample of each template, its cache cleared).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core import variables  # noqa: E402
from studio.core.checks import lint_workspace  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402


def median_ms(
    rounds: int, setup: Callable[[], Workspace], run: Callable[[Workspace], object]
) -> float:
    times = []
    for _ in range(rounds):
        ws = setup()
        t0 = time.perf_counter()
        run(ws)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def render_all(ws: Workspace) -> None:
    for t in ws.template_names():
        for s in ws.sample_names(t):
            ws.render(t, sample=s).email  # noqa: B018 - the MIME message, as lint builds it


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    warm = Workspace.open(ROOT)
    lint_workspace(warm, spam=False)  # compile every template once

    def cold() -> Workspace:
        variables._analyse.cache_clear()
        variables._parsed.cache_clear()
        return Workspace.open(ROOT)

    pairs = sum(len(warm.sample_names(t)) for t in warm.template_names())
    print(f"{pairs} renders (example workspace), median of {args.rounds} rounds")
    for label, setup in (("warm", lambda: warm), ("cold", cold)):
        render = median_ms(args.rounds, setup, render_all)
        lint = median_ms(args.rounds, setup, lambda ws: lint_workspace(ws, spam=False))
        checks = lint - render
        print(
            f"  {label}: render {render:7.1f} ms | lint --no-spam {lint:7.1f} ms"
            f" ({lint / render:.2f}x render) | checks alone {checks:7.1f} ms"
            f" ({checks / render:.2f}x render)"
        )
    shutil.rmtree(ROOT / ".studio" / "cache" / "spam", ignore_errors=True)
    t0 = time.perf_counter()
    lint_workspace(Workspace.open(ROOT), spam=True)
    spam = (time.perf_counter() - t0) * 1000
    print(f"  lint with SpamAssassin (cache cleared): {spam:7.0f} ms")


if __name__ == "__main__":
    main()
