"""Spam scoring through one ``spamd`` on loopback for a run, ``spamc`` per message.

The other way to score a run's messages (beside the batched ``spamassassin --mbox``
of :mod:`studio.core.checks.rules.spam`): a daemon started for the run, listening on
127.0.0.1 only, local tests only (``-L``: nothing leaves the machine), no user
configuration; each message goes through its own ``spamc``, two at a time (the
daemon's children), and the daemon is stopped when the run ends. Its start-up
(loading and compiling the rules) runs while the run goes on: the first message
submitted starts it, and ``spamc`` waits for it.

Measured against the batch in ``benchmarks/startup_and_spam.py`` (both rows in one
run); which one a run uses is :func:`engine`. Scoring one message alone (``studio
lint`` of a file) stays a single ``spamassassin``: the daemon starts slower than that.

The same :class:`SpamdRun` also talks to a spamd kept between runs
(``STUDIO_SPAMD_KEEP``): it then finds (or has the keeper start) the daemon through
its state file instead of starting one, and never stops it
(:mod:`studio.core.checks.spamd_keeper`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from ...errors import ConfigError
from .rules.spam import MAX_SIZE, TIMEOUT, SpamVerdict, parse_report
from .spamd_keeper import (
    CHILDREN,
    alive,
    answers,
    free_port,
    read_state,
    spamd_args,
    stop_spamd,
    terminate,
)

"""spamd's children, and the spamc run at once (one per core of a small machine)."""
START_TIMEOUT = 60.0
"""Seconds spamd may take to load its rules and accept connections."""
ENGINE_VARIABLE = "STUDIO_SPAM_ENGINE"
"""``batch`` (the default) or ``spamd``: how a run scores its messages."""
KEEP_VARIABLE = "STUDIO_SPAMD_KEEP"
"""Seconds of idleness after which a spamd kept between runs stops; unset or 0: none kept."""


def keep_seconds() -> float | None:
    """The idle timeout of the kept spamd (``STUDIO_SPAMD_KEEP``), None when not asked for."""
    value = os.environ.get(KEEP_VARIABLE, "").strip()
    try:
        seconds = float(value) if value else 0.0
    except ValueError:
        seconds = -1.0
    if seconds != seconds or seconds < 0 or seconds == float("inf"):  # NaN, negative
        raise ConfigError(
            f"{KEEP_VARIABLE}={value!r}: expected the idle seconds after which the kept"
            " spamd stops (e.g. 600), or 0 to keep none"
        )
    return seconds or None


def state_path(root: Path | None) -> Path:
    """The kept spamd's state file: the workspace's ``.studio/``, else the user's cache."""
    if root is not None:
        return root / ".studio" / "spamd.json"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "studio" / "spamd.json"


_KEEPERS: list[subprocess.Popen[bytes]] = []
"""Keepers this process started (kept referenced: they outlive the run on purpose)."""


def kept_port(state: Path, idle: float) -> int | None:
    """The port of the kept spamd for ``state``, started if none runs; None if it cannot.

    Touches the state file (the keeper's idle clock). Waits for the daemon to load
    its rules the first time (a few seconds): the caller runs this off the main thread.
    """
    paths = spamd_paths()
    if paths is None:
        return None
    data = read_state(state)
    keeper: subprocess.Popen[bytes] | None = None
    if data is None or not alive(data.get("keeper"), "spamd_keeper"):
        if data is not None:  # a keeper killed outright: stop the spamd it left
            stop_spamd(data.get("spamd"))
            state.unlink(missing_ok=True)
        try:
            state.parent.mkdir(parents=True, exist_ok=True)
            keeper = subprocess.Popen(
                [sys.executable, "-m", "studio.core.checks.spamd_keeper", str(state)]
                + [str(idle), *paths],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # outlives this run, not its terminal's Ctrl-C
            )
            _KEEPERS.append(keeper)  # not reaped while this process lives: it runs on
        except OSError:
            return None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        data = read_state(state)
        if keeper is not None and keeper.poll() is not None:
            return None  # the keeper gave up (spamd did not start)
        if data is not None:
            if not alive(data.get("keeper"), "spamd_keeper"):
                if keeper is None:
                    return None
            elif data.get("ready"):
                try:
                    os.utime(state)
                except OSError:
                    return None
                return int(data["port"])
        time.sleep(0.05)
    return None


def stop_kept(state: Path) -> bool:
    """Stop the kept spamd of ``state`` (``studio spamd stop``); whether one was running."""
    data = read_state(state)
    if data is None:
        return False
    keeper, daemon = data.get("keeper"), data.get("spamd")
    running = alive(keeper, "spamd_keeper") or alive(daemon, "spamd")
    state.unlink(missing_ok=True)  # the keeper sees it gone and stops spamd
    if not alive(keeper, "spamd_keeper"):
        stop_spamd(daemon)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (
        alive(keeper, "spamd_keeper") or alive(daemon, "spamd")
    ):
        time.sleep(0.05)
    return running


def engine() -> str:
    """How a run scores: ``kept``, ``spamd`` or ``batch`` (the default).

    ``kept`` when ``STUDIO_SPAMD_KEEP`` asks for a daemon kept between runs and spamd
    is installed; ``spamd`` when asked for (``STUDIO_SPAM_ENGINE=spamd``) and installed.

    Measured with ``benchmarks/startup_and_spam.py`` (cold ``studio check`` of the
    example workspace): spamd costs less CPU (about 2.0-2.7x ``--no-spam`` against
    2.6-2.8x batched) but the batch is sooner on the wall clock of a quiet machine
    (3.0-4.1 s against 3.6-6.3 s): spamd loads more before it answers the first
    ``spamc`` than ``spamassassin`` does before scoring. Users wait on the wall clock.
    """
    if keep_seconds() is not None and spamd_paths() is not None:
        return "kept"
    wanted = os.environ.get(ENGINE_VARIABLE, "batch").strip().lower()
    if wanted == "spamd" and spamd_paths() is not None:
        return "spamd"
    return "batch"


def spamd_paths() -> tuple[str, str] | None:
    """``spamd`` and ``spamc`` (Debian ships spamd in a package of its own), or None."""
    spamd, spamc = shutil.which("spamd"), shutil.which("spamc")
    return (spamd, spamc) if spamd and spamc else None


class SpamdRun:
    """One spamd for a run: ``submit`` messages, ``close`` (or leave the ``with``) to stop it.

    The daemon starts on the first ``submit`` (a run whose verdicts are all cached
    starts none). A message spamd cannot score (too big, the daemon failed to start,
    a timeout) gets None, as the batch gives.
    """

    def __init__(self, keep: tuple[Path, float] | None = None) -> None:
        self._keep = keep  # (state file, idle seconds): the kept spamd, never stopped here
        self._busy = 0
        self._paths = spamd_paths()
        self._proc: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failed = False
        self._pool = ThreadPoolExecutor(max_workers=CHILDREN, thread_name_prefix="spamc")

    def __enter__(self) -> SpamdRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def started(self) -> bool:
        return self._proc is not None

    def _start(self) -> None:
        if self._keep is not None:
            return  # the kept spamd is found (or started) by the first spamc's thread
        with self._lock:
            if self._proc is not None or self._failed or self._paths is None:
                return
            spamd = self._paths[0]
            self._port = free_port()
            try:
                self._proc = subprocess.Popen(
                    spamd_args(spamd, self._port),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except OSError:
                self._failed = True

    def _wait_ready(self) -> bool:
        """Until spamd answers a ping (its rules loaded), it exits, or the deadline passes."""
        if self._ready.is_set():
            return True
        if self._keep is not None:
            with self._lock:
                if not self._ready.is_set() and not self._failed:
                    port = kept_port(*self._keep)
                    if port is None:
                        self._failed = True
                    else:
                        self._port = port
                        self._ready.set()
            return self._ready.is_set()
        proc, paths = self._proc, self._paths
        if proc is None or paths is None:
            return False
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if answers(paths[1], self._port):
                self._ready.set()
                return True
            time.sleep(0.05)
        self._failed = True
        return False

    def _score(self, raw: bytes) -> SpamVerdict | None:
        if self._paths is None or not self._wait_ready():
            return None
        if self._keep is not None:
            # In use: the state file's time is set ahead by the longest a message may
            # take, so that the keeper does not stop spamd under a message whatever
            # the idle timeout; the last message of the run sets it back to now.
            self._lease(TIMEOUT, +1)
            try:
                return self._spamc(raw)
            finally:
                self._lease(0, -1)
        return self._spamc(raw)

    def _lease(self, ahead: float, busy: int) -> None:
        assert self._keep is not None
        with self._lock:
            self._busy += busy
            if busy < 0 and self._busy > 0:
                return  # another message of this run is still being scored
            when = time.time() + ahead
            try:
                os.utime(self._keep[0], (when, when))
            except OSError:
                pass

    def _spamc(self, raw: bytes) -> SpamVerdict | None:
        assert self._paths is not None
        try:
            out = subprocess.run(
                [
                    self._paths[1],
                    "-d",
                    "127.0.0.1",
                    "-p",
                    str(self._port),
                    "--no-safe-fallback",
                    f"--max-size={MAX_SIZE}",
                    "-t",
                    str(TIMEOUT),
                ],
                input=raw,
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return parse_report(out.stdout) if out.returncode == 0 else None

    def submit(self, raw: bytes) -> Future[SpamVerdict | None]:
        """Score ``raw`` in the background (starting spamd on the first message)."""
        if len(raw) > MAX_SIZE:
            done: Future[SpamVerdict | None] = Future()
            done.set_result(None)
            return done
        self._start()
        return self._pool.submit(self._score, raw)

    def score(self, raws: Sequence[bytes]) -> list[SpamVerdict | None]:
        """Score ``raws`` concurrently and wait for every verdict."""
        return [f.result() for f in [self.submit(r) for r in raws]]

    def close(self) -> None:
        """Wait for the messages submitted, then stop spamd."""
        self._pool.shutdown(wait=True)
        proc = self._proc
        if proc is not None:
            terminate(proc)
