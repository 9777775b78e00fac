"""Checks benchmark: `lint` of the example workspace against rendering alone.

    python benchmarks/checks.py

Renders every template × sample (the baseline), then lints the workspace without
SpamAssassin and with it (first sample of each template, cache cleared), and prints
the wall times and their ratios to the baseline.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.checks import lint_workspace  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402


def main() -> None:
    ws = Workspace.open(ROOT)
    pairs = [(t, s) for t in ws.template_names() for s in ws.sample_names(t)]
    for t, s in pairs:  # warm the Jinja cache, as a long-lived process would
        ws.render(t, sample=s)
    t0 = time.perf_counter()
    for t, s in pairs:
        ws.render(t, sample=s)
    render = time.perf_counter() - t0
    t0 = time.perf_counter()
    findings = lint_workspace(ws, spam=False)
    lint = time.perf_counter() - t0
    shutil.rmtree(ws.root / ".studio" / "cache" / "spam", ignore_errors=True)
    t0 = time.perf_counter()
    lint_workspace(ws, spam=True)
    spam = time.perf_counter() - t0
    print(f"{len(pairs)} renders, {len(findings)} findings")
    print(f"  render only (baseline):   {render * 1000:8.1f} ms")
    print(f"  lint, no spam score:      {lint * 1000:8.1f} ms  ({lint / render:.1f}x)")
    print(f"  lint with SpamAssassin:   {spam * 1000:8.1f} ms  ({spam / render:.1f}x)")


if __name__ == "__main__":
    main()
