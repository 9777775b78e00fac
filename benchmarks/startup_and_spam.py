"""Where users wait on the command line: `studio check` with SpamAssassin (cold and
warm), `studio lint` of a big message, and `studio --help`, each beside its baseline
measured in the same run.

    python benchmarks/startup_and_spam.py [--rounds 3] [--big-mb 28]

Rows (median wall time of fresh `studio` processes, in a copy of the example workspace):

* `check` cold (spam cache cleared) and warm (second run) against `check --no-spam`,
  with the batched ``spamassassin`` and with ``spamd``/``spamc`` (``STUDIO_SPAM_ENGINE``);
* `lint` of a generated message of ``--big-mb`` MB with one link per paragraph that
  the text part lacks (the bounded report), with its finding count and peak RSS;
* `--help` against `--version`.
"""

from __future__ import annotations

import argparse
import email.message
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDIO = [sys.executable, "-m", "studio"]


CPU: list[float] = []
"""CPU seconds (user + system) of each timed process and its children, SpamAssassin's included."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wall(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    c0 = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run(STUDIO + args, cwd=cwd, capture_output=True, check=False, env=env)
    took = time.perf_counter() - t0
    CPU.append(_children_cpu() - c0)
    return took


def cpu_median(rounds: int) -> float:
    """The median CPU seconds of the last ``rounds`` timed processes."""
    return statistics.median(CPU[-rounds:])


def median(
    rounds: int,
    args: list[str],
    cwd: Path,
    prepare: object = None,
    env: dict[str, str] | None = None,
) -> float:
    times = []
    for _ in range(rounds):
        if callable(prepare):
            prepare()
        times.append(wall(args, cwd, env))
    return statistics.median(times)


def big_message(path: Path, megabytes: float) -> None:
    para = "".join(
        f'<p><a href="https://shop.example/item/{i}">item {i}</a> your order is on its way,'
        " thank you for shopping with us today, see you soon.</p>\n"
        for i in range(int(megabytes * 1024 * 1024) // 150)
    )
    msg = email.message.EmailMessage()
    msg["From"] = "orders@mail.shop.example"
    msg["Subject"] = "big"
    msg.set_content("Your order is on its way.\n")
    msg.add_alternative(f"<html lang=en><title>t</title><body>{para}</body></html>", "html")
    path.write_bytes(msg.as_bytes())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=28)
    parser.add_argument("--spam-only", action="store_true", help="only the check rows")
    parser.add_argument("--lint-only", action="store_true", help="only the two lint rows")
    parser.add_argument("--big-only", action="store_true", help="only the big message's row")
    args = parser.parse_args()
    spamd_env = {**os.environ, "STUDIO_SPAM_ENGINE": "spamd"}
    batch_env = {**os.environ, "STUDIO_SPAM_ENGINE": "batch"}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(ROOT, ws, ignore=shutil.ignore_patterns(".git", ".venv", ".studio", "out"))
        cache = ws / ".studio" / "cache" / "spam"

        def clear() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        rows = [
            ("check --no-spam       ", ["--no-spam"], None, None),
            ("check, spam cold batch", [], clear, batch_env),
            ("check, spam warm batch", [], None, batch_env),
            ("check, spam cold spamd", [], clear, spamd_env),
            ("check, spam warm spamd", [], None, spamd_env),
        ]
        base = base_cpu = 0.0
        for label, extra, prepare, env in [] if args.lint_only or args.big_only else rows:
            took = median(args.rounds, ["check", "--no-dns", *extra], ws, prepare, env)
            cpu = cpu_median(args.rounds)
            base, base_cpu = (took, cpu) if not base else (base, base_cpu)
            print(
                f"{label} {took:6.2f} s ({took / base:.2f}x --no-spam),"
                f" CPU {cpu:5.2f} s ({cpu / base_cpu:.2f}x)"
            )
        if args.spam_only:
            return

        big = Path(tmp) / "big.eml"
        big_message(big, args.big_mb)
        c0 = _children_cpu()
        t0 = time.perf_counter()
        out = subprocess.run(
            STUDIO + ["lint", str(big), "--format", "json"], cwd=tmp, capture_output=True
        )
        took = time.perf_counter() - t0
        cpu = _children_cpu() - c0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        findings = len(json.loads(out.stdout)["findings"]) if out.stdout else -1
        size = big.stat().st_size / 1e6
        print(
            f"lint {size:.0f} MB message    {took:6.2f} s  CPU {cpu:5.2f} s  {findings} findings,"
            f" peak {rss} MB ({rss * 1.048576 / size:.1f}x the message)"
        )

        if args.big_only:
            return

        small = Path(tmp) / "small.eml"  # about 100 KB: under SpamAssassin's 500 KB limit
        big_message(small, 0.1015)
        kb = small.stat().st_size / 1e3
        spam = median(args.rounds, ["lint", str(small)], Path(tmp))
        spam_cpu = cpu_median(args.rounds)
        nospam = median(args.rounds, ["lint", "--no-spam", str(small)], Path(tmp))
        nospam_cpu = cpu_median(args.rounds)
        print(f"lint {kb:.0f} KB message   {spam:6.2f} s  CPU {spam_cpu:5.2f} s")
        print(f"same, --no-spam        {nospam:6.2f} s  CPU {nospam_cpu:5.2f} s")
        if args.lint_only:
            return

        version = median(args.rounds * 3, ["--version"], ws)
        helps = median(args.rounds * 3, ["--help"], ws)
        print(f"--version              {version:6.2f} s")
        print(f"--help                 {helps:6.2f} s  ({helps / version:.2f}x --version)")


if __name__ == "__main__":
    main()
