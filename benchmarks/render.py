"""Render benchmark: per-stage medians and the pipeline-to-MJML ratio.

    python benchmarks/render.py [--repeat N] [--npm]

For every example template × sample, and every corpus MJML file (when
../shared/corpus is there), it renders N times and prints the median time of each
stage (jinja, track, mjml, text, mime), the whole pipeline, and the ratio of the
whole pipeline to the MJML compile alone (the baseline: MRML on the same MJML).
There is no separate "inline" stage: MRML applies ``<mj-style inline="inline">``
while it compiles, so CSS inlining is timed inside the mjml stage.
Target: ratio <= 3.

With ``--npm``, the baseline of issue 18 too: the npm ``mjml`` 5 compile (node, warm:
every MJML compiled once, then each once more right before its own timed runs) of
the same post-Jinja MJML, against the
whole pipeline (Jinja + track + MJML + text + MIME) of each render; node and
``mjml@5`` are installed with npm into ``~/.cache/studio-bench/mjml5`` on first use.
Targets: the pipeline >= 5x faster on the example templates, >= 10x on the corpus.

What the pipeline keeps between renders helps the repeated renders timed here as it
helps the studio's re-render on each keystroke or a build's samples: component
macro output by its inputs (:mod:`studio.core.render.memo`) and what each distinct
tag means to the text stage. ``--cold`` empties both before every timed render: the
cost of a render none of whose component calls or tags were seen before.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.render.mjml import compile_mjml  # noqa: E402
from studio.core.render.pipeline import STAGES, RenderedMessage, render_mjml_file  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "mjml"
NPM_DIR = Path.home() / ".cache" / "studio-bench" / "mjml5"
NODE_BENCH = r"""
const mjml = require(process.argv[1]);
const repeat = Number(process.argv[2]);
const cpu = process.argv[3] === "cpu";  // CPU time of the process instead of wall time
const now = () => {
  if (!cpu) return Number(process.hrtime.bigint()) / 1e9;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const sources = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  // Warm: every source compiled once before any is timed (V8 optimises mjml's code
  // over the first compiles; warming each source only just before timing it timed
  // the first sources 2-4x slower than the last), then each source again right
  // before its own runs.
  for (const src of sources) await mjml(src, { validationLevel: "skip" });
  const out = [];
  for (const src of sources) {
    await mjml(src, { validationLevel: "skip" });  // warm: this source compiled once
    const runs = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = now();
      await mjml(src, { validationLevel: "skip" });
      runs.push(now() - t0);
    }
    runs.sort((a, b) => a - b);
    out.push(runs[Math.floor(runs.length / 2)]);
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def npm_mjml() -> Path | None:
    """The npm mjml 5 package, installed under ``NPM_DIR`` on first use (None without npm)."""
    module = NPM_DIR / "node_modules" / "mjml"
    if module.is_dir():
        return module
    if shutil.which("npm") is None or shutil.which("node") is None:
        return None
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(NPM_DIR),
            "mjml@5",
        ],
        check=True,
    )
    return module if module.is_dir() else None


def npm_medians(module: Path, sources: list[str], repeat: int, clock: str) -> list[float]:
    """Median seconds of the warm npm mjml compile of each source, in one node process."""
    out = subprocess.run(
        ["node", "-e", NODE_BENCH, str(module), str(repeat), clock],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(x) for x in json.loads(out.stdout)]


CLOCK = ["wall"]
"""``wall`` (perf_counter) or ``cpu`` (this thread's CPU time; steadier on a busy machine)."""


COLD = [False]
"""Empty what the pipeline keeps between renders before each timed render."""


def forget() -> None:
    """Forget kept component output and tags (where this version of the code keeps them)."""
    try:
        from studio.core.render import text
        from studio.core.render.pipeline import renderer_for
    except ImportError:
        return
    getattr(text, "clear_cache", lambda: None)()
    if WORKSPACE:
        macros = getattr(renderer_for(WORKSPACE[0]).caches, "macros", None)
        if macros is not None:
            macros.clear()


WORKSPACE: list[Workspace] = []


def now() -> float:
    return time.thread_time() if CLOCK[0] == "cpu" else time.perf_counter()


def measure(
    label: str,
    jobs: list[Callable[[], RenderedMessage]],
    repeat: int,
    npm: Path | None = None,
    target: float = 0.0,
) -> None:
    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    totals: list[float] = []
    baseline: list[float] = []
    # Warm-up, as for node: every render once before any is timed (compiles the Jinja
    # templates, as a long-lived renderer would), then each again before its runs.
    sources = [job().mjml for job in jobs]
    for job in jobs:
        job()
        stage_runs: dict[str, list[float]] = {s: [] for s in STAGES}
        run_totals, run_base = [], []
        for _ in range(repeat):
            if COLD[0]:
                forget()
            t0 = now()
            msg = job()
            msg.email  # noqa: B018 - the MIME message is part of the whole pipeline
            run_totals.append(now() - t0)
            for s in STAGES:
                stage_runs[s].append(msg.timings.get(s, 0.0))
            b0 = now()
            compile_mjml(msg.mjml)
            run_base.append(now() - b0)
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
    if npm is not None:
        node = npm_medians(npm, sources, repeat, CLOCK[0])
        faster = [n / t for n, t in zip(node, totals, strict=True)]
        print(
            f"  npm mjml 5 compile alone (warm, node) {statistics.median(node) * ms:8.3f}"
            f"  -> whole pipeline {statistics.median(faster):.1f}x faster"
            f" (median over renders; worst {min(faster):.1f}x; on summed times"
            f" {sum(node) / sum(totals):.1f}x; target >= {target:g}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--npm", action="store_true", help="also time npm mjml 5 (node)")
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: CPU time of the renderer's thread (stages too) and of node (steadier"
        " under load)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty kept component output and tags before every timed render",
    )
    args = parser.parse_args()
    CLOCK[0] = args.clock
    COLD[0] = args.cold
    if args.clock == "cpu":
        # The stages time themselves with perf_counter: on this clock they read the
        # thread's CPU time too, so the stage medians and the whole agree.
        from studio.core.render import pipeline, result

        cpu = types.SimpleNamespace(perf_counter=time.thread_time)
        for module in (pipeline, result):
            vars(module)["time"] = cpu
    npm = npm_mjml() if args.npm else None
    if args.npm and npm is None:
        print("npm mjml: node/npm not found, the npm baseline is left out")
    ws = Workspace.open(ROOT)
    WORKSPACE.append(ws)
    jobs: list[Callable[[], RenderedMessage]] = []
    for t in ws.template_names():
        for s in ws.sample_names(t):
            jobs.append(lambda t=t, s=s: ws.render(t, sample=s))  # type: ignore[misc]
    if jobs:
        measure("example workspace", jobs, args.repeat, npm, 5)
    if CORPUS.is_dir():
        files = sorted(CORPUS.glob("*.mjml"))
        measure(
            "corpus (../shared/corpus/mjml)",
            [lambda p=p: render_mjml_file(p) for p in files],  # type: ignore[misc]
            args.repeat,
            npm,
            10,
        )


if __name__ == "__main__":
    main()
