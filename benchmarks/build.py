"""Build benchmark: `studio build` with one worker (the baseline) against all cores.

    python benchmarks/build.py [--rounds N]

Builds a copy of the example workspace with each template repeated ``--scale``
times (every template × sample to html, txt and eml, plus the gallery) into a
temporary directory, N rounds each way, and prints the median wall time and the
speed-up of the parallel build over the serial one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.build import build, build_jobs  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402


def timed(root: Path, jobs: int, rounds: int) -> float:
    """Median wall time of a cold build (a fresh Workspace, as a new `studio build` has)."""
    runs = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = build(Workspace.open(root), Path(tmp), jobs=jobs)
            runs.append(time.perf_counter() - t0)
            assert not result.errors, result.errors
    return statistics.median(runs)


def scaled_workspace(tmp: Path, scale: int) -> Workspace:
    """A copy of the example workspace with every template (and its samples) ``scale`` times."""
    dest = tmp / "ws"
    for sub in ("brand", "components"):
        shutil.copytree(ROOT / sub, dest / sub)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    (dest / "templates").mkdir()
    src = Workspace.open(ROOT)
    for name in src.template_names():
        for i in range(scale):
            copy = f"{name}_{i}"
            text = src.template_path(name).read_text()
            (dest / "templates" / f"{copy}.mjml").write_text(text)
            shutil.copytree(ROOT / "samples" / name, dest / "samples" / copy)
    return Workspace.open(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10, help="copies of each template")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    ws = scaled_workspace(tmp, args.scale)
    cores = os.cpu_count() or 1
    n = len(build_jobs(ws))
    serial = timed(ws.root, 1, args.rounds)
    parallel = timed(ws.root, cores, args.rounds)
    print(f"build of {n} renders (median of {args.rounds} rounds)")
    print(f"  --jobs 1 (baseline): {serial * 1000:8.1f} ms")
    print(f"  --jobs {cores}:            {parallel * 1000:8.1f} ms")
    print(f"  speed-up: {serial / parallel:.2f}x on {cores} cores")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
