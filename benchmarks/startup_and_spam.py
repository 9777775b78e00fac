"""Where users wait on the command line: `studio check` with SpamAssassin (cold and
warm), `studio lint` of a big message, and `studio --help`, each beside its baseline
measured in the same run.

    python benchmarks/startup_and_spam.py [--rounds 3] [--big-mb 28]

Rows (median wall time of fresh `studio` processes, in a copy of the example workspace):

* `check` cold (spam cache cleared) and warm (second run) against `check --no-spam`,
  with the batched ``spamassassin`` and with ``spamd``/``spamc`` (``STUDIO_SPAM_ENGINE``);
* `lint` of a generated message of ``--big-mb`` MB with one link per paragraph that
  the text part lacks (the bounded report), with its finding count and peak RSS;
* `lint` of a 101 KB message with SpamAssassin: the default (one ``spamassassin``
  while the other rules run), and through a spamd kept between runs
  (``STUDIO_SPAMD_KEEP``: its first run, which starts it, then warm), against ``--no-spam``;
* `--help` against `--version`.

The load average is printed first: the machine may be shared.
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


def spamd_cpu(state: Path) -> float:
    """CPU seconds so far of the kept spamd named in ``state`` and its children."""
    try:
        master = json.loads(state.read_text())["spamd"]
    except (OSError, ValueError, KeyError):
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if entry.name == str(master) or fields[1] == str(master):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _peak_rss(args: list[str], cwd: str) -> tuple[bytes, float]:
    """The output and peak RSS (MiB) of one process (``wait4``: its own, not the run's)."""
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped above
    return out, usage.ru_maxrss / 1024


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
    parser.add_argument("--lint-only", action="store_true", help="only the lint rows")
    parser.add_argument("--no-big", action="store_true", help="without the big message row")
    parser.add_argument("--big-only", action="store_true", help="only the big message's row")
    parser.add_argument("--write-big", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_big:  # in a process of its own: see run_rows
        big_message(Path(args.write_big), args.big_mb)
        return
    print("load average %.2f %.2f %.2f" % os.getloadavg())
    spamd_env = {**os.environ, "STUDIO_SPAM_ENGINE": "spamd"}
    batch_env = {**os.environ, "STUDIO_SPAM_ENGINE": "batch"}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(ROOT, ws, ignore=shutil.ignore_patterns(".git", ".venv", ".studio", "out"))
        cache = ws / ".studio" / "cache" / "spam"
        # The kept spamd's state in this copy (and the user cache redirected here too).
        xdg = str(Path(tmp) / "xdg")
        kept_env = {**batch_env, "STUDIO_SPAMD_KEEP": "600", "XDG_CACHE_HOME": xdg}
        try:
            run_rows(args, tmp, ws, cache, batch_env, spamd_env, kept_env)
        finally:
            subprocess.run(STUDIO + ["spamd", "stop"], cwd=ws, env=kept_env, capture_output=True)
        print("load average %.2f %.2f %.2f" % os.getloadavg())


def run_rows(
    args: argparse.Namespace,
    tmp: str,
    ws: Path,
    cache: Path,
    batch_env: dict[str, str],
    spamd_env: dict[str, str],
    kept_env: dict[str, str],
) -> None:

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    rows = [
        ("check --no-spam       ", ["--no-spam"], None, None),
        ("check, spam cold batch", [], clear, batch_env),
        ("check, spam warm batch", [], None, batch_env),
        ("check, spam cold spamd", [], clear, spamd_env),
        ("check, spam warm spamd", [], None, spamd_env),
        ("check, spam cold, kept", [], clear, kept_env),  # its first round starts it
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

    if not args.no_big:
        # Written by another process: a child's peak RSS counts what it shared with
        # this one when it was started, and building the message here would be that.
        big = Path(tmp) / "big.eml"
        script = [sys.executable, __file__, "--big-mb", str(args.big_mb)]
        subprocess.run([*script, "--write-big", str(big)], check=True)
        tiny = Path(tmp) / "tiny.eml"
        big_message(tiny, 0.0001)
        base_rss = _peak_rss(STUDIO + ["lint", "--no-spam", str(tiny)], tmp)[1]
        c0 = _children_cpu()
        t0 = time.perf_counter()
        out, rss = _peak_rss(STUDIO + ["lint", str(big), "--format", "json"], tmp)
        took = time.perf_counter() - t0
        cpu = _children_cpu() - c0
        findings = len(json.loads(out)["findings"]) if out else -1
        size = big.stat().st_size / 1e6
        mb = size / 1.048576
        print(
            f"lint {size:.0f} MB message    {took:6.2f} s  CPU {cpu:5.2f} s  {findings} findings,"
            f" peak {rss:.0f} MB ({rss / mb:.1f}x the message;"
            f" {(rss - base_rss) / mb:.1f}x above the {base_rss:.0f} MB of a tiny message's lint)"
        )

        if args.big_only:
            return

    small = Path(tmp) / "small.eml"  # about 100 KB: under SpamAssassin's 500 KB limit
    big_message(small, 0.1015)
    kb = small.stat().st_size / 1e3
    spam = median(args.rounds, ["lint", str(small)], Path(tmp), env=batch_env)
    spam_cpu = cpu_median(args.rounds)
    nospam = median(args.rounds, ["lint", "--no-spam", str(small)], Path(tmp))
    nospam_cpu = cpu_median(args.rounds)
    c0, t0 = _children_cpu(), time.perf_counter()
    with small.open("rb") as stdin:
        subprocess.run(["spamassassin", "-L", "-t"], stdin=stdin, capture_output=True)
    sa_wall, sa_cpu = time.perf_counter() - t0, _children_cpu() - c0
    print(f"lint {kb:.0f} KB message   {spam:6.2f} s  CPU {spam_cpu:5.2f} s")
    print(f"same, --no-spam        {nospam:6.2f} s  CPU {nospam_cpu:5.2f} s")
    print(f"spamassassin -L -t     {sa_wall:6.2f} s  CPU {sa_cpu:5.2f} s (alone, same message)")
    # Kept spamd: the first run starts it (and waits for its rules); then warm.
    first = wall(["lint", str(small)], Path(tmp), kept_env)
    daemon = Path(kept_env["XDG_CACHE_HOME"]) / "studio" / "spamd.json"
    d0 = spamd_cpu(daemon)
    kept = median(args.rounds, ["lint", str(small)], Path(tmp), env=kept_env)
    kept_cpu = cpu_median(args.rounds)
    per_message = (spamd_cpu(daemon) - d0) / args.rounds
    print(f"kept spamd, 1st run    {first:6.2f} s  (starts spamd)")
    print(
        f"kept spamd, warm       {kept:6.2f} s  CPU {kept_cpu:5.2f} s of studio"
        f" + {per_message:4.2f} s of spamd ({kept / nospam:.2f}x --no-spam)"
    )
    if args.lint_only:
        return

    version = median(args.rounds * 3, ["--version"], ws)
    helps = median(args.rounds * 3, ["--help"], ws)
    print(f"--version              {version:6.2f} s")
    print(f"--help                 {helps:6.2f} s  ({helps / version:.2f}x --version)")


if __name__ == "__main__":
    main()
