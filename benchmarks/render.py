"""Render benchmark: per-stage medians and the pipeline-to-MJML ratio.

    python benchmarks/render.py [--repeat N]

For every example template × sample, and every corpus MJML file (when
../shared/corpus is there), it renders N times and prints the median time of each
stage (jinja, track, mjml, text, mime), the whole pipeline, and the ratio of the
whole pipeline to the MJML compile alone (the baseline: MRML on the same MJML).
There is no separate "inline" stage: MRML applies ``<mj-style inline="inline">``
while it compiles, so CSS inlining is timed inside the mjml stage.
Target: ratio <= 3.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.render.mjml import compile_mjml  # noqa: E402
from studio.core.render.pipeline import STAGES, RenderedMessage, render_mjml_file  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "mjml"


def measure(label: str, jobs: list[Callable[[], RenderedMessage]], repeat: int) -> None:
    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    totals: list[float] = []
    baseline: list[float] = []
    for job in jobs:
        job()  # warm up (compiles Jinja templates once, as a long-lived renderer would)
        stage_runs: dict[str, list[float]] = {s: [] for s in STAGES}
        run_totals, run_base = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            msg = job()
            msg.email  # noqa: B018 - the MIME message is part of the whole pipeline
            run_totals.append(time.perf_counter() - t0)
            for s in STAGES:
                stage_runs[s].append(msg.timings.get(s, 0.0))
            b0 = time.perf_counter()
            compile_mjml(msg.mjml)
            run_base.append(time.perf_counter() - b0)
        for s in STAGES:
            per_stage[s].append(statistics.median(stage_runs[s]))
        totals.append(statistics.median(run_totals))
        baseline.append(statistics.median(run_base))
    ms = 1000.0
    print(f"\n{label}: {len(jobs)} renders, median of {repeat} runs each (ms, median over renders)")
    for s in STAGES:
        print(f"  {s:<6} {statistics.median(per_stage[s]) * ms:8.3f}")
    print("  (no inline stage: MRML applies mj-style inline inside the mjml stage)")
    whole, base = statistics.median(totals), statistics.median(baseline)
    print(f"  {'whole':<6} {whole * ms:8.3f}  (all stages, MIME included)")
    print(f"  {'mjml alone (baseline)':<6} {base * ms:8.3f}")
    ratios = [t / b for t, b in zip(totals, baseline, strict=True)]
    print(
        f"  ratio whole/mjml: median {statistics.median(ratios):.2f}x,"
        f" worst {max(ratios):.2f}x (target <= 3x)"
    )
    preview = [t - m for t, m in zip(totals, per_stage["mime"], strict=True)]
    pratios = [p / b for p, b in zip(preview, baseline, strict=True)]
    print(
        f"  ratio preview (no MIME: what render/TUI/preview pay)/mjml:"
        f" median {statistics.median(pratios):.2f}x, worst {max(pratios):.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    ws = Workspace.open(ROOT)
    jobs: list[Callable[[], RenderedMessage]] = []
    for t in ws.template_names():
        for s in ws.sample_names(t):
            jobs.append(lambda t=t, s=s: ws.render(t, sample=s))  # type: ignore[misc]
    if jobs:
        measure("example workspace", jobs, args.repeat)
    if CORPUS.is_dir():
        files = sorted(CORPUS.glob("*.mjml"))
        measure(
            "corpus (../shared/corpus/mjml)",
            [lambda p=p: render_mjml_file(p) for p in files],  # type: ignore[misc]
            args.repeat,
        )


if __name__ == "__main__":
    main()
