"""Diff benchmark: `studio diff` of a one-component change against `studio build`.

    python benchmarks/diff.py [--rounds N] [--scale 10] [--cli]

A copy of the example workspace with every template repeated ``--scale`` times (each
copy a distinct text, so no compiled code is shared by accident), committed to a
fresh git repository. Each copy of ``order_confirmation`` has its own copy of the
cross-sell component, so that editing ``components/cross_sell_0.mjml`` touches one
template (its 3 samples) of the 50. Measured in one process, N rounds each, median:

* the baseline: a cold ``build`` of the whole workspace (a fresh Workspace, as a new
  ``studio build`` has; default jobs, so all cores), and the same with ``--jobs 1``;
* a cold ``run_diff`` of the working tree (the edited component) against HEAD: git,
  the dependency graph of every template at both sides, and the affected messages
  rendered at both sides and compared, findings included (a fresh Workspace and an
  empty dependency cache each round).

With ``--cli`` it also times both as fresh ``studio`` processes (interpreter start
and imports included).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.build import build, build_jobs  # noqa: E402
from studio.core.diff import graph, run_diff  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402

COMPONENT = "cross_sell"


def scaled_repo(tmp: Path, scale: int) -> Workspace:
    dest = tmp / "ws"
    for sub in ("brand", "components"):
        shutil.copytree(ROOT / sub, dest / sub)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    (dest / "templates").mkdir()
    src = Workspace.open(ROOT)
    component = (ROOT / "components" / f"{COMPONENT}.mjml").read_text()
    for name in src.template_names():
        for i in range(scale):
            copy = f"{name}_{i}"
            text = src.template_path(name).read_text() + f"{{# copy {i} #}}\n"
            if f"components/{COMPONENT}.mjml" in text:
                text = text.replace(
                    f"components/{COMPONENT}.mjml", f"components/{COMPONENT}_{i}.mjml"
                )
                (dest / "components" / f"{COMPONENT}_{i}.mjml").write_text(component)
            (dest / "templates" / f"{copy}.mjml").write_text(text)
            shutil.copytree(ROOT / "samples" / name, dest / "samples" / copy)
    for cmd in (
        ["init", "-q", "-b", "main"],
        ["-c", "user.email=b@example.invalid", "-c", "user.name=bench", "add", "-A"],
        ["-c", "user.email=b@example.invalid", "-c", "user.name=bench", "commit", "-qm", "ws"],
    ):
        subprocess.run(["git", "-C", str(dest), *cmd], check=True)
    edited = dest / "components" / f"{COMPONENT}_0.mjml"
    text = edited.read_text()
    marker = "</mj-text>"
    assert marker in text
    edited.write_text(text.replace(marker, " (new in this change)" + marker, 1))
    return Workspace.open(dest)


def time_build(root: Path, rounds: int, jobs: int | None = None) -> float:
    runs = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = build(Workspace.open(root), Path(tmp), jobs=jobs)
            runs.append(time.perf_counter() - t0)
            assert not result.errors, result.errors
    return statistics.median(runs)


def time_diff(root: Path, rounds: int) -> tuple[float, int, int]:
    runs = []
    changed = rendered = 0
    for _ in range(rounds):
        graph._CACHE.clear()
        t0 = time.perf_counter()
        report = run_diff(Workspace.open(root))
        runs.append(time.perf_counter() - t0)
        changed = len(report.changed)
        rendered = len(report.changed) + len(report.unchanged)
        assert {m.id.template for m in report.changed} == {"order_confirmation_0"}, report.changed
    return statistics.median(runs), changed, rendered


def time_cli(root: Path, args: list[str], rounds: int) -> float:
    runs = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            argv = [a.replace("{tmp}", tmp) for a in args]
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "studio", *argv], cwd=root, check=True, capture_output=True
            )
            runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10, help="copies of each template")
    parser.add_argument("--cli", action="store_true", help="also time fresh `studio` processes")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        ws = scaled_repo(tmp, args.scale)
        n = len(build_jobs(ws))
        templates = len(ws.template_names())
        time_diff(ws.root, 1)  # imports and first-use costs out of both measurements
        # Interleaved rounds, so that both see the same load on a shared machine.
        builds, serial, diffs = [], [], []
        for _ in range(args.rounds):
            builds.append(time_build(ws.root, 1))
            serial.append(time_build(ws.root, 1, jobs=1))
            d, changed, rendered = time_diff(ws.root, 1)
            diffs.append(d)
        built, diffed = statistics.median(builds), statistics.median(diffs)
        one = statistics.median(serial)
        print(f"{templates} templates, {n} renders; edit of components/{COMPONENT}_0.mjml")
        print(f"(median of {args.rounds} interleaved rounds, in one process)")
        print(f"  studio build (baseline):  {built * 1000:8.1f} ms")
        print(
            f"  studio diff:              {diffed * 1000:8.1f} ms"
            f"  ({rendered} messages rendered at both sides, {changed} changed)"
        )
        ratios = sorted(d / b for d, b in zip(diffs, builds, strict=True))
        print(f"  diff / build:             {diffed / built:8.1%}  (ratio of the medians)")
        print(f"  per round, sorted: {', '.join(f'{r:.1%}' for r in ratios)}")
        print(
            f"  studio build --jobs 1:    {one * 1000:8.1f} ms  (diff / build --jobs 1: "
            f"{diffed / one:.1%}; the diff runs in one process)"
        )
        if args.cli:
            cb = time_cli(ws.root, ["build", "--out", "{tmp}/out"], args.rounds)
            cd = time_cli(ws.root, ["diff"], args.rounds)
            print("fresh processes:")
            print(f"  studio build:             {cb * 1000:8.1f} ms")
            print(f"  studio diff:              {cd * 1000:8.1f} ms  ({cd / cb:.1%})")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
